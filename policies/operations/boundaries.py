"""Permissions boundaries: Put/Delete {User,Role}PermissionsBoundary.

Both authorize on the user or role with ``iam:PermissionsBoundary`` in the
context: the policy being set, or the one being removed, so that a policy can
require ("iam:PermissionsBoundary": "...") that a boundary stays in place.
"""

from __future__ import annotations

from audit.recording import operation
from core.caller import Caller
from identities.lookups import find_role, find_user
from identities.models import User
from policies import boundaries, selectors, services


@operation("iam:PutUserPermissionsBoundary")
def put_user_permissions_boundary(caller: Caller, *, user_name: str,
                                  permissions_boundary: str) -> None:
    """PutUserPermissionsBoundary (on the user, iam:PermissionsBoundary = the policy ARN)."""
    services.parse_policy_arn(permissions_boundary)
    user = find_user(caller, user_name, "iam:PutUserPermissionsBoundary",
                     context={"iam:PermissionsBoundary": permissions_boundary}, for_update=True)
    policy = boundaries.boundary_policy(caller.account_id, permissions_boundary)
    boundaries.apply_boundary(user=user, policy=policy, account_id=caller.account_id)


@operation("iam:DeleteUserPermissionsBoundary")
def delete_user_permissions_boundary(caller: Caller, *, user_name: str) -> None:
    """DeleteUserPermissionsBoundary (on the user, iam:PermissionsBoundary = the current one).

    A user without a boundary is left as it is.
    """
    # Only read to fill the context; find_user authorizes before anything is revealed.
    current = selectors.boundary_arn_of(user__account_id=caller.account_id,
                                        user__kind=User.Kind.IAM, user__name__iexact=user_name)
    user = find_user(caller, user_name, "iam:DeleteUserPermissionsBoundary",
                     context={"iam:PermissionsBoundary": current} if current else None,
                     for_update=True)
    boundaries.remove_boundary(user=user, account_id=caller.account_id)


@operation("iam:PutRolePermissionsBoundary")
def put_role_permissions_boundary(caller: Caller, *, role_name: str,
                                  permissions_boundary: str) -> None:
    """PutRolePermissionsBoundary (on the role, iam:PermissionsBoundary = the policy ARN)."""
    services.parse_policy_arn(permissions_boundary)
    role = find_role(caller, role_name, "iam:PutRolePermissionsBoundary",
                     context={"iam:PermissionsBoundary": permissions_boundary}, for_update=True)
    policy = boundaries.boundary_policy(caller.account_id, permissions_boundary)
    boundaries.apply_boundary(role=role, policy=policy, account_id=caller.account_id)


@operation("iam:DeleteRolePermissionsBoundary")
def delete_role_permissions_boundary(caller: Caller, *, role_name: str) -> None:
    """DeleteRolePermissionsBoundary (on the role, iam:PermissionsBoundary = the current one)."""
    current = selectors.boundary_arn_of(role__account_id=caller.account_id,
                                        role__name__iexact=role_name)
    role = find_role(caller, role_name, "iam:DeleteRolePermissionsBoundary",
                     context={"iam:PermissionsBoundary": current} if current else None,
                     for_update=True)
    boundaries.remove_boundary(role=role, account_id=caller.account_id)
