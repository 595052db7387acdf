"""Operations that serve whole console pages.

A console page shows what several AWS read actions return. Each page is one
operation: it authorizes the page's main action (which must be allowed), then
each section's own action (a refused section shows AWS's message in place,
as the AWS console does), and records one event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator

from audit.recording import operation, record
from core.caller import Caller
from core.errors import AccessDenied, InvalidInput
from identities import selectors
from identities.lookups import acting_as_role, caller_account, find_group, find_user
from identities.models import AccessKey, Group, LoginProfile, MFADevice, User
from policies.authz import authorize

PER_PAGE = 25


@dataclass
class Section:
    """What one tab or panel shows, or why the caller may not see it."""

    rows: list = field(default_factory=list)
    denied: str = ""


def section(caller: Caller, action: str, resource: str, load) -> Section:
    try:
        authorize(caller, action, resource)
    except AccessDenied as refused:
        # The page goes on, but the refusal is in the event history like any other.
        record(caller, action, outcome=refused.code, resources=[resource],
               error_message=refused.message)
        return Section(denied=refused.message)
    return Section(rows=list(load()))


@operation("iam:ListUsers")
def users_page(caller: Caller, *, search: str = "", sort: str = "name", page: int = 1,
               security_filter: str = "", days: int = 90) -> DjangoPage:
    """The Users list: filter by name or access key id, or by a security finding
    (no MFA, old or unused keys, never signed in); sort; paginate."""
    from audit.filters import apply_user_filter

    authorize(caller, "iam:ListUsers", f"arn:aws:iam::{caller.account_id}:user/")
    rows = selectors.user_rows(caller.account_id, search=search[:128], sort=sort)
    rows = apply_user_filter(rows, security_filter, days)
    return Paginator(rows, PER_PAGE).get_page(page)


@dataclass
class UserDetails:
    user: User
    login_profile: LoginProfile | None
    groups: Section
    attached: Section
    inline: Section
    via_groups: Section
    boundary: object | None
    access_keys: Section
    mfa_devices: Section
    policy_choices: Section

    @property
    def permission_count(self) -> int:
        return len(self.attached.rows) + len(self.inline.rows) + len(self.via_groups.rows)


@operation("iam:GetUser")
def user_details(caller: Caller, *, user_name: str) -> UserDetails:
    """A user's detail page: summary, permissions, groups, tags, credentials."""
    from policies.models import InlinePolicy, PermissionsBoundary, PolicyAttachment

    user = find_user(caller, user_name, "iam:GetUser")
    arn = user.arn
    return UserDetails(
        user=user,
        login_profile=LoginProfile.objects.filter(user=user).first(),
        groups=section(caller, "iam:ListGroupsForUser", arn,
                        lambda: Group.objects.filter(memberships__user=user).order_by("name")),
        attached=section(caller, "iam:ListAttachedUserPolicies", arn,
                          lambda: PolicyAttachment.objects.filter(user=user)
                          .select_related("policy").order_by("policy__name")),
        inline=section(caller, "iam:ListUserPolicies", arn,
                        lambda: InlinePolicy.objects.filter(user=user).order_by("name")),
        via_groups=section(caller, "iam:ListGroupsForUser", arn, lambda: _group_policies(user)),
        boundary=PermissionsBoundary.objects.filter(user=user).select_related("policy").first(),
        access_keys=section(caller, "iam:ListAccessKeys", arn,
                             lambda: AccessKey.objects.filter(user=user).order_by("created_at")),
        mfa_devices=section(caller, "iam:ListMFADevices", arn,
                             lambda: MFADevice.objects.filter(user=user, confirmed=True)),
        policy_choices=section(caller, "iam:ListPolicies", "*", lambda: _policy_choices(caller)),
    )


def _policy_choices(caller: Caller):
    from policies.selectors import visible_policies

    return visible_policies(caller.account_id).order_by("name")[:1000]


@operation("iam:ListGroups")
def groups_page(caller: Caller, *, search: str = "", page: int = 1) -> DjangoPage:
    """The User groups list."""
    authorize(caller, "iam:ListGroups", f"arn:aws:iam::{caller.account_id}:group/")
    return Paginator(selectors.group_rows(caller.account_id, search=search[:128]),
                     PER_PAGE).get_page(page)


@dataclass
class GroupDetails:
    group: Group
    members: list
    attached: Section
    inline: Section
    addable_users: list
    policy_choices: Section

    @property
    def permission_count(self) -> int:
        return len(self.attached.rows) + len(self.inline.rows)


@operation("iam:GetGroup")
def group_details(caller: Caller, *, group_name: str) -> GroupDetails:
    """A group's detail page: members and permissions."""
    from policies.models import InlinePolicy, PolicyAttachment

    group = find_group(caller, group_name, "iam:GetGroup")
    members = list(User.objects.filter(memberships__group=group).order_by("name"))
    member_ids = {user.pk for user in members}
    addable = [u for u in User.objects.filter(account_id=caller.account_id, kind=User.Kind.IAM)
               .order_by("name")[:500] if u.pk not in member_ids]
    return GroupDetails(
        group=group,
        members=members,
        attached=section(caller, "iam:ListAttachedGroupPolicies", group.arn,
                          lambda: PolicyAttachment.objects.filter(group=group)
                          .select_related("policy").order_by("policy__name")),
        inline=section(caller, "iam:ListGroupPolicies", group.arn,
                        lambda: InlinePolicy.objects.filter(group=group).order_by("name")),
        addable_users=addable,
        policy_choices=section(caller, "iam:ListPolicies", "*", lambda: _policy_choices(caller)),
    )


