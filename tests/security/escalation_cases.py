"""IAM privilege-escalation paths, each one permission short and with what AWS requires.

The paths are the IAM-only ones of the public catalogues: Rhino Security Labs'
"AWS IAM Privilege Escalation Methods" (and its part 2), Bishop Fox's
iam-vulnerable ("IAM Permissions on Other Users", "Permissions on Policies",
"Updating an AssumeRole Policy") and pathfinding.cloud; plus what this system
adds to them: boundaries, tag conditions and MFA devices. The paths that need
an AWS service to pass a role to (EC2, Lambda, Glue, CloudFormation, ...) have no
counterpart here: nothing in this system consumes ``iam:PassRole``
(test_escalation.py checks that).

A case is a scene (``setup``), ways of being one permission short (each makes
mallory's policies so), the policy AWS requires (``enough``), the attack through
the API (boto3 calls) and, where a console page offers it, through the console,
and ``gained``: whether mallory ended up with more than she had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from identities import services
from identities.models import AccessKey, LoginProfile, MFADevice
from identities.operations import groups, roles
from policies import operations as policy_ops
from tests.security.escalation_world import (
    ACCOUNT,
    ADMIN_ARN,
    NEW_PASSWORD,
    READ_ONLY_ARN,
    SEED,
    World,
    arn,
    codes,
    may_assume,
    role_can,
    trust_doc,
    user_can,
)
from tests.security.support import ADMIN, allow, deny, doc, set_inline

Prepare = Callable[[World], None]


@dataclass(frozen=True)
class Case:
    name: str
    setup: Prepare
    shorts: tuple[tuple[str, Prepare], ...]
    enough: Prepare
    api: Callable  # (world, iam, sts) -> list of zero-argument calls, all refused or all done
    gained: Callable[[World], bool]
    console: tuple[Callable[[World], tuple[str, dict]], ...] = ()


def _policy(*statements) -> Prepare:
    return lambda w: w.mallory_policy(*statements)


def _elsewhere(action: str, target: str, decoy: str, *extra) -> Prepare:
    """Everything else on the target, and the action itself on something else."""
    return _policy(allow(action, target, not_action=True), allow(action, decoy), *extra)


def _self_only(action: str, target: str, *extra) -> Prepare:
    """AWS's self-service pattern: the action on one's own user only."""
    return _policy(allow(action, f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"),
                   allow(action, target, not_action=True), *extra)


def _can_create_users(w: World) -> bool:
    return user_can(w.mallory, "iam:CreateUser")


def _managed(w: World, name: str, document: str) -> str:
    return policy_ops.create_policy(w.root, policy_name=name, policy_document=document).arn


# Permissions on policies --------------------------------------------------------------

def _own_policy(w: World) -> None:
    w.extra["own"] = _managed(w, "MalloryTools", doc(allow("iam:GetUser")))
    w.extra["decoy"] = _managed(w, "OtherTools", doc(allow("iam:GetUser")))
    policy_ops.attach_user_policy(w.root, user_name="mallory", policy_arn=w.extra["own"])


def _old_permissive_version(w: World) -> None:
    w.extra["own"] = _managed(w, "MalloryTools", ADMIN)
    w.extra["decoy"] = _managed(w, "OtherTools", doc(allow("iam:GetUser")))
    policy_ops.create_policy_version(w.root, policy_arn=w.extra["own"], set_as_default=True,
                                     policy_document=doc(allow("iam:GetUser")))
    policy_ops.attach_user_policy(w.root, user_name="mallory", policy_arn=w.extra["own"])


def _groups_and_roles(w: World) -> None:
    for name in ("devs", "ops"):
        groups.create_group(w.root, group_name=name)
    groups.add_user_to_group(w.root, group_name="devs", user_name="mallory")
    for name in ("Helper", "Decoy"):
        roles.create_role(w.root, role_name=name,
                          assume_role_policy_document=trust_doc(f"arn:aws:iam::{ACCOUNT}:root"))
    set_inline(roles.get_role(w.root, role_name="Helper"), doc(allow("iam:GetUser")))


_ASSUME = allow("sts:AssumeRole")


def _put(kind: str, target: str, decoy: str) -> Case:
    name = {"user": "mallory", "group": "devs", "role": "Helper"}[kind]
    action = f"iam:Put{kind.title()}Policy"
    gained = (lambda w: role_can("Helper", "iam:CreateUser")) if kind == "role" \
        else _can_create_users
    return Case(
        f"Put{kind.title()}Policy", _groups_and_roles,
        (("the action on another " + kind, _elsewhere(action, target, decoy, _ASSUME)),),
        _policy(allow(action, target), _ASSUME),
        lambda w, iam, sts: [lambda: getattr(iam, f"put_{kind}_policy")(
            **{f"{kind.title()}Name": name}, PolicyName="escalate", PolicyDocument=ADMIN)],
        gained)


def _attach(kind: str, target: str, decoy: str, url: str) -> Case:
    name = {"user": "mallory", "group": "devs", "role": "Helper"}[kind]
    action = f"iam:Attach{kind.title()}Policy"
    gained = (lambda w: role_can("Helper", "iam:CreateUser")) if kind == "role" \
        else _can_create_users
    shorts = [("the action on another " + kind, _elsewhere(action, target, decoy, _ASSUME))]
    if kind == "user":
        shorts.append(("only for read-only policies (iam:PolicyARN)", _policy(
            allow(action, target, {"ArnEquals": {"iam:PolicyARN": READ_ONLY_ARN}}))))
    return Case(
        f"Attach{kind.title()}Policy", _groups_and_roles, tuple(shorts),
        _policy(allow(action, target), _ASSUME),
        lambda w, iam, sts: [lambda: getattr(iam, f"attach_{kind}_policy")(
            **{f"{kind.title()}Name": name}, PolicyArn=ADMIN_ARN)],
        gained,
        (lambda w: (url, {"attach": ADMIN_ARN}),
         lambda w: (f"/iam/policy-entities/{ADMIN_ARN}", {"entity": f"{kind}:{name}",
                                                          "do": "attach"})))


POLICY_CASES = [
    Case("CreatePolicyVersion", _own_policy,
         (("the action on another policy", lambda w: _elsewhere(
             "iam:CreatePolicyVersion", w.extra["own"], w.extra["decoy"])(w)),),
         lambda w: w.mallory_policy(allow("iam:CreatePolicyVersion", w.extra["own"])),
         lambda w, iam, sts: [lambda: iam.create_policy_version(
             PolicyArn=w.extra["own"], PolicyDocument=ADMIN, SetAsDefault=True)],
         _can_create_users,
         (lambda w: (f"/iam/edit-policy/{w.extra['own']}", {"policy_document": ADMIN}),)),
    Case("SetDefaultPolicyVersion", _old_permissive_version,
         (("the action on another policy", lambda w: _elsewhere(
             "iam:SetDefaultPolicyVersion", w.extra["own"], w.extra["decoy"])(w)),),
         lambda w: w.mallory_policy(allow("iam:SetDefaultPolicyVersion", w.extra["own"])),
         lambda w, iam, sts: [lambda: iam.set_default_policy_version(
             PolicyArn=w.extra["own"], VersionId="v1")],
         _can_create_users,
         (lambda w: (f"/iam/policy-versions/{w.extra['own']}",
                     {"do": "default", "version_id": "v1"}),)),
    _attach("user", arn("user", "mallory"), arn("user", "boss"), "/iam/users/mallory/policies/"),
    _attach("group", arn("group", "devs"), arn("group", "ops"), "/iam/groups/devs/policies/"),
    _attach("role", arn("role", "Helper"), arn("role", "Decoy"), "/iam/roles/Helper/policies/"),
    _put("user", arn("user", "mallory"), arn("user", "boss")),
    _put("group", arn("group", "devs"), arn("group", "ops")),
    _put("role", arn("role", "Helper"), arn("role", "Decoy")),
]


# Permissions on other users' credentials -------------------------------------------------

def _boss_with_password(w: World) -> None:
    services.set_console_password(w.boss, "Initial-Harbor-Lantern-5")


def _boss_with_mfa(w: World) -> None:
    w.extra["serial"] = services.add_virtual_mfa_device(w.boss, name="boss-phone",
                                                        seed=SEED).serial_number


def _spare_device(w: World) -> None:
    w.extra["serial"] = services.add_virtual_mfa_device(w.mallory, name="spare", seed=SEED,
                                                        enabled=False).serial_number


def _credential(name: str, action: str, setup: Prepare, call: Callable, gained: Callable,
                console: tuple = (), extra: tuple = ()) -> Case:
    boss = arn("user", "boss")
    return Case(name, setup, (("the action on one's own user only",
                               _self_only(action, boss, *extra)),),
                _policy(allow(action, boss), *extra), call, gained, console)


_MFA_DELETE = allow("iam:DeleteVirtualMFADevice")

CREDENTIAL_CASES = [
    _credential("CreateAccessKey", "iam:CreateAccessKey", lambda w: None,
                lambda w, iam, sts: [lambda: iam.create_access_key(UserName="boss")],
                lambda w: AccessKey.objects.filter(user=w.boss).exists(),
                (lambda w: ("/iam/users/boss/access-keys/", {}),)),
    _credential("CreateLoginProfile", "iam:CreateLoginProfile", lambda w: None,
                lambda w, iam, sts: [lambda: iam.create_login_profile(
                    UserName="boss", Password=NEW_PASSWORD)],
                lambda w: w.fresh(w.boss).check_password(NEW_PASSWORD),
                (lambda w: ("/iam/users/boss/console-access/",
                            {"password_kind": "custom", "password": NEW_PASSWORD}),)),
    _credential("UpdateLoginProfile", "iam:UpdateLoginProfile", _boss_with_password,
                lambda w, iam, sts: [lambda: iam.update_login_profile(
                    UserName="boss", Password=NEW_PASSWORD)],
                lambda w: w.fresh(w.boss).check_password(NEW_PASSWORD),
                (lambda w: ("/iam/users/boss/console-access/",
                            {"do": "reset", "password_kind": "custom",
                             "password": NEW_PASSWORD}),)),
    _credential("DeactivateMFADevice", "iam:DeactivateMFADevice", _boss_with_mfa,
                lambda w, iam, sts: [lambda: iam.deactivate_mfa_device(
                    UserName="boss", SerialNumber=w.extra["serial"])],
                lambda w: not MFADevice.objects.filter(user=w.boss).exists(),
                (lambda w: ("/iam/users/boss/mfa/remove/", {"serial_number": w.extra["serial"]}),),
                extra=(_MFA_DELETE,)),
    _credential("EnableMFADevice", "iam:EnableMFADevice", _spare_device,
                lambda w, iam, sts: [lambda: iam.enable_mfa_device(
                    UserName="boss", SerialNumber=w.extra["serial"],
                    AuthenticationCode1=codes()[0], AuthenticationCode2=codes()[1])],
                lambda w: MFADevice.objects.filter(user=w.boss).exists()),
    _credential("ResyncMFADevice", "iam:ResyncMFADevice", _boss_with_mfa,
                lambda w, iam, sts: [lambda: iam.resync_mfa_device(
                    UserName="boss", SerialNumber=w.extra["serial"],
                    AuthenticationCode1=codes(ahead=3)[0], AuthenticationCode2=codes(ahead=3)[1])],
                lambda w: MFADevice.objects.get(serial_number=w.extra["serial"]).drift != 0),
]


# Groups, trust policies, boundaries and tags ---------------------------------------------

def _admin_group(w: World) -> None:
    _groups_and_roles(w)
    groups.create_group(w.root, group_name="admins")
    policy_ops.put_group_policy(w.root, group_name="admins", policy_name="all",
                                policy_document=ADMIN)


def _privileged_role(w: World) -> None:
    for name in ("Admin", "Decoy"):
        roles.create_role(w.root, role_name=name,
                          assume_role_policy_document=trust_doc(arn("user", "boss")))
    set_inline(roles.get_role(w.root, role_name="Admin"), ADMIN)


def _fenced(w: World, fence_actions: list[str]) -> None:
    """mallory may do everything, but her boundary allows only reads and ``fence_actions``."""
    fence = policy_ops.create_policy(w.root, policy_name="Fence", policy_document=doc(
        allow(["iam:Get*", "iam:List*", *fence_actions])))
    w.extra["fence"] = fence.arn
    w.extra["wide"] = _managed(w, "Wide", ADMIN)
    policy_ops.put_user_permissions_boundary(w.root, user_name="mallory",
                                             permissions_boundary=fence.arn)


def _tagged(w: World) -> None:
    from identities.operations import users

    users.tag_user(w.root, user_name="mallory", tags=[{"Key": "team", "Value": "dev"}])
    for name in ("Ops", "Decoy"):
        roles.create_role(w.root, role_name=name,
                          assume_role_policy_document=trust_doc(f"arn:aws:iam::{ACCOUNT}:root"))
    set_inline(roles.get_role(w.root, role_name="Ops"), ADMIN)


_TEAM_ADMINS = allow("*", "*", {"StringEquals": {"aws:PrincipalTag/team": "admins"}})
_TAGGED_ROLES = allow("sts:AssumeRole", "*",
                      {"StringEquals": {"aws:ResourceTag/access": "mallory"}})
_BOUNDARY_ACTIONS = ["iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"]
_NEW_TRUST = trust_doc(arn("user", "mallory"))

OTHER_CASES = [
    Case("AddUserToGroup", _admin_group,
         (("the action on another group",
           _elsewhere("iam:AddUserToGroup", arn("group", "admins"), arn("group", "ops"))),),
         _policy(allow("iam:AddUserToGroup", arn("group", "admins"))),
         lambda w, iam, sts: [lambda: iam.add_user_to_group(GroupName="admins",
                                                            UserName="mallory")],
         _can_create_users,
         (lambda w: ("/iam/groups/admins/members/", {"add": "mallory"}),
          lambda w: ("/iam/users/mallory/groups/", {"add": "admins"}))),
    Case("UpdateAssumeRolePolicy", _privileged_role,
         (("the action on another role", _elsewhere(
             "iam:UpdateAssumeRolePolicy", arn("role", "Admin"), arn("role", "Decoy"), _ASSUME)),),
         _policy(allow("iam:UpdateAssumeRolePolicy", arn("role", "Admin"))),
         lambda w, iam, sts: [
             lambda: iam.update_assume_role_policy(RoleName="Admin", PolicyDocument=_NEW_TRUST),
             lambda: sts.assume_role(RoleArn=arn("role", "Admin"), RoleSessionName="escalate")],
         lambda w: may_assume(w.mallory, "Admin"),
         (lambda w: ("/iam/roles/Admin/trust/", {"policy_document": _NEW_TRUST}),)),
    Case("DeleteUserPermissionsBoundary", lambda w: _fenced(w, _BOUNDARY_ACTIONS),
         (("an explicit deny on removing one's boundary", _policy(
             allow("*"), deny("iam:DeleteUserPermissionsBoundary", arn("user", "mallory")))),
          ("the boundary does not allow removing itself", lambda w: (
              _policy(allow("*"))(w), policy_ops.create_policy_version(
                  w.root, policy_arn=w.extra["fence"], set_as_default=True,
                  policy_document=doc(allow(["iam:Get*", "iam:List*"])))))),
         lambda w: (_policy(allow("*"))(w), policy_ops.set_default_policy_version(
             w.root, policy_arn=w.extra["fence"], version_id="v1")),
         lambda w, iam, sts: [lambda: iam.delete_user_permissions_boundary(UserName="mallory")],
         _can_create_users,
         (lambda w: ("/iam/users/mallory/policies/", {"boundary": "remove"}),)),
    Case("PutUserPermissionsBoundary", lambda w: _fenced(w, _BOUNDARY_ACTIONS),
         (("only the same boundary (iam:PermissionsBoundary)", lambda w: _policy(
             allow("iam:PutUserPermissionsBoundary", "*", not_action=True),
             allow("iam:PutUserPermissionsBoundary", arn("user", "mallory"),
                   {"StringEquals": {"iam:PermissionsBoundary": w.extra["fence"]}}))(w)),),
         _policy(allow("*")),
         lambda w, iam, sts: [lambda: iam.put_user_permissions_boundary(
             UserName="mallory", PermissionsBoundary=w.extra["wide"])],
         _can_create_users,
         (lambda w: ("/iam/users/mallory/policies/", {"boundary": w.extra["wide"]}),)),
    Case("TagUser (aws:PrincipalTag)", _tagged,
         (("tagging only other keys (aws:TagKeys)", _policy(_TEAM_ADMINS, allow(
             "iam:TagUser", arn("user", "mallory"),
             {"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}))),
          ("the action on another user", _policy(_TEAM_ADMINS,
                                                 allow("iam:TagUser", arn("user", "boss"))))),
         _policy(_TEAM_ADMINS, allow("iam:TagUser", arn("user", "mallory"))),
         lambda w, iam, sts: [lambda: iam.tag_user(UserName="mallory",
                                                   Tags=[{"Key": "team", "Value": "admins"}])],
         _can_create_users,
         (lambda w: ("/iam/users/mallory/tags/", {"key": "team", "value": "admins"}),)),
    Case("TagRole (aws:ResourceTag)", _tagged,
         (("the action on another role", _policy(_TAGGED_ROLES,
                                                allow("iam:TagRole", arn("role", "Decoy")))),),
         _policy(_TAGGED_ROLES, allow("iam:TagRole", arn("role", "Ops"))),
         lambda w, iam, sts: [
             lambda: iam.tag_role(RoleName="Ops", Tags=[{"Key": "access", "Value": "mallory"}]),
             lambda: sts.assume_role(RoleArn=arn("role", "Ops"), RoleSessionName="escalate")],
         lambda w: may_assume(w.mallory, "Ops"),
         (lambda w: ("/iam/roles/Ops/tags/", {"key": "access", "value": "mallory"}),)),
]

CASES = POLICY_CASES + CREDENTIAL_CASES + OTHER_CASES


def console_cases() -> list[tuple[Case, int]]:
    return [(case, index) for case in CASES for index in range(len(case.console))]


def has_login_profile(user) -> bool:
    return LoginProfile.objects.filter(user=user).exists()
