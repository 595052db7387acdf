"""GetAccountAuthorizationDetails: every user, group, role and managed policy of the
account with the policies each holds, in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from audit.recording import operation
from core.caller import Caller
from identities.models import Group, GroupMembership, Role, User
from policies import selectors
from policies.authz import authorize
from policies.models import (
    InlinePolicy,
    ManagedPolicy,
    PermissionsBoundary,
    PolicyAttachment,
    PolicyVersion,
)

KINDS = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")


@dataclass(frozen=True)
class Detail:
    """One entry of the answer: which list it belongs to, and its fields."""

    kind: str  # "User", "Group", "Role" or "Policy"
    fields: dict


@operation("iam:GetAccountAuthorizationDetails")
def get_account_authorization_details(caller: Caller, *, filter: list[str] | None = None
                                      ) -> list[Detail]:
    """GetAccountAuthorizationDetails (iam:GetAccountAuthorizationDetails on *)."""
    authorize(caller, "iam:GetAccountAuthorizationDetails", "*")
    wanted = set(filter or KINDS)
    account = caller.account_id
    details: list[Detail] = []
    if "User" in wanted:
        details += _users(account)
    if "Group" in wanted:
        details += _groups(account)
    if "Role" in wanted:
        details += _roles(account)
    if wanted & {"LocalManagedPolicy", "AWSManagedPolicy"}:
        details += _policies(account, wanted)
    return details


def _inline(field: str, account: str) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = defaultdict(list)
    rows = InlinePolicy.objects.filter(**{f"{field}__account_id": account}).order_by("name")
    for row in rows.values(f"{field}_id", "name", "document"):
        found[row[f"{field}_id"]].append({"PolicyName": row["name"],
                                          "PolicyDocument": row["document"]})
    return found


def _attached(field: str, account: str) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = defaultdict(list)
    rows = (PolicyAttachment.objects.filter(**{f"{field}__account_id": account})
            .select_related("policy").order_by("policy__name"))
    for row in rows:
        found[getattr(row, f"{field}_id")].append({"PolicyName": row.policy.name,
                                                   "PolicyArn": row.policy.arn})
    return found


def _boundaries(field: str, account: str) -> dict[int, dict]:
    rows = (PermissionsBoundary.objects.filter(**{f"{field}__account_id": account})
            .select_related("policy"))
    return {getattr(row, f"{field}_id"): {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                          "PermissionsBoundaryArn": row.policy.arn}
            for row in rows}


def _users(account: str) -> list[Detail]:
    inline, attached = _inline("user", account), _attached("user", account)
    boundaries = _boundaries("user", account)
    groups: dict[int, list[str]] = defaultdict(list)
    for user_id, name in (GroupMembership.objects.filter(user__account_id=account)
                          .order_by("group__name").values_list("user_id", "group__name")):
        groups[user_id].append(name)
    return [Detail("User", {
        "Path": user.path, "UserName": user.name, "UserId": user.user_id, "Arn": user.arn,
        "CreateDate": user.created_at, "UserPolicyList": inline.get(user.pk, []),
        "GroupList": groups.get(user.pk, []), "AttachedManagedPolicies": attached.get(user.pk, []),
        "PermissionsBoundary": boundaries.get(user.pk), "Tags": user.tags or None,
    }) for user in User.objects.filter(account_id=account, kind=User.Kind.IAM).order_by("name")]


def _groups(account: str) -> list[Detail]:
    inline, attached = _inline("group", account), _attached("group", account)
    return [Detail("Group", {
        "Path": group.path, "GroupName": group.name, "GroupId": group.group_id, "Arn": group.arn,
        "CreateDate": group.created_at, "GroupPolicyList": inline.get(group.pk, []),
        "AttachedManagedPolicies": attached.get(group.pk, []),
    }) for group in Group.objects.filter(account_id=account).order_by("name")]


def _roles(account: str) -> list[Detail]:
    inline, attached = _inline("role", account), _attached("role", account)
    boundaries = _boundaries("role", account)
    return [Detail("Role", {
        "Path": role.path, "RoleName": role.name, "RoleId": role.role_id, "Arn": role.arn,
        "CreateDate": role.created_at, "AssumeRolePolicyDocument": role.trust_policy,
        "InstanceProfileList": [], "RolePolicyList": inline.get(role.pk, []),
        "AttachedManagedPolicies": attached.get(role.pk, []),
        "PermissionsBoundary": boundaries.get(role.pk), "Tags": role.tags or None,
        "RoleLastUsed": ({"LastUsedDate": role.last_used_at, "Region": role.last_used_region}
                         if role.last_used_at else {}),
    }) for role in Role.objects.filter(account_id=account).order_by("name")]


def _policies(account: str, wanted: set[str]) -> list[Detail]:
    scope = Q()
    if "LocalManagedPolicy" in wanted:
        scope |= Q(account_id=account)
    if "AWSManagedPolicy" in wanted:
        # AWS lists only the AWS managed policies in use in the account.
        scope |= Q(account__isnull=True)
    rows = selectors.with_usage(ManagedPolicy.objects.filter(scope), account).order_by("name")
    if "AWSManagedPolicy" in wanted:
        rows = rows.filter(Q(account_id=account) | Q(attachment_count__gt=0)
                           | Q(permissions_boundary_usage_count__gt=0))
    policies = list(rows)
    versions: dict[int, list[dict]] = defaultdict(list)
    for version in (PolicyVersion.objects.filter(policy__in=[p.pk for p in policies])
                    .order_by("-created_at")):
        versions[version.policy_id].append({
            "Document": version.document, "VersionId": version.version_id,
            "IsDefaultVersion": version.is_default, "CreateDate": version.created_at})
    return [Detail("Policy", {
        "PolicyName": policy.name, "PolicyId": policy.policy_id, "Arn": policy.arn,
        "Path": policy.path, "DefaultVersionId": policy.default_version_id,
        "AttachmentCount": policy.attachment_count,
        "PermissionsBoundaryUsageCount": policy.permissions_boundary_usage_count,
        "IsAttachable": True, "Description": policy.description or None,
        "CreateDate": policy.created_at, "UpdateDate": policy.updated_at,
        "PolicyVersionList": versions.get(policy.pk, []),
    }) for policy in policies]
