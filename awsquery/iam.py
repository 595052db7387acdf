"""IAM actions on the account and its identities: each a route to one operation.

Adding an action is one line: its name, the operation's dotted path, and how
the operation's result becomes the output shape (see ``awsquery.results``).
"""

from __future__ import annotations

import io

import segno

from awsquery import results as r
from awsquery.registry import route

_OPS = "identities.operations"

# AWS's default quotas, reported by GetAccountSummary beside the account's counts.
_QUOTAS = {
    "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500,
    "GroupsPerUserQuota": 10, "AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2,
    "AttachedPoliciesPerUserQuota": 10, "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10, "UserPolicySizeQuota": 2048,
    "GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240, "PolicySizeQuota": 6144,
    "AssumeRolePolicySizeQuota": 2048, "VersionsPerPolicyQuota": 5,
    "PolicyVersionsInUseQuota": 10000, "ServerCertificatesQuota": 20,
    "InstanceProfilesQuota": 1000, "GlobalEndpointTokenVersion": 1,
}


def _summary(summary) -> dict:
    counts = {
        "Users": summary.users, "Groups": summary.groups, "Roles": summary.roles,
        "Policies": summary.policies, "MFADevices": summary.mfa_devices_in_use,
        "MFADevicesInUse": summary.mfa_devices_in_use,
        "AccountMFAEnabled": int(summary.account_mfa_enabled),
        "AccountAccessKeysPresent": int(summary.account_access_keys_present),
        "ServerCertificates": 0, "InstanceProfiles": 0, "Providers": 0,
        "AccountSigningCertificatesPresent": 0,
    }
    return {"SummaryMap": {**counts, **_QUOTAS}}


def _group_with_users(result) -> dict:
    return {"Group": r.group(result.group), "Users": [r.user(u) for u in result.users.items],
            "IsTruncated": result.users.is_truncated, "Marker": result.users.marker}


def _login_profile(profile) -> dict:
    return {"UserName": profile.user.name, "CreateDate": profile.created_at,
            "PasswordResetRequired": profile.password_reset_required}


def _key_metadata(key) -> dict:
    return {"UserName": key.user.name or None, "AccessKeyId": key.access_key_id,
            "Status": key.status, "CreateDate": key.created_at}


def _new_access_key(new) -> dict:
    return {"AccessKey": {**_key_metadata(new.key), "SecretAccessKey": new.secret_access_key}}


def _key_last_used(key) -> dict:
    # AWS answers "N/A" for a key that was never used.
    return {"UserName": key.user.name or None, "AccessKeyLastUsed": {
        "LastUsedDate": key.last_used_at, "ServiceName": key.last_used_service or "N/A",
        "Region": key.last_used_region or "N/A"}}


def _new_virtual_mfa(new) -> dict:
    device = new.device
    label = device.account_id
    url = new.otpauth_url(label, getattr(device, "name", "") or device.serial_number)
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=4)
    return {"VirtualMFADevice": {"SerialNumber": device.serial_number,
                                 "Base32StringSeed": new.base32_seed.encode("ascii"),
                                 "QRCodePNG": png.getvalue(),
                                 "Tags": r.tags(getattr(device, "tags", None))}}


def _mfa_device(device) -> dict:
    return {"UserName": device.user.name or None, "SerialNumber": device.serial_number,
            "EnableDate": device.enabled_at}


def _virtual_mfa_device(device) -> dict:
    return {"SerialNumber": device.serial_number,
            "User": r.user(device.user) if device.user is not None else None,
            "EnableDate": device.enabled_at, "Tags": r.tags(getattr(device, "tags", None))}


def _password_policy(policy) -> dict:
    return {"PasswordPolicy": {
        "MinimumPasswordLength": policy.minimum_password_length,
        "RequireSymbols": policy.require_symbols, "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase_characters,
        "RequireLowercaseCharacters": policy.require_lowercase_characters,
        "AllowUsersToChangePassword": policy.allow_users_to_change_password,
        "ExpirePasswords": policy.max_password_age is not None,
        "MaxPasswordAge": policy.max_password_age,
        "PasswordReusePrevention": policy.password_reuse_prevention,
        "HardExpiry": policy.hard_expiry,
    }}


def _authorization_details(page) -> dict:
    """One page of entries, each in the list of its kind."""
    lists: dict[str, list] = {"User": [], "Group": [], "Role": [], "Policy": []}
    for entry in page.items:
        lists[entry.kind].append(entry.fields)
    return {"UserDetailList": lists["User"], "GroupDetailList": lists["Group"],
            "RoleDetailList": lists["Role"], "Policies": lists["Policy"],
            "IsTruncated": page.is_truncated, "Marker": page.marker}


def _detailed_user(user) -> dict:
    return r.user(user, detail=True)


def _detailed_role(role) -> dict:
    return r.role(role, detail=True)


