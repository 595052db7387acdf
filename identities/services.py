"""Work that operations, commands and tasks share. Nothing here authorizes:
callers are operations (which authorize first) or the operator's commands."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import ids
from core.errors import EntityAlreadyExists, InvalidInput, ValidationError
from identities import validation
from identities.models import Account, LoginProfile, MFADevice, PasswordHistory, User
from identities.passwords import check_new_password

ALIAS_PATTERN = re.compile(r"^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$")
ACCOUNT_ID_PATTERN = re.compile(r"^[0-9]{12}$")
# Words the sign-in URLs use for their own pages (/signin/mfa/ and so on).
RESERVED_ALIASES = {"mfa", "reauthenticate", "change-password"}
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")


def validate_alias(alias: str) -> str:
    """AWS's alias rule: 3-63 lowercase letters, digits and single hyphens."""
    if not (3 <= len(alias) <= 63) or not ALIAS_PATTERN.match(alias):
        raise ValidationError(
            "The account alias must be 3 to 63 characters: lowercase letters, digits "
            "and hyphens, starting and ending with a letter or digit."
        )
    if alias in RESERVED_ALIASES:
        raise ValidationError(f"The account alias {alias} is reserved by the console.")
    if alias.isdigit():
        raise ValidationError("The account alias cannot be only digits: it would look like an account id.")
    return alias


@dataclass(frozen=True)
class NewAccount:
    account: Account
    root: User
    root_password: str


def create_account(*, email: str, password: str | None = None, name: str = "",
                   account_id: str | None = None, alias: str | None = None) -> NewAccount:
    """Create an account and its root user (sign-up and ``createaccount``)."""
    email = (email or "").strip()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise InvalidInput("Enter a valid email address for the root user.")
    if account_id is not None and not ACCOUNT_ID_PATTERN.match(account_id):
        raise InvalidInput("An account id is 12 digits.")
    if alias:
        validate_alias(alias)
    generated = password is None
    password = password if password is not None else root_password()
    account_stub = Account(id=account_id or "000000000000", alias=alias)
    if not generated:
        check_new_password(password, account=account_stub, user_name=email.split("@")[0])
    try:
        with transaction.atomic():
            if User.objects.filter(kind=User.Kind.ROOT, email__iexact=email).exists():
                raise EntityAlreadyExists("An account with this root email already exists.")
            if alias and Account.objects.filter(alias=alias).exists():
                raise EntityAlreadyExists(f"The account alias {alias} is already taken.")
            account = Account.objects.create(
                id=account_id or _free_account_id(), alias=alias or None,
                name=(name or email.split("@")[0])[:50],
            )
            root = User(account=account, kind=User.Kind.ROOT, email=email.lower(),
                        user_id=account.id, password_changed_at=timezone.now())
            root.set_password(password)
            root.save()
    except IntegrityError as exc:
        raise EntityAlreadyExists("That account id, alias or root email already exists.") from exc
    return NewAccount(account=account, root=root, root_password=password)


def _free_account_id() -> str:
    for _ in range(20):
        candidate = ids.account_id()
        if not Account.objects.filter(id=candidate).exists():
            return candidate
    raise RuntimeError("could not find a free account id")


def root_password() -> str:
    # Long and random enough to need no policy check; URL-safe to paste.
    return secrets.token_urlsafe(18)


def new_iam_user(account: Account, name: str, *, path: str = "/") -> User:
    """An IAM user row with no console password yet."""
    validation.name(name, field="userName")
    user = User(account=account, kind=User.Kind.IAM, name=name, path=path,
                user_id=ids.unique_id(ids.USER_PREFIX))
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"User with name {name} already exists.") from exc
    return user


def _remember_old_password(user: User) -> None:
    """Keep the hash being replaced, for the policy's reuse-prevention rule (24 at most)."""
    if user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[24:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def set_console_password(user: User, password: str, *, reset_required: bool = False) -> LoginProfile:
    """Give ``user`` console access with ``password`` (login profile created or updated)."""
    _remember_old_password(user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    profile, _ = LoginProfile.objects.update_or_create(
        user=user, defaults={"password_reset_required": reset_required}
    )
    return profile


def change_own_password(user: User, new_password: str) -> None:
    """Store a new password and clear a forced reset."""
    _remember_old_password(user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    LoginProfile.objects.filter(user=user).update(password_reset_required=False)


def add_virtual_mfa_device(user: User, *, name: str, seed: bytes | None = None,
                           enabled: bool = True) -> MFADevice:
    """A virtual MFA device for ``user``; ``enabled`` skips the two-code dance.

    Used by the enable operation once the codes were checked, and by tests.
    """
    device = MFADevice(
        user=user if enabled else None, account_id=user.account_id, name=name,
        serial_number=(f"arn:aws:iam::{user.account_id}:mfa/{name}"),
        confirmed=enabled, enabled_at=timezone.now() if enabled else None,
    )
    device.set_seed(seed or secrets.token_bytes(20))
    device.save()
    return device


def retire_principal_in_trust_policies(arn: str, unique_id: str) -> int:
    """What AWS does when a trusted user or role is deleted: every trust policy that
    names its ARN names its unique id instead, which no later principal can match.

    A user or role re-created with the same name therefore is not trusted until
    someone saves the trust policy with its ARN again. Returns how many roles, in
    any account, were rewritten.
    """
    from identities.models import Role

    # Found by name, then read as JSON: the ARN may be written with escapes ("\\/").
    name = arn.rsplit("/", 1)[-1]
    rewritten = 0
    for role in Role.objects.select_for_update().filter(trust_policy__icontains=name):
        try:
            document = json.loads(role.trust_policy)
        except ValueError:
            continue
        if _retire_principal(document, arn, unique_id):
            Role.objects.filter(pk=role.pk).update(trust_policy=json.dumps(document))
            rewritten += 1
    return rewritten


def _retire_principal(document, arn: str, unique_id: str) -> bool:
    """Only Principal and NotPrincipal, as AWS: an ARN in a condition (aws:PrincipalArn)
    means whoever holds that ARN, and a Deny on it must go on denying a new holder."""
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    changed = False
    for statement in statements if isinstance(statements, list) else []:
        for element in ("Principal", "NotPrincipal"):
            block = statement.get(element) if isinstance(statement, dict) else None
            if not isinstance(block, dict) or "AWS" not in block:
                continue
            values = block["AWS"]
            if values == arn:
                block["AWS"], changed = unique_id, True
            elif isinstance(values, list) and arn in values:
                block["AWS"], changed = [unique_id if v == arn else v for v in values], True
    return changed
