"""Authorize-then-fetch for managed policies named by ARN, and small shared helpers."""

from __future__ import annotations

from core.caller import Caller
from core.errors import AccessDenied, NoSuchEntity, ValidationError
from core.pagination import Page
from identities.lookups import resource_tags
from policies import selectors, services
from policies.authz import authorize
from policies.models import ManagedPolicy


def find_policy(caller: Caller, policy_arn: str, action: str, *, context: dict | None = None,
                for_update: bool = False, usage: bool = False) -> ManagedPolicy:
    """The managed policy ``policy_arn`` names, after ``action`` is authorized on it.

    Authorization comes before existence, as for users (identities.lookups). An
    ARN in another account is authorized as the same name in the caller's own
    account: a caller without permission gets AccessDenied, one with permission
    gets NoSuchEntity, and nobody learns whether the other account has it.
    """
    arn = services.parse_policy_arn(policy_arn)
    policy = selectors.policy_by_arn(caller.account_id, arn, for_update=for_update, usage=usage)
    if policy is not None:
        resource = policy.arn
    elif arn.is_aws_managed or arn.account == caller.account_id:
        resource = arn.text
    else:
        resource = arn.in_account(caller.account_id)
    if policy is not None and policy.tags:
        context = {**resource_tags(policy.tags), **(context or {})}
    authorize(caller, action, resource, context=context)
    if policy is None:
        raise NoSuchEntity(f"Policy {policy_arn} was not found.")
    return policy


def refuse_aws_managed(caller: Caller, policy: ManagedPolicy, action: str) -> None:
    """AWS managed policies are read-only for every account, root included.

    AWS answers such a write with AccessDenied ("...is not authorized to perform:
    iam:DeletePolicy on resource: policy arn:aws:iam::aws:policy/..."); the
    engine would allow it (AWS managed ARNs count as the caller's own account),
    so the refusal is made here, after the caller's own permission was checked.
    """
    if policy.is_aws_managed:
        raise AccessDenied(
            f"User: {caller.principal_arn} is not authorized to perform: {action} on resource: "
            f"policy {policy.arn} because AWS managed policies cannot be changed",
            action=action, resource=policy.arn, principal_arn=caller.principal_arn)


def check_enum(value, allowed: tuple[str, ...], field: str) -> None:
    """AWS's ValidationError for a value outside an enumeration (None means "not given")."""
    if value is not None and value not in allowed:
        raise ValidationError(f"1 validation error detected: Value '{value}' at '{field}' failed "
                              "to satisfy constraint: Member must satisfy enum value set: "
                              f"[{', '.join(allowed)}]")


def mapped(page: Page, convert) -> Page:
    """The same page with each item converted (rows to the values AWS returns)."""
    return Page(items=[convert(item) for item in page.items], is_truncated=page.is_truncated,
                marker=page.marker)


def tag_context(tags: list | None) -> dict:
    """aws:RequestTag/<key> and aws:TagKeys for tag-based conditions."""
    if not tags:
        return {}
    context: dict = {"aws:TagKeys": [t.get("Key", "") for t in tags if isinstance(t, dict)]}
    for tag in tags:
        if isinstance(tag, dict) and isinstance(tag.get("Key"), str):
            context[f"aws:RequestTag/{tag['Key']}"] = str(tag.get("Value", ""))
    return context
