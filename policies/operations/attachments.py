"""Attaching managed policies: Attach/Detach/ListAttached {User,Group,Role}Policies.

Attach and Detach authorize on the user, group or role with ``iam:PolicyARN`` in
the context, as AWS does, so that a policy can say which policies a caller may
hand out. Each principal holds at most ten managed policies (AWS's default
quotas PoliciesPerUser, PoliciesPerGroup, PoliciesPerRole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F

from audit.recording import operation
from core.caller import Caller
from core.errors import LimitExceeded, NoSuchEntity
from core.pagination import Page, paginate
from identities import validation
from identities.lookups import find_group, find_role, find_user
from policies import policyset, selectors, services
from policies.models import PolicyAttachment
from policies.operations._lookup import mapped

MAX_ATTACHED = 10


@dataclass(frozen=True)
class AttachedPolicy:
    """An item of ListAttached*Policies."""

    policy_name: str
    policy_arn: str


@dataclass(frozen=True)
class _Holder:
    field: str  # the PolicyAttachment column: "user", "group" or "role"
    noun: str  # as in the action names: "User", "Group", "Role"
    find: Callable


USER = _Holder("user", "User", find_user)
GROUP = _Holder("group", "Group", find_group)
ROLE = _Holder("role", "Role", find_role)


def _attach(caller: Caller, holder: _Holder, entity_name: str, policy_arn: str) -> None:
    arn = services.parse_policy_arn(policy_arn)
    # Locking the principal serializes attachments to it, so the quota holds.
    entity = holder.find(caller, entity_name, f"iam:Attach{holder.noun}Policy",
                         context={"iam:PolicyARN": policy_arn}, for_update=True)
    # Locking a customer policy makes a concurrent DeletePolicy wait for (and then
    # see) this attachment; AWS managed policies cannot be deleted.
    policy = selectors.policy_by_arn(caller.account_id, arn, for_update=not arn.is_aws_managed)
    if policy is None:
        raise NoSuchEntity(f"Policy {policy_arn} does not exist or is not attachable.")
    owner = {holder.field: entity}
    if PolicyAttachment.objects.filter(policy=policy, **owner).exists():
        return  # attaching an attached policy succeeds and changes nothing, as in AWS
    if PolicyAttachment.objects.filter(**owner).count() >= MAX_ATTACHED:
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPer{holder.noun}: {MAX_ATTACHED}")
    PolicyAttachment.objects.create(policy=policy, **owner)
    policyset.bump(caller.account_id)


def _detach(caller: Caller, holder: _Holder, entity_name: str, policy_arn: str) -> None:
    arn = services.parse_policy_arn(policy_arn)
    entity = holder.find(caller, entity_name, f"iam:Detach{holder.noun}Policy",
                         context={"iam:PolicyARN": policy_arn})
    policy = selectors.policy_by_arn(caller.account_id, arn)
    deleted = 0
    if policy is not None:
        deleted, _ = (PolicyAttachment.objects.filter(policy=policy, **{holder.field: entity})
                      .delete())
    if not deleted:
        raise NoSuchEntity(f"Policy {policy_arn} was not found.")
    policyset.bump(caller.account_id)


def _list_attached(caller: Caller, holder: _Holder, entity_name: str, path_prefix: str | None,
                   marker: str | None, max_items: int | None) -> Page:
    prefix = validation.path_prefix(path_prefix)
    size = validation.max_items(max_items)
    entity = holder.find(caller, entity_name, f"iam:ListAttached{holder.noun}Policies")
    rows = (PolicyAttachment.objects
            .filter(**{holder.field: entity}, policy__path__startswith=prefix)
            .select_related("policy").annotate(policy_name=F("policy__name")))
    page = paginate(rows, marker=marker, max_items=size, order=("policy_name", "id"))
    return mapped(page, lambda row: AttachedPolicy(row.policy.name, row.policy.arn))


@operation("iam:AttachUserPolicy")
def attach_user_policy(caller: Caller, *, user_name: str, policy_arn: str) -> None:
    """AttachUserPolicy (iam:AttachUserPolicy on the user, iam:PolicyARN in the context)."""
    _attach(caller, USER, user_name, policy_arn)


@operation("iam:DetachUserPolicy")
def detach_user_policy(caller: Caller, *, user_name: str, policy_arn: str) -> None:
    """DetachUserPolicy (iam:DetachUserPolicy on the user, iam:PolicyARN in the context)."""
    _detach(caller, USER, user_name, policy_arn)


@operation("iam:ListAttachedUserPolicies")
def list_attached_user_policies(caller: Caller, *, user_name: str, path_prefix: str | None = None,
                                marker: str | None = None, max_items: int | None = None) -> Page:
    """ListAttachedUserPolicies (iam:ListAttachedUserPolicies on the user): AttachedPolicy items."""
    return _list_attached(caller, USER, user_name, path_prefix, marker, max_items)


@operation("iam:AttachGroupPolicy")
def attach_group_policy(caller: Caller, *, group_name: str, policy_arn: str) -> None:
    """AttachGroupPolicy (iam:AttachGroupPolicy on the group, iam:PolicyARN in the context)."""
    _attach(caller, GROUP, group_name, policy_arn)


@operation("iam:DetachGroupPolicy")
def detach_group_policy(caller: Caller, *, group_name: str, policy_arn: str) -> None:
    """DetachGroupPolicy (iam:DetachGroupPolicy on the group, iam:PolicyARN in the context)."""
    _detach(caller, GROUP, group_name, policy_arn)


@operation("iam:ListAttachedGroupPolicies")
def list_attached_group_policies(caller: Caller, *, group_name: str, path_prefix: str | None = None,
                                 marker: str | None = None, max_items: int | None = None) -> Page:
    """ListAttachedGroupPolicies (iam:ListAttachedGroupPolicies on the group)."""
    return _list_attached(caller, GROUP, group_name, path_prefix, marker, max_items)


@operation("iam:AttachRolePolicy")
def attach_role_policy(caller: Caller, *, role_name: str, policy_arn: str) -> None:
    """AttachRolePolicy (iam:AttachRolePolicy on the role, iam:PolicyARN in the context)."""
    _attach(caller, ROLE, role_name, policy_arn)


@operation("iam:DetachRolePolicy")
def detach_role_policy(caller: Caller, *, role_name: str, policy_arn: str) -> None:
    """DetachRolePolicy (iam:DetachRolePolicy on the role, iam:PolicyARN in the context)."""
    _detach(caller, ROLE, role_name, policy_arn)


@operation("iam:ListAttachedRolePolicies")
def list_attached_role_policies(caller: Caller, *, role_name: str, path_prefix: str | None = None,
                                marker: str | None = None, max_items: int | None = None) -> Page:
    """ListAttachedRolePolicies (iam:ListAttachedRolePolicies on the role)."""
    return _list_attached(caller, ROLE, role_name, path_prefix, marker, max_items)
