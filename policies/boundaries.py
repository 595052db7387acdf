"""Permissions boundaries: the managed policy that caps a user's or a role's permissions.

``set_boundary`` is the service CreateUser (and CreateRole) use when the request
names a boundary: it authorizes ``iam:Put{User,Role}PermissionsBoundary`` on the
entity with ``iam:PermissionsBoundary`` in the context, exactly as the
Put*PermissionsBoundary operations do, so that a caller who could not set a
boundary afterwards cannot set one at creation either.
"""

from __future__ import annotations

from core.caller import Caller
from core.errors import NoSuchEntity
from policies import policyset, selectors, services
from policies.authz import authorize
from policies.models import ManagedPolicy, PermissionsBoundary


def boundary_policy(account_id: str, policy_arn: str) -> ManagedPolicy:
    """The managed policy to use as a boundary: this account's own or an AWS managed one."""
    arn = services.parse_policy_arn(policy_arn)
    policy = selectors.policy_by_arn(account_id, arn)
    if policy is None:
        raise NoSuchEntity(f"Scope ARN: {policy_arn} does not exist or is not attachable.")
    return policy


def apply_boundary(*, user=None, role=None, policy: ManagedPolicy, account_id: str) -> None:
    """Make ``policy`` the boundary of ``user`` or ``role`` (replacing any other)."""
    owner = {"user": user} if user is not None else {"role": role}
    PermissionsBoundary.objects.update_or_create(**owner, defaults={"policy": policy})
    policyset.bump(account_id)


def remove_boundary(*, user=None, role=None, account_id: str) -> bool:
    """Remove the boundary of ``user`` or ``role``; False when it had none."""
    owner = {"user": user} if user is not None else {"role": role}
    deleted, _ = PermissionsBoundary.objects.filter(**owner).delete()
    if deleted:
        policyset.bump(account_id)
    return bool(deleted)


def set_boundary(caller: Caller, *, user=None, role=None, policy_arn: str) -> ManagedPolicy:
    """Authorize and set a boundary on an entity the caller has just created.

    Authorizes iam:PutUserPermissionsBoundary (or iam:PutRolePermissionsBoundary)
    on the entity's ARN with ``iam:PermissionsBoundary`` = ``policy_arn``; the
    policy must be this account's or AWS managed (NoSuchEntity otherwise).
    """
    if (user is None) == (role is None):
        raise ValueError("set_boundary needs exactly one of user or role")
    services.parse_policy_arn(policy_arn)
    entity = user if user is not None else role
    action = ("iam:PutUserPermissionsBoundary" if user is not None
              else "iam:PutRolePermissionsBoundary")
    authorize(caller, action, entity.arn, context={"iam:PermissionsBoundary": policy_arn})
    policy = boundary_policy(caller.account_id, policy_arn)
    apply_boundary(user=user, role=role, policy=policy, account_id=caller.account_id)
    return policy
