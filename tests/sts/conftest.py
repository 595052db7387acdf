"""Personas and builders for the STS tests.

alice-co (111122223333) owns the roles; charlie-co (444455556666) is the other
account. Policies are written as rows directly (the policy operations are
tested on their own), each write bumping the account's policy generation as
the real operations do.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from core.caller import Caller
from identities.models import Role
from identities.operations.roles import create_role
from policies import policyset
from policies.models import InlinePolicy
from sts import services
from tests.factories import make_iam_user

ALICE = "111122223333"
CHARLIE = "444455556666"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(*principals: str, effect: str = "Allow", condition: dict | None = None,
          principal=None) -> dict:
    statement = {"Effect": effect, "Principal": principal or {"AWS": list(principals)},
                 "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return statement


def give(entity, document: str, name: str = "policy") -> None:
    """An inline policy on a user or a role, as PutUserPolicy/PutRolePolicy leaves it."""
    field = "role" if isinstance(entity, Role) else "user"
    InlinePolicy.objects.update_or_create(**{field: entity}, name=name,
                                          defaults={"document": document})
    policyset.bump(entity.account_id)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _fresh_caches():
    policyset.clear_cache()
    services.clear_cache()
    yield
    policyset.clear_cache()
    services.clear_cache()


@pytest.fixture
def clock(monkeypatch):
    """Move STS's clock: ``clock.set("2030-01-01T00:00:00")``."""

    class Clock:
        now: datetime | None = None

        def set(self, value: str | datetime) -> datetime:
            self.now = at(value) if isinstance(value, str) else value
            return self.now

    fake = Clock()
    monkeypatch.setattr(services, "_now", lambda: fake.now or datetime.now(timezone.utc))
    return fake


@pytest.fixture
def alice_root(alice_account) -> Caller:
    return Caller.for_user(alice_account.root)


@pytest.fixture
def charlie_root(charlie_account) -> Caller:
    return Caller.for_user(charlie_account.root)


@pytest.fixture
def make_role(alice_root):
    """A role in alice-co created through CreateRole, with a policy of its own."""

    def build(name: str, *trust_statements: dict, caller: Caller | None = None,
              max_session_duration: int = 3600, policy: str | None = doc(allow()),
              tags: list | None = None) -> Role:
        role = create_role(caller or alice_root, role_name=name,
                           assume_role_policy_document=doc(*trust_statements),
                           max_session_duration=max_session_duration, tags=tags)
        if policy is not None:
            give(role, policy, name="permissions")
        return role

    return build


@pytest.fixture
def alice_user(alice_account):
    """An IAM user of alice-co allowed to assume any role."""
    user = make_iam_user(alice_account.account, "alice")
    give(user, doc(allow("sts:AssumeRole")))
    return user


@pytest.fixture
def bob_user(alice_account):
    """An IAM user of alice-co with no policy at all."""
    return make_iam_user(alice_account.account, "bob")


@pytest.fixture
def charlie_user(charlie_account):
    """An IAM user of charlie-co allowed to assume any role."""
    user = make_iam_user(charlie_account.account, "charlie")
    give(user, doc(allow("sts:AssumeRole")))
    return user
