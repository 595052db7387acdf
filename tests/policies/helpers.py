"""Builders for the policy tests: documents, callers, groups and roles, and a
snapshot of every policy row to prove that a refused call changed nothing."""

from __future__ import annotations

import json
from typing import Any

from core import ids
from core.caller import Caller
from identities.models import Account, Group, GroupMembership, Role, User
from policies import policyset
from policies.authz import authorize
from policies.models import (
    InlinePolicy,
    ManagedPolicy,
    PermissionsBoundary,
    PolicyAttachment,
    PolicyVersion,
)

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
OWN_CREDENTIALS_MFA = "arn:aws:iam::aws:policy/IAMManageOwnCredentialsWithMFA"
TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def caller_for(user: User, **context) -> Caller:
    return Caller.for_user(user, **context)


def allowed(caller: Caller, action: str, resource: str, **context) -> bool:
    """The engine's answer for ``caller`` right now (a fresh Caller: no shared state)."""
    from core.errors import AccessDenied

    try:
        authorize(Caller.for_user(caller.user, mfa_authenticated_at=caller.mfa_authenticated_at),
                  action, resource, context=context or None)
    except AccessDenied:
        return False
    return True


def make_group(account: Account, name: str, *members: User, path: str = "/") -> Group:
    """A group with members, as AddUserToGroup would leave it (policy generation bumped)."""
    group = Group.objects.create(account=account, name=name, path=path,
                                 group_id=ids.unique_id(ids.GROUP_PREFIX))
    for member in members:
        GroupMembership.objects.create(group=group, user=member)
    policyset.bump(account.id)
    return group


def make_role(account: Account, name: str, *, path: str = "/") -> Role:
    return Role.objects.create(account=account, name=name, path=path,
                               role_id=ids.unique_id(ids.ROLE_PREFIX), trust_policy=TRUST_EC2)


def policy_state() -> dict:
    """Every row a policy operation could change, and every account's generation."""
    return {
        "policies": list(ManagedPolicy.objects.order_by("pk").values()),
        "versions": list(PolicyVersion.objects.order_by("pk").values()),
        "attachments": list(PolicyAttachment.objects.order_by("pk").values()),
        "inline": list(InlinePolicy.objects.order_by("pk").values()),
        "boundaries": list(PermissionsBoundary.objects.order_by("pk").values()),
        "generations": list(Account.objects.order_by("pk").values_list("pk", "policy_generation")),
    }
