"""Operations that serve whole policy pages of the console (see identities.operations.pages)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import Lower

from audit.recording import operation
from core.caller import Caller
from identities.operations.pages import Section, section
from policies import selectors
from policies.authz import authorize
from policies.models import ManagedPolicy, PermissionsBoundary, PolicyAttachment, PolicyVersion
from policies.operations._lookup import find_policy

PER_PAGE = 25
TYPES = {"aws": "AWS managed", "customer": "Customer managed"}
USES = {"permissions": "Permissions policy", "boundary": "Permissions boundary"}


@operation("iam:ListPolicies")
def policies_page(caller: Caller, *, search: str = "", policy_type: str = "", used_as: str = "",
                  page: int = 1) -> DjangoPage:
    """The Policies list: filter by name, by type and by use; paginate."""
    authorize(caller, "iam:ListPolicies", "*")
    rows = selectors.with_usage(selectors.visible_policies(caller.account_id), caller.account_id)
    if policy_type == "aws":
        rows = rows.filter(account__isnull=True)
    elif policy_type == "customer":
        rows = rows.filter(account_id=caller.account_id)
    if used_as == "permissions":
        rows = rows.filter(attachment_count__gt=0)
    elif used_as == "boundary":
        rows = rows.filter(permissions_boundary_usage_count__gt=0)
    if search.strip():
        rows = rows.filter(name__icontains=search.strip()[:128])
    return Paginator(rows.order_by(Lower("name"), "pk"), PER_PAGE).get_page(page)


@dataclass
class PolicyDetails:
    policy: ManagedPolicy
    versions: Section
    entities: Section
    boundary_of: Section


@operation("iam:GetPolicy")
def policy_details(caller: Caller, *, policy_arn: str) -> PolicyDetails:
    """A policy's detail page: its document, versions and the entities that use it."""
    policy = find_policy(caller, policy_arn, "iam:GetPolicy", usage=True)
    account = caller.account_id
    # AWS managed policies are attached in every account: show this account's only.
    in_account = (Q(user__account_id=account) | Q(group__account_id=account)
                  | Q(role__account_id=account))
    return PolicyDetails(
        policy=policy,
        versions=section(caller, "iam:ListPolicyVersions", policy.arn,
                          lambda: PolicyVersion.objects.filter(policy=policy).order_by("-created_at")),
        entities=section(caller, "iam:ListEntitiesForPolicy", policy.arn,
                          lambda: PolicyAttachment.objects.filter(in_account, policy=policy)
                          .select_related("user", "group", "role")),
        boundary_of=section(caller, "iam:ListEntitiesForPolicy", policy.arn,
                             lambda: PermissionsBoundary.objects.filter(
                                 Q(user__account_id=account) | Q(role__account_id=account),
                                 policy=policy).select_related("user", "role")),
    )


def can_create_policy(caller: Caller) -> None:
    """Open the create-policy page only to those who may create one somewhere."""
    authorize(caller, "iam:CreatePolicy", f"arn:aws:iam::{caller.account_id}:policy/*")