def _group_policies(user: User) -> list[dict]:
    """Policies a user holds through groups: (group, policy name, type, ARN or None)."""
    from policies.models import InlinePolicy, PolicyAttachment

    rows = [{"group": a.group.name, "name": a.policy.name, "kind": "AWS managed"
             if a.policy.is_aws_managed else "Customer managed", "arn": a.policy.arn}
            for a in PolicyAttachment.objects.filter(group__memberships__user=user)
            .select_related("group", "policy")]
    rows += [{"group": p.group.name, "name": p.name, "kind": "Customer inline", "arn": None}
             for p in InlinePolicy.objects.filter(group__memberships__user=user)
             .select_related("group")]
    return sorted(rows, key=lambda row: (row["name"].lower(), row["group"].lower()))


@dataclass
class ChoiceLists:
    """The pickers of the create wizards: groups, users to copy from, policies."""

    groups: Section
    users: Section
    policies: Section


@operation("iam:ListPolicies")
def permission_choices(caller: Caller) -> ChoiceLists:
    """What the create-user and create-group wizards offer to pick from."""
    account = caller.account_id
    authorize(caller, "iam:ListPolicies", "*")
    return ChoiceLists(
        groups=section(caller, "iam:ListGroups", f"arn:aws:iam::{account}:group/",
                        lambda: Group.objects.filter(account_id=account).order_by("name")[:500]),
        users=section(caller, "iam:ListUsers", f"arn:aws:iam::{account}:user/",
                       lambda: User.objects.filter(account_id=account, kind=User.Kind.IAM)
                       .order_by("name")[:500]),
        policies=Section(rows=list(_policy_choices(caller))),
    )


@dataclass
class OwnCredentials:
    identity: User
    is_root: bool
    login_profile: LoginProfile | None
    mfa_devices: Section
    access_keys: Section
    password_policy: Section


@operation("iam:ListAccessKeys")
def own_credentials(caller: Caller) -> OwnCredentials:
    """The Security credentials page of the signed-in identity (root or IAM user)."""
    from identities.models import PasswordPolicy

    if acting_as_role(caller):
        raise InvalidInput("You are using a role. Switch back to manage your own credentials.")
    me = caller.user
    arn = me.arn
    return OwnCredentials(
        identity=me,
        is_root=caller.is_root,
        login_profile=None if caller.is_root else LoginProfile.objects.filter(user=me).first(),
        mfa_devices=section(caller, "iam:ListMFADevices", arn,
                             lambda: MFADevice.objects.filter(user=me, confirmed=True)),
        access_keys=section(caller, "iam:ListAccessKeys", arn,
                             lambda: AccessKey.objects.filter(user=me).order_by("created_at")),
        password_policy=section(caller, "iam:GetAccountPasswordPolicy", "*",
                                 lambda: PasswordPolicy.objects.filter(account_id=caller.account_id)),
    )


def can_assign_mfa(caller: Caller, *, device_name: str) -> None:
    """Refuse the MFA setup page unless the caller may create and enable a device."""
    from identities.operations.mfa import mfa_arn

    authorize(caller, "iam:CreateVirtualMFADevice", mfa_arn(caller.account_id, device_name))
    authorize(caller, "iam:EnableMFADevice", caller.user.arn)


@dataclass
class Dashboard:
    summary: Section
    aliases: Section


@operation("iam:GetAccountSummary")
def dashboard(caller: Caller) -> Dashboard:
    """The IAM dashboard: a refused widget shows AWS's message instead of the page failing."""
    from identities.operations.account import account_summary_counts

    return Dashboard(
        summary=section(caller, "iam:GetAccountSummary", "*",
                         lambda: [account_summary_counts(caller.account_id)]),
        aliases=section(caller, "iam:ListAccountAliases", "*",
                         lambda: [a for a in [caller_account(caller).alias] if a]),
    )


@operation("iam:ListRoles")
def roles_page(caller: Caller, *, search: str = "", page: int = 1) -> DjangoPage:
    """The Roles list."""
    from django.db.models.functions import Lower

    from identities.models import Role

    authorize(caller, "iam:ListRoles", f"arn:aws:iam::{caller.account_id}:role/")
    rows = Role.objects.filter(account_id=caller.account_id)
    if search.strip():
        rows = rows.filter(name__icontains=search.strip()[:128])
    return Paginator(rows.order_by(Lower("name"), "pk"), PER_PAGE).get_page(page)


@dataclass
class RoleDetails:
    role: object
    attached: Section
    inline: Section
    boundary: object | None
    policy_choices: Section

    @property
    def permission_count(self) -> int:
        return len(self.attached.rows) + len(self.inline.rows)


@operation("iam:GetRole")
def role_details(caller: Caller, *, role_name: str) -> RoleDetails:
    """A role's detail page: summary, permissions, trust relationships, tags."""
    from identities.lookups import find_role
    from policies.models import InlinePolicy, PermissionsBoundary, PolicyAttachment

    role = find_role(caller, role_name, "iam:GetRole")
    return RoleDetails(
        role=role,
        attached=section(caller, "iam:ListAttachedRolePolicies", role.arn,
                          lambda: PolicyAttachment.objects.filter(role=role)
                          .select_related("policy").order_by("policy__name")),
        inline=section(caller, "iam:ListRolePolicies", role.arn,
                        lambda: InlinePolicy.objects.filter(role=role).order_by("name")),
        boundary=PermissionsBoundary.objects.filter(role=role).select_related("policy").first(),
        policy_choices=section(caller, "iam:ListPolicies", "*", lambda: _policy_choices(caller)),
    )
