"""Rules every new console password must meet, and generated passwords."""

from __future__ import annotations

import secrets
import string

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError as DjangoValidationError

from core.errors import PasswordPolicyViolation

MIN_LENGTH = 8
MAX_LENGTH = 128
_common = CommonPasswordValidator()


def check_new_password(password: str, *, account, user_name: str = "",
                       current_hash_user=None) -> None:
    """Refuse a password that is too short or long, common, or about its owner.

    ``current_hash_user``: when given, the new password must differ from that
    user's current one.
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    lowered = password.lower()
    personal = {account.id, (account.alias or "").lower(), user_name.lower()} - {""}
    if any(word in lowered for word in personal if len(word) >= 3):
        problems.append("not contain the account id, alias or user name")
    try:
        _common.validate(password)
    except DjangoValidationError:
        problems.append("not be a commonly used password")
    if current_hash_user is not None and current_hash_user.check_password(password):
        problems.append("differ from the current password")
    if problems:
        raise PasswordPolicyViolation(
            "Password does not conform to the account password policy: it must "
            + "; ".join(problems) + "."
        )


def generate_password(length: int = 20) -> str:
    """A random password with every character class, as AWS's console makes."""
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%^&*()_+-=[]{}|'"]
    chars = [secrets.choice(group) for group in classes]
    pool = "".join(classes)
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
