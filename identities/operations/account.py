"""Account-level operations: summary, alias, and the user's own password."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError

from audit.recording import operation
from core.caller import Caller
from core.errors import EntityAlreadyExists, InvalidInput, NoSuchEntity
from identities import services
from identities.models import (
    Account,
    Group,
    LoginProfile,
    MFADevice,
    PasswordPolicy,
    Role,
    User,
)
from identities.passwords import EXPIRED, check_new_password, expiry_state
from policies.authz import authorize, record_grant
from policies.models import ManagedPolicy


@dataclass(frozen=True)
class AccountSummary:
    users: int
    groups: int
    roles: int
    policies: int
    mfa_devices_in_use: int
    account_mfa_enabled: bool
    account_access_keys_present: bool


@operation("iam:GetAccountSummary")
def get_account_summary(caller: Caller) -> AccountSummary:
    """GetAccountSummary: counts of the account's entities (iam:GetAccountSummary on *)."""
    authorize(caller, "iam:GetAccountSummary", "*")
    return account_summary_counts(caller.account_id)


def account_summary_counts(account_id: str) -> AccountSummary:
    """The counts behind GetAccountSummary and the dashboard (no authorization here)."""
    users = User.objects.filter(account_id=account_id, kind=User.Kind.IAM)
    root = User.objects.get(account_id=account_id, kind=User.Kind.ROOT)
    return AccountSummary(
        users=users.count(),
        groups=Group.objects.filter(account_id=account_id).count(),
        roles=Role.objects.filter(account_id=account_id).count(),
        policies=ManagedPolicy.objects.filter(account_id=account_id).count(),
        mfa_devices_in_use=MFADevice.objects.filter(account_id=account_id, confirmed=True).count(),
        account_mfa_enabled=root.mfa_devices.filter(confirmed=True).exists(),
        account_access_keys_present=root.access_keys.exists(),
    )


@operation("iam:ListAccountAliases")
def list_account_aliases(caller: Caller) -> list[str]:
    """ListAccountAliases: the alias, if any (iam:ListAccountAliases on *)."""
    authorize(caller, "iam:ListAccountAliases", "*")
    alias = Account.objects.filter(pk=caller.account_id).values_list("alias", flat=True).first()
    return [alias] if alias else []


@operation("iam:CreateAccountAlias")
def create_account_alias(caller: Caller, *, account_alias: str) -> None:
    """CreateAccountAlias: set the alias used in the sign-in URL (replaces the old one)."""
    authorize(caller, "iam:CreateAccountAlias", "*")
    services.validate_alias(account_alias)
    taken = Account.objects.filter(alias=account_alias).exclude(pk=caller.account_id).exists()
    if taken:
        raise EntityAlreadyExists(f"The account alias {account_alias} already exists.")
    try:
        Account.objects.filter(pk=caller.account_id).update(alias=account_alias)
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"The account alias {account_alias} already exists.") from exc


@operation("iam:DeleteAccountAlias")
def delete_account_alias(caller: Caller, *, account_alias: str) -> None:
    """DeleteAccountAlias: remove the alias (NoSuchEntity when it is not this account's)."""
    authorize(caller, "iam:DeleteAccountAlias", "*")
    updated = Account.objects.filter(pk=caller.account_id, alias=account_alias).update(alias=None)
    if not updated:
        raise NoSuchEntity(f"The account alias {account_alias} cannot be found.")


@operation("iam:ChangePassword")
def change_password(caller: Caller, *, old_password: str, new_password: str) -> None:
    """ChangePassword: an IAM user changes their own console password.

    Authorized as iam:ChangePassword on the user's own ARN. A password reset
    forced at sign-in is part of signing in, as in AWS, and is allowed
    without a policy: the user cannot reach anything else until it is done.
    """
    user = caller.user
    if user is None or user.is_root or (caller.session is not None and caller.session.role_arn):
        raise InvalidInput("Only IAM users change their password with ChangePassword.")
    forced_reset = (LoginProfile.objects.filter(user=user, password_reset_required=True).exists()
                    or expiry_state(user) == EXPIRED)
    policy = PasswordPolicy.objects.filter(account_id=user.account_id).first()
    if forced_reset:
        record_grant(caller, "iam:ChangePassword", user.arn, "password reset required at sign-in")
    elif policy is not None and policy.allow_users_to_change_password:
        # AWS: this policy option lets every IAM user change their own password.
        record_grant(caller, "iam:ChangePassword", user.arn, "account password policy")
    else:
        authorize(caller, "iam:ChangePassword", user.arn)
    if not user.check_password(old_password):
        raise InvalidInput("The old password is incorrect.")
    check_new_password(new_password, account=user.account, user_name=user.name,
                       current_hash_user=user, policy=policy)
    services.change_own_password(user, new_password)
