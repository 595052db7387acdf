"""ListEntitiesForPolicy: the users, groups and roles of this account that use a policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from audit.recording import operation
from core.caller import Caller
from core.errors import InvalidInput
from core.pagination import paginate
from identities import validation
from policies.models import ManagedPolicy, PermissionsBoundary, PolicyAttachment
from policies.operations._lookup import check_enum, find_policy

ENTITY_FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
USAGE_FILTERS = ("PermissionsPolicy", "PermissionsBoundary")
# Marker prefixes for the two tables walked one after the other.
_ATTACHED, _BOUNDARY = "A", "B"


@dataclass(frozen=True)
class EntitiesForPolicy:
    """ListEntitiesForPolicy's result: model rows of this account, one marker for all three."""

    policy_groups: list = field(default_factory=list)
    policy_users: list = field(default_factory=list)
    policy_roles: list = field(default_factory=list)
    is_truncated: bool = False
    marker: str | None = None


def _rows(model, policy: ManagedPolicy, account_id: str, kinds: tuple[str, ...],
          prefix: str) -> QuerySet:
    # AWS managed policies are attached in every account: only this account's
    # entities are listed, as AWS does.
    mine = Q()
    for kind in kinds:
        mine |= Q(**{f"{kind}__account_id": account_id, f"{kind}__path__startswith": prefix})
    return model.objects.filter(mine, policy=policy).select_related(*kinds)


def _kinds(entity_filter: str | None, policy: ManagedPolicy) -> tuple[str, ...]:
    if entity_filter in ("User", "Group", "Role"):
        return (entity_filter.lower(),)
    if entity_filter == "LocalManagedPolicy" and policy.is_aws_managed:
        return ()
    if entity_filter == "AWSManagedPolicy" and not policy.is_aws_managed:
        return ()
    return ("user", "group", "role")


@operation("iam:ListEntitiesForPolicy")
def list_entities_for_policy(caller: Caller, *, policy_arn: str, entity_filter: str | None = None,
                             path_prefix: str | None = None, policy_usage_filter: str | None = None,
                             marker: str | None = None, max_items: int | None = None
                             ) -> EntitiesForPolicy:
    """ListEntitiesForPolicy (iam:ListEntitiesForPolicy on the policy ARN).

    Entities that have the policy attached come first, then those that use it
    as their permissions boundary (``policy_usage_filter`` keeps one kind only).
    """
    check_enum(entity_filter, ENTITY_FILTERS, "entityFilter")
    check_enum(policy_usage_filter, USAGE_FILTERS, "policyUsageFilter")
    prefix = validation.path_prefix(path_prefix)
    remaining = validation.max_items(max_items)
    policy = find_policy(caller, policy_arn, "iam:ListEntitiesForPolicy")
    kinds = _kinds(entity_filter, policy)
    phases: list[tuple[str, QuerySet]] = []
    if kinds and policy_usage_filter != "PermissionsBoundary":
        phases.append((_ATTACHED, _rows(PolicyAttachment, policy, caller.account_id, kinds,
                                        prefix)))
    boundary_kinds = tuple(kind for kind in kinds if kind != "group")
    if boundary_kinds and policy_usage_filter != "PermissionsPolicy":
        phases.append((_BOUNDARY, _rows(PermissionsBoundary, policy, caller.account_id,
                                        boundary_kinds, prefix)))
    if marker and (marker[0] not in (_ATTACHED, _BOUNDARY)
                   or marker[0] not in [tag for tag, _ in phases]):
        raise InvalidInput("Invalid Marker.")
    start, inner = (marker[0], marker[1:] or None) if marker else (None, None)
    rows: list = []
    truncated, next_marker = False, None
    for index, (tag, queryset) in enumerate(phases):
        if start is not None and tag < start:
            continue
        page = paginate(queryset, marker=inner if tag == start else None, max_items=remaining,
                        order=("id",))
        rows.extend(page.items)
        remaining -= len(page.items)
        if page.is_truncated:
            truncated, next_marker = True, tag + page.marker
            break
        following = phases[index + 1] if index + 1 < len(phases) else None
        if remaining == 0 and following is not None:
            if following[1].exists():
                truncated, next_marker = True, following[0]
            break
    result = EntitiesForPolicy(is_truncated=truncated, marker=next_marker)
    for row in rows:
        if row.user_id:
            result.policy_users.append(row.user)
        elif getattr(row, "group_id", None):
            result.policy_groups.append(row.group)
        else:
            result.policy_roles.append(row.role)
    return result
