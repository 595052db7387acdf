"""Inline policies: Put/Get/List/Delete {User,Group,Role}Policy.

AWS limits the *sum* of a principal's inline policies, not each one: 2,048
characters for a user, 5,120 for a group, 10,240 for a role, whitespace not
counted. Put checks the total with the new document in place of any old one
of the same name, with the principal's row locked so that two concurrent Puts
cannot both fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from audit.recording import operation
from core.caller import Caller
from core.errors import LimitExceeded, NoSuchEntity
from core.pagination import Page, paginate
from identities import validation
from identities.lookups import find_group, find_role, find_user
from policies import policyset, selectors, services
from policies.engine import PolicyKind, policy_size
from policies.models import InlinePolicy
from policies.operations._lookup import mapped


@dataclass(frozen=True)
class _Holder:
    field: str  # the InlinePolicy column
    noun: str  # as in the action names
    kind: PolicyKind
    find: Callable


USER = _Holder("user", "User", PolicyKind.USER_INLINE, find_user)
GROUP = _Holder("group", "Group", PolicyKind.GROUP_INLINE, find_group)
ROLE = _Holder("role", "Role", PolicyKind.ROLE_INLINE, find_role)


def _policy_name(value: str) -> str:
    return validation.name(value, field="policyName", max_length=128)


def _put(caller: Caller, holder: _Holder, entity_name: str, policy_name: str,
         policy_document: str) -> None:
    _policy_name(policy_name)
    entity = holder.find(caller, entity_name, f"iam:Put{holder.noun}Policy", for_update=True)
    owner = {holder.field: entity}
    if isinstance(policy_document, str):
        others = selectors.inline_size(exclude_name=policy_name, **owner)
        if others + policy_size(policy_document) > holder.kind.max_size:
            raise LimitExceeded(f"Maximum policy size of {holder.kind.max_size} bytes exceeded for "
                                f"{holder.field} {entity.name}")
    services.check_document(policy_document, holder.kind)
    InlinePolicy.objects.update_or_create(**owner, name=policy_name,
                                          defaults={"document": policy_document})
    policyset.bump(caller.account_id)


def _inline(holder: _Holder, entity, policy_name: str) -> InlinePolicy:
    row = InlinePolicy.objects.filter(**{holder.field: entity}, name=policy_name).first()
    if row is None:
        raise NoSuchEntity(f"The {holder.field} policy with name {policy_name} cannot be found.")
    return row


def _get(caller: Caller, holder: _Holder, entity_name: str, policy_name: str) -> InlinePolicy:
    _policy_name(policy_name)
    entity = holder.find(caller, entity_name, f"iam:Get{holder.noun}Policy")
    return _inline(holder, entity, policy_name)


def _delete(caller: Caller, holder: _Holder, entity_name: str, policy_name: str) -> None:
    _policy_name(policy_name)
    entity = holder.find(caller, entity_name, f"iam:Delete{holder.noun}Policy")
    _inline(holder, entity, policy_name).delete()
    policyset.bump(caller.account_id)


def _list(caller: Caller, holder: _Holder, entity_name: str, marker: str | None,
          max_items: int | None) -> Page:
    size = validation.max_items(max_items)
    entity = holder.find(caller, entity_name, f"iam:List{holder.noun}Policies")
    rows = InlinePolicy.objects.filter(**{holder.field: entity})
    return mapped(paginate(rows, marker=marker, max_items=size), lambda row: row.name)


@operation("iam:PutUserPolicy")
def put_user_policy(caller: Caller, *, user_name: str, policy_name: str,
                    policy_document: str) -> None:
    """PutUserPolicy (iam:PutUserPolicy on the user): create or replace an inline policy."""
    _put(caller, USER, user_name, policy_name, policy_document)


@operation("iam:GetUserPolicy")
def get_user_policy(caller: Caller, *, user_name: str, policy_name: str) -> InlinePolicy:
    """GetUserPolicy (iam:GetUserPolicy on the user): the document as stored."""
    return _get(caller, USER, user_name, policy_name)


@operation("iam:ListUserPolicies")
def list_user_policies(caller: Caller, *, user_name: str, marker: str | None = None,
                       max_items: int | None = None) -> Page:
    """ListUserPolicies (iam:ListUserPolicies on the user): inline policy names."""
    return _list(caller, USER, user_name, marker, max_items)


@operation("iam:DeleteUserPolicy")
def delete_user_policy(caller: Caller, *, user_name: str, policy_name: str) -> None:
    """DeleteUserPolicy (iam:DeleteUserPolicy on the user)."""
    _delete(caller, USER, user_name, policy_name)


@operation("iam:PutGroupPolicy")
def put_group_policy(caller: Caller, *, group_name: str, policy_name: str,
                     policy_document: str) -> None:
    """PutGroupPolicy (iam:PutGroupPolicy on the group): create or replace an inline policy."""
    _put(caller, GROUP, group_name, policy_name, policy_document)


@operation("iam:GetGroupPolicy")
def get_group_policy(caller: Caller, *, group_name: str, policy_name: str) -> InlinePolicy:
    """GetGroupPolicy (iam:GetGroupPolicy on the group): the document as stored."""
    return _get(caller, GROUP, group_name, policy_name)


@operation("iam:ListGroupPolicies")
def list_group_policies(caller: Caller, *, group_name: str, marker: str | None = None,
                        max_items: int | None = None) -> Page:
    """ListGroupPolicies (iam:ListGroupPolicies on the group): inline policy names."""
    return _list(caller, GROUP, group_name, marker, max_items)


@operation("iam:DeleteGroupPolicy")
def delete_group_policy(caller: Caller, *, group_name: str, policy_name: str) -> None:
    """DeleteGroupPolicy (iam:DeleteGroupPolicy on the group)."""
    _delete(caller, GROUP, group_name, policy_name)


@operation("iam:PutRolePolicy")
def put_role_policy(caller: Caller, *, role_name: str, policy_name: str,
                    policy_document: str) -> None:
    """PutRolePolicy (iam:PutRolePolicy on the role): create or replace an inline policy."""
    _put(caller, ROLE, role_name, policy_name, policy_document)


@operation("iam:GetRolePolicy")
def get_role_policy(caller: Caller, *, role_name: str, policy_name: str) -> InlinePolicy:
    """GetRolePolicy (iam:GetRolePolicy on the role): the document as stored."""
    return _get(caller, ROLE, role_name, policy_name)


@operation("iam:ListRolePolicies")
def list_role_policies(caller: Caller, *, role_name: str, marker: str | None = None,
                       max_items: int | None = None) -> Page:
    """ListRolePolicies (iam:ListRolePolicies on the role): inline policy names."""
    return _list(caller, ROLE, role_name, marker, max_items)


@operation("iam:DeleteRolePolicy")
def delete_role_policy(caller: Caller, *, role_name: str, policy_name: str) -> None:
    """DeleteRolePolicy (iam:DeleteRolePolicy on the role)."""
    _delete(caller, ROLE, role_name, policy_name)
