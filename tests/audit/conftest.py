"""Personas for the event history and credential report: the root, alice (admin),
bob (same account, no policy) and charlie (another account, admin)."""

from __future__ import annotations

import pytest
from django.test import Client

from identities.models import User
from tests.factories import caller_for, grant, make_iam_user, sign_in_root, sign_in_user


@pytest.fixture
def alice(alice_account) -> User:
    user = make_iam_user(alice_account.account, "alice")
    grant(user)
    return user


@pytest.fixture
def bob(alice_account) -> User:
    return make_iam_user(alice_account.account, "bob")


@pytest.fixture
def charlie(charlie_account) -> User:
    user = make_iam_user(charlie_account.account, "charlie")
    grant(user)
    return user


@pytest.fixture
def admin(alice):
    """alice as a Caller, for operations."""
    return caller_for(alice)


@pytest.fixture
def alice_client(alice, alice_account) -> Client:
    client = Client()
    sign_in_user(client, alice_account.id, "alice")
    return client


@pytest.fixture
def bob_client(bob, alice_account) -> Client:
    client = Client()
    sign_in_user(client, alice_account.id, "bob")
    return client


@pytest.fixture
def charlie_client(charlie, charlie_account) -> Client:
    client = Client()
    sign_in_user(client, charlie_account.id, "charlie")
    return client


@pytest.fixture
def root_client(alice_account) -> Client:
    client = Client()
    sign_in_root(client, alice_account)
    return client
