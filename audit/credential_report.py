"""The credential report's CSV, column for column as AWS writes it.

AWS's conventions ("Getting credential reports", IAM User Guide):

- the root user's row comes first, named ``<root_account>``;
- timestamps are ISO 8601 in UTC with ``+00:00`` and whole seconds;
- booleans are ``true`` / ``false`` (lower case, as AWS's reports contain);
- ``not_supported`` for what the root user has no value for (password_enabled,
  password_last_changed, password_next_rotation);
- ``no_information`` for a password that exists but was never used to sign in;
- ``N/A`` for what does not apply (no password, no such key, key never used,
  no rotation policy, no signing certificate).

This system has no X.509 signing certificates, so cert_* are always false / N/A.
Reading the rows takes a constant number of queries however many users there are.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db.models import Prefetch
from django.db.models.functions import Lower

from identities.models import AccessKey, MFADevice, PasswordPolicy, User

COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
]

ROOT_NAME = "<root_account>"
NA = "N/A"
NO_INFORMATION = "no_information"
NOT_SUPPORTED = "not_supported"


def aws_time(value: datetime) -> str:
    """``2014-10-20T19:02:57+00:00``: the report's timestamp format."""
    return value.astimezone(dt_timezone.utc).replace(microsecond=0).isoformat()


def _bool(value: bool) -> str:
    return "true" if value else "false"


def render(account_id: str) -> str:
    """The whole report for ``account_id`` as CSV text (header, root row, then users)."""
    policy = PasswordPolicy.objects.filter(account_id=account_id).first()
    max_age = policy.max_password_age if policy and policy.max_password_age else None
    users = (User.objects.filter(account_id=account_id)
             .select_related("account", "login_profile")
             .prefetch_related(
                 Prefetch("access_keys", queryset=AccessKey.objects.order_by("created_at", "pk")),
                 Prefetch("mfa_devices", queryset=MFADevice.objects.filter(confirmed=True),
                          to_attr="enabled_mfa"))
             # The root first (kind "root" sorts before "user"), then users by name.
             .order_by("kind", Lower("name"), "pk"))
    out = io.StringIO()
    # AWS ends lines with "\n"; csv's default "\r\n" would differ byte for byte.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for user in users:
        writer.writerow(_row(user, max_age))
    return out.getvalue()


def _row(user: User, max_age: int | None) -> list[str]:
    if user.is_root:
        name, created = ROOT_NAME, user.account.created_at
        password = [NOT_SUPPORTED, _last_used(user.last_login), NOT_SUPPORTED, NOT_SUPPORTED]
    else:
        name, created = user.name, user.created_at
        password = _password_columns(user, max_age)
    keys = list(user.access_keys.all())[:2]
    row = [name, user.arn, aws_time(created), *password, _bool(bool(user.enabled_mfa))]
    for index in range(2):
        row += _key_columns(keys[index] if index < len(keys) else None)
    row += ["false", NA, "false", NA]  # no signing certificates in this system
    return row


def _password_columns(user: User, max_age: int | None) -> list[str]:
    profile = getattr(user, "login_profile", None)
    if profile is None:
        return ["false", NA, NA, NA]
    changed = user.password_changed_at or profile.created_at
    rotation = aws_time(changed + timedelta(days=max_age)) if max_age else NA
    return ["true", _last_used(user.last_login), aws_time(changed), rotation]


def _last_used(when: datetime | None) -> str:
    return aws_time(when) if when else NO_INFORMATION


def _key_columns(key: AccessKey | None) -> list[str]:
    """active, last_rotated, last_used_date, last_used_region, last_used_service."""
    if key is None:
        return ["false", NA, NA, NA, NA]
    used = key.last_used_at
    return [
        _bool(key.status == AccessKey.Status.ACTIVE),
        aws_time(key.created_at),
        aws_time(used) if used else NA,
        (key.last_used_region or NA) if used else NA,
        (key.last_used_service or NA) if used else NA,
    ]
