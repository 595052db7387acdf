"""The account password policy: GetAccountPasswordPolicy, UpdateAccountPasswordPolicy,
DeleteAccountPasswordPolicy."""

from __future__ import annotations

from audit.recording import operation
from core.caller import Caller
from core.errors import NoSuchEntity, ValidationError
from identities.models import PasswordPolicy
from policies.authz import authorize

# AWS's ranges for the numeric options.
LENGTH_RANGE = (6, 128)
AGE_RANGE = (1, 1095)
REUSE_RANGE = (1, 24)


def _in_range(value, bounds: tuple[int, int], field: str):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
            f"constraint: Member must have value between {bounds[0]} and {bounds[1]}")
    return value


@operation("iam:GetAccountPasswordPolicy")
def get_account_password_policy(caller: Caller) -> PasswordPolicy:
    """GetAccountPasswordPolicy (NoSuchEntity when the account uses the default)."""
    authorize(caller, "iam:GetAccountPasswordPolicy", "*")
    policy = PasswordPolicy.objects.filter(account_id=caller.account_id).first()
    if policy is None:
        raise NoSuchEntity(f"The Password Policy with domain name {caller.account_id} cannot be found.")
    return policy


@operation("iam:UpdateAccountPasswordPolicy")
def update_account_password_policy(
    caller: Caller, *, minimum_password_length: int | None = None,
    require_symbols: bool = False, require_numbers: bool = False,
    require_uppercase_characters: bool = False, require_lowercase_characters: bool = False,
    allow_users_to_change_password: bool = False, max_password_age: int | None = None,
    password_reuse_prevention: int | None = None, hard_expiry: bool = False,
) -> PasswordPolicy:
    """UpdateAccountPasswordPolicy: like AWS, options left out return to their defaults."""
    authorize(caller, "iam:UpdateAccountPasswordPolicy", "*")
    values = {
        "minimum_password_length": _in_range(minimum_password_length, LENGTH_RANGE,
                                             "minimumPasswordLength") or 6,
        "require_symbols": bool(require_symbols),
        "require_numbers": bool(require_numbers),
        "require_uppercase_characters": bool(require_uppercase_characters),
        "require_lowercase_characters": bool(require_lowercase_characters),
        "allow_users_to_change_password": bool(allow_users_to_change_password),
        "max_password_age": _in_range(max_password_age, AGE_RANGE, "maxPasswordAge"),
        "password_reuse_prevention": _in_range(password_reuse_prevention, REUSE_RANGE,
                                               "passwordReusePrevention"),
        "hard_expiry": bool(hard_expiry),
    }
    policy, _ = PasswordPolicy.objects.update_or_create(account_id=caller.account_id,
                                                        defaults=values)
    return policy


@operation("iam:DeleteAccountPasswordPolicy")
def delete_account_password_policy(caller: Caller) -> None:
    """DeleteAccountPasswordPolicy: back to the default policy."""
    authorize(caller, "iam:DeleteAccountPasswordPolicy", "*")
    deleted, _ = PasswordPolicy.objects.filter(account_id=caller.account_id).delete()
    if not deleted:
        raise NoSuchEntity(f"The Password Policy with domain name {caller.account_id} cannot be found.")
