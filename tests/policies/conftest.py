"""The personas of STYLE.md for policy tests.

root: alice's account root (allowed everything in its account);
alice: an IAM user with AdministratorAccess attached;
bob: an IAM user of the same account with no policy;
charlie: an administrator of another account.
"""

from __future__ import annotations

import pytest

from policies import policyset
from policies.engine import clear_cache as clear_compiled
from tests.factories import make_iam_user
from tests.policies.helpers import ADMIN, caller_for


@pytest.fixture(autouse=True)
def fresh_policy_caches():
    # Rolled-back tests can reuse primary keys (SQLite) and generations: never
    # let one test's cached policy sets answer for another's.
    policyset.clear_cache()
    clear_compiled()
    yield
    policyset.clear_cache()


@pytest.fixture
def root(alice_account):
    return caller_for(alice_account.root)


@pytest.fixture
def alice(alice_account, root):
    from policies.operations import attach_user_policy

    user = make_iam_user(alice_account.account, "alice")
    attach_user_policy(root, user_name="alice", policy_arn=ADMIN)
    return caller_for(user)


@pytest.fixture
def bob(alice_account):
    return caller_for(make_iam_user(alice_account.account, "bob"))


@pytest.fixture
def charlie(charlie_account):
    from policies.operations import attach_user_policy

    user = make_iam_user(charlie_account.account, "charlie")
    attach_user_policy(caller_for(charlie_account.root), user_name="charlie", policy_arn=ADMIN)
    return caller_for(user)
