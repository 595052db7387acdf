"""Fixtures for the API tests: real boto3 clients, the AWS CLI and signed raw requests
against pytest-django's live server.

Personas: alice (an IAM user with an administrator policy and an access key),
bob (same account, a key and no policy), charlie (another account's admin).
"""

from __future__ import annotations

import pytest

from tests.api.helpers import KeyHolder, client, grant_admin, make_key


@pytest.fixture(autouse=True)
def _connections_closed_after_each_request():
    """The live server's request threads close their database connections at once.

    With persistent connections a keep-alive thread still holds one when the test
    database is dropped; closing per request is what the server does without them.
    """
    from django.db import connections

    database = connections.settings["default"]
    previous = database.get("CONN_MAX_AGE", 0)
    database["CONN_MAX_AGE"] = 0
    yield
    database["CONN_MAX_AGE"] = previous


@pytest.fixture
def account(transactional_db):
    from tests.factories import make_account

    return make_account(email="owner@alice.example", alias="alice-co", account_id="111122223333")


@pytest.fixture
def alice(account) -> KeyHolder:
    from tests.factories import make_iam_user

    user = make_iam_user(account.account, "alice", password=None)
    grant_admin(user)
    return make_key(user)


@pytest.fixture
def bob(account) -> KeyHolder:
    from tests.factories import make_iam_user

    return make_key(make_iam_user(account.account, "bob", password=None))


@pytest.fixture
def charlie(transactional_db) -> KeyHolder:
    from tests.factories import make_account, make_iam_user

    other = make_account(email="owner@charlie.example", alias="charlie-co",
                         account_id="444455556666")
    user = make_iam_user(other.account, "charlie", password=None)
    grant_admin(user)
    return make_key(user)


@pytest.fixture
def clients(live_server):
    """Make clients for the live server; their keep-alive connections are closed at the end
    so that the server's threads release their database connections before teardown."""
    made = []

    def make(service: str, holder: KeyHolder):
        made.append(client(service, live_server.url, holder))
        return made[-1]

    yield make
    for each in made:
        each.close()


@pytest.fixture
def iam(clients, alice):
    return clients("iam", alice)


@pytest.fixture
def sts(clients, alice):
    return clients("sts", alice)
