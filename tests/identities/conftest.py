"""Personas for identity operations: alice (admin), bob (no policy), charlie (other account)."""

from __future__ import annotations

import pytest

from tests.factories import caller_for, grant, make_iam_user


@pytest.fixture
def alice(alice_account):
    user = make_iam_user(alice_account.account, "alice")
    grant(user)
    return caller_for(user)


@pytest.fixture
def bob(alice_account):
    return caller_for(make_iam_user(alice_account.account, "bob"))


@pytest.fixture
def charlie(charlie_account):
    user = make_iam_user(charlie_account.account, "charlie")
    grant(user)
    return caller_for(user)
