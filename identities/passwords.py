"""Rules every new console password must meet, and generated passwords."""

from __future__ import annotations

import secrets
import string

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError as DjangoValidationError

from core.errors import PasswordPolicyViolation

MIN_LENGTH = 8
MAX_LENGTH = 128
# The symbols AWS's password policy counts.
SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")
_common = CommonPasswordValidator()


def account_policy(account):
    """The account's password policy row, or None for AWS's default policy."""
    from identities.models import PasswordPolicy

    if getattr(account, "pk", None) is None:
        return None
    return PasswordPolicy.objects.filter(account_id=account.pk).first()


def check_new_password(password: str, *, account, user_name: str = "",
                       current_hash_user=None, policy=None) -> None:
    """Refuse a password that breaks the account's password policy or our floor.

    The floor (8 to 128 characters, not common, not the account id, alias or
    user name) holds whatever the policy says. ``current_hash_user``: the new
    password must differ from that user's current one and, when the policy
    prevents reuse, from their earlier ones.
    """
    policy = policy if policy is not None else account_policy(account)
    problems: list[str] = []
    minimum = max(MIN_LENGTH, policy.minimum_password_length if policy else MIN_LENGTH)
    if len(password) < minimum:
        problems.append(f"at least {minimum} characters")
    if policy is not None:
        classes = [
            (policy.require_uppercase_characters, any(c.isupper() for c in password),
             "an uppercase letter"),
            (policy.require_lowercase_characters, any(c.islower() for c in password),
             "a lowercase letter"),
            (policy.require_numbers, any(c.isdigit() for c in password), "a number"),
            (policy.require_symbols, any(c in SYMBOLS for c in password),
             "a symbol (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')"),
        ]
        problems += [f"contain {name}" for required, present, name in classes
                     if required and not present]
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
    if current_hash_user is not None:
        if current_hash_user.check_password(password):
            problems.append("differ from the current password")
        elif policy is not None and policy.password_reuse_prevention:
            from django.contrib.auth.hashers import check_password

            earlier = current_hash_user.password_history.values_list("password", flat=True)
            recent = list(earlier[: policy.password_reuse_prevention])
            if any(check_password(password, encoded) for encoded in recent):
                problems.append(f"not be one of your last {policy.password_reuse_prevention} passwords")
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


EXPIRED = "expired"
EXPIRED_HARD = "expired-hard"


def expiry_state(user) -> str | None:
    """Whether an IAM user's console password has outlived the policy's maximum age."""
    from django.utils import timezone

    if user.is_root or not user.password_changed_at:
        return None
    policy = account_policy(user.account)
    if policy is None or not policy.max_password_age:
        return None
    age = timezone.now() - user.password_changed_at
    if age.days < policy.max_password_age:
        return None
    return EXPIRED_HARD if policy.hard_expiry else EXPIRED