ROUTES = [
    # Account
    route("GetAccountSummary", f"{_OPS}.account:get_account_summary", _summary),
    route("GenerateCredentialReport", "audit.operations.reports:generate_credential_report",
          lambda r: {"State": r.state, "Description": r.description}),
    route("GetCredentialReport", "audit.operations.reports:get_credential_report",
          lambda r: {"Content": r.content, "ReportFormat": r.report_format,
                     "GeneratedTime": r.generated_time}),
    route("GetAccountAuthorizationDetails",
          f"{_OPS}.authorization_details:get_account_authorization_details",
          _authorization_details, paged_here=True),
    route("ListAccountAliases", f"{_OPS}.account:list_account_aliases",
          r.listing("AccountAliases"), paged_here=True),
    route("CreateAccountAlias", f"{_OPS}.account:create_account_alias"),
    route("DeleteAccountAlias", f"{_OPS}.account:delete_account_alias"),
    route("ChangePassword", f"{_OPS}.account:change_password"),
    route("GetAccountPasswordPolicy", f"{_OPS}.password_policy:get_account_password_policy",
          _password_policy),
    route("UpdateAccountPasswordPolicy",
          f"{_OPS}.password_policy:update_account_password_policy"),
    route("DeleteAccountPasswordPolicy",
          f"{_OPS}.password_policy:delete_account_password_policy"),
    # Users
    route("CreateUser", f"{_OPS}.users:create_user", r.wrap("User", _detailed_user)),
    route("GetUser", f"{_OPS}.users:get_user", r.wrap("User", _detailed_user)),
    route("ListUsers", f"{_OPS}.users:list_users", r.listing("Users", r.user)),
    route("UpdateUser", f"{_OPS}.users:update_user"),
    route("DeleteUser", f"{_OPS}.users:delete_user"),
    route("TagUser", f"{_OPS}.users:tag_user"),
    route("UntagUser", f"{_OPS}.users:untag_user"),
    route("ListUserTags", f"{_OPS}.users:list_user_tags", r.listing("Tags", r.tag),
          paged_here=True),
    # Groups
    route("CreateGroup", f"{_OPS}.groups:create_group", r.wrap("Group", r.group)),
    route("GetGroup", f"{_OPS}.groups:get_group", _group_with_users),
    route("ListGroups", f"{_OPS}.groups:list_groups", r.listing("Groups", r.group)),
    route("UpdateGroup", f"{_OPS}.groups:update_group"),
    route("DeleteGroup", f"{_OPS}.groups:delete_group"),
    route("AddUserToGroup", f"{_OPS}.groups:add_user_to_group"),
    route("RemoveUserFromGroup", f"{_OPS}.groups:remove_user_from_group"),
    route("ListGroupsForUser", f"{_OPS}.groups:list_groups_for_user",
          r.listing("Groups", r.group)),
    # Console passwords and access keys
    route("CreateLoginProfile", f"{_OPS}.credentials:create_login_profile",
          r.wrap("LoginProfile", _login_profile)),
    route("GetLoginProfile", f"{_OPS}.credentials:get_login_profile",
          r.wrap("LoginProfile", _login_profile)),
    route("UpdateLoginProfile", f"{_OPS}.credentials:update_login_profile"),
    route("DeleteLoginProfile", f"{_OPS}.credentials:delete_login_profile"),
    route("CreateAccessKey", f"{_OPS}.credentials:create_access_key", _new_access_key),
    route("ListAccessKeys", f"{_OPS}.credentials:list_access_keys",
          r.listing("AccessKeyMetadata", _key_metadata), paged_here=True),
    route("UpdateAccessKey", f"{_OPS}.credentials:update_access_key"),
    route("DeleteAccessKey", f"{_OPS}.credentials:delete_access_key"),
    route("GetAccessKeyLastUsed", f"{_OPS}.credentials:get_access_key_last_used", _key_last_used),
    # MFA devices
    route("CreateVirtualMFADevice", f"{_OPS}.mfa:create_virtual_mfa_device", _new_virtual_mfa),
    route("EnableMFADevice", f"{_OPS}.mfa:enable_mfa_device"),
    route("ResyncMFADevice", f"{_OPS}.mfa:resync_mfa_device"),
    route("DeactivateMFADevice", f"{_OPS}.mfa:deactivate_mfa_device"),
    route("DeleteVirtualMFADevice", f"{_OPS}.mfa:delete_virtual_mfa_device"),
    route("ListMFADevices", f"{_OPS}.mfa:list_mfa_devices", r.listing("MFADevices", _mfa_device),
          paged_here=True),
    route("ListVirtualMFADevices", f"{_OPS}.mfa:list_virtual_mfa_devices",
          r.listing("VirtualMFADevices", _virtual_mfa_device), paged_here=True),
    # Roles
    route("CreateRole", f"{_OPS}.roles:create_role", r.wrap("Role", _detailed_role)),
    route("GetRole", f"{_OPS}.roles:get_role", r.wrap("Role", _detailed_role)),
    route("ListRoles", f"{_OPS}.roles:list_roles", r.listing("Roles", r.role)),
    route("UpdateRole", f"{_OPS}.roles:update_role"),
    route("UpdateRoleDescription", f"{_OPS}.roles:update_role_description",
          r.wrap("Role", _detailed_role)),
    route("UpdateAssumeRolePolicy", f"{_OPS}.roles:update_assume_role_policy"),
    route("DeleteRole", f"{_OPS}.roles:delete_role"),
    route("TagRole", f"{_OPS}.roles:tag_role"),
    route("UntagRole", f"{_OPS}.roles:untag_role"),
    route("ListRoleTags", f"{_OPS}.roles:list_role_tags", r.listing("Tags", r.tag),
          paged_here=True),
]
