"""Managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy and their tags."""

from __future__ import annotations

from django.db.models import Q

from audit.recording import operation
from core.caller import Caller
from core.errors import DeleteConflict, EntityAlreadyExists
from core.pagination import Page, paginate
from identities import validation
from policies import selectors, services
from policies.authz import authorize
from policies.engine import PolicyKind
from policies.models import ManagedPolicy, PermissionsBoundary, PolicyAttachment, PolicyVersion
from policies.operations._lookup import check_enum, find_policy, refuse_aws_managed, tag_context

SCOPES = ("All", "AWS", "Local")
USAGE_FILTERS = ("PermissionsPolicy", "PermissionsBoundary")


@operation("iam:CreatePolicy")
def create_policy(caller: Caller, *, policy_name: str, policy_document: str, path: str = "/",
                  description: str = "", tags: list | None = None) -> ManagedPolicy:
    """CreatePolicy (iam:CreatePolicy on the new policy's ARN; iam:TagPolicy when tagged).

    The document is checked as a managed policy (6,144 characters without
    whitespace); it becomes version v1, the default.
    """
    validation.name(policy_name, field="policyName", max_length=128)
    path = validation.path(path)
    arn = services.policy_arn(caller.account_id, path, policy_name)
    authorize(caller, "iam:CreatePolicy", arn, context=tag_context(tags))
    if tags:
        authorize(caller, "iam:TagPolicy", arn, context=tag_context(tags))
    clean_description = services.description(description)
    clean_tags = validation.tags(tags)
    services.check_document(policy_document, PolicyKind.MANAGED)
    taken = ManagedPolicy.objects.filter(account_id=caller.account_id, name__iexact=policy_name)
    if taken.exists():
        raise EntityAlreadyExists(
            f"A policy called {policy_name} already exists. Duplicate names are not allowed.")
    return services.create_managed_policy(account_id=caller.account_id, name=policy_name, path=path,
                                          description=clean_description, document=policy_document,
                                          tags=clean_tags)


@operation("iam:GetPolicy")
def get_policy(caller: Caller, *, policy_arn: str) -> ManagedPolicy:
    """GetPolicy (iam:GetPolicy on the policy ARN), with this account's usage counts."""
    return find_policy(caller, policy_arn, "iam:GetPolicy", usage=True)


@operation("iam:ListPolicies")
def list_policies(caller: Caller, *, scope: str = "All", only_attached: bool = False,
                  path_prefix: str | None = None, policy_usage_filter: str | None = None,
                  marker: str | None = None, max_items: int | None = None) -> Page:
    """ListPolicies (iam:ListPolicies on *): this account's and AWS's managed policies.

    ``policy_usage_filter`` keeps the policies in use that way in this account
    (attached as a permissions policy, or set as a boundary); ``only_attached``
    keeps those in use at all. Each item carries ``attachment_count`` and
    ``permissions_boundary_usage_count``, counted in the same single query.
    """
    check_enum(scope or "All", SCOPES, "scope")
    check_enum(policy_usage_filter, USAGE_FILTERS, "policyUsageFilter")
    prefix = validation.path_prefix(path_prefix)
    size = validation.max_items(max_items)
    authorize(caller, "iam:ListPolicies", "*")
    if scope == "AWS":
        rows = ManagedPolicy.objects.filter(account__isnull=True)
    elif scope == "Local":
        rows = ManagedPolicy.objects.filter(account_id=caller.account_id)
    else:
        rows = selectors.visible_policies(caller.account_id)
    rows = selectors.with_usage(rows.filter(path__startswith=prefix), caller.account_id)
    if policy_usage_filter == "PermissionsPolicy":
        rows = rows.filter(attachment_count__gt=0)
    elif policy_usage_filter == "PermissionsBoundary":
        rows = rows.filter(permissions_boundary_usage_count__gt=0)
    if only_attached:
        rows = rows.filter(Q(attachment_count__gt=0) | Q(permissions_boundary_usage_count__gt=0))
    return paginate(rows, marker=marker, max_items=size)


@operation("iam:DeletePolicy")
def delete_policy(caller: Caller, *, policy_arn: str) -> None:
    """DeletePolicy (iam:DeletePolicy on the policy ARN).

    Refused with DeleteConflict while the policy is attached to any user, group
    or role, used as a boundary, or has versions besides the default, as in AWS.
    """
    policy = find_policy(caller, policy_arn, "iam:DeletePolicy", for_update=True)
    refuse_aws_managed(caller, policy, "iam:DeletePolicy")
    # The row lock makes a concurrent attach wait for this check (see attachments).
    if (PolicyAttachment.objects.filter(policy=policy).exists()
            or PermissionsBoundary.objects.filter(policy=policy).exists()):
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    if PolicyVersion.objects.filter(policy=policy, is_default=False).exists():
        raise DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete "
            "the policy's versions. The default version is deleted with the policy.")
    # Nobody holds it, so no cached policy set changes: no bump needed.
    policy.delete()


@operation("iam:TagPolicy")
def tag_policy(caller: Caller, *, policy_arn: str, tags: list) -> None:
    """TagPolicy: add or overwrite tags (at most 50) on a customer managed policy."""
    policy = find_policy(caller, policy_arn, "iam:TagPolicy", context=tag_context(tags),
                         for_update=True)
    refuse_aws_managed(caller, policy, "iam:TagPolicy")
    policy.tags = validation.tags(tags, existing=policy.tags)
    policy.save(update_fields=["tags"])


@operation("iam:UntagPolicy")
def untag_policy(caller: Caller, *, policy_arn: str, tag_keys: list[str]) -> None:
    """UntagPolicy: remove tags by key (iam:UntagPolicy with aws:TagKeys)."""
    policy = find_policy(caller, policy_arn, "iam:UntagPolicy",
                         context={"aws:TagKeys": list(tag_keys or [])}, for_update=True)
    refuse_aws_managed(caller, policy, "iam:UntagPolicy")
    policy.tags = validation.untag(policy.tags, tag_keys or [])
    policy.save(update_fields=["tags"])


@operation("iam:ListPolicyTags")
def list_policy_tags(caller: Caller, *, policy_arn: str) -> list[dict]:
    """ListPolicyTags (iam:ListPolicyTags on the policy ARN)."""
    return list(find_policy(caller, policy_arn, "iam:ListPolicyTags").tags)
