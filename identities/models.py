"""Accounts and the identities that sign in to them.

One user table covers the account root (signs in with its email) and IAM
users (sign in with the account id or alias and their name). The console
password of both lives in ``User.password`` so that Django's session hash
ends every session when it changes; an IAM user's ``LoginProfile`` row says
that console access is enabled at all.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

from core import crypto


class Account(models.Model):
    """An AWS-style account: a 12-digit id, an optional alias and a root user."""

    id = models.CharField(max_length=12, primary_key=True)
    alias = models.CharField(max_length=63, unique=True, null=True, blank=True)
    name = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped in the same transaction as any change to who holds which policy
    # in this account, so that cached policy sets are never stale.
    policy_generation = models.PositiveBigIntegerField(default=0)
    # Account setting: IAM users must enrol an MFA device before anything else.
    require_mfa_for_console = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.alias or self.id

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.id}:root"

    @property
    def sign_in_slug(self) -> str:
        return self.alias or self.id


class UserManager(BaseUserManager):
    def get_by_natural_key(self, user_id: str):
        return self.get(user_id=user_id)


class User(AbstractBaseUser):
    """The account root or an IAM user."""

    class Kind(models.TextChoices):
        ROOT = "root", "Root user"
        IAM = "user", "IAM user"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="users")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.IAM)
    name = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=512, default="/")
    # AIDA... for IAM users; the root's unique id is its account id, as in AWS.
    user_id = models.CharField(max_length=32, unique=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # AWS tags in their order: [{"Key": ..., "Value": ...}, ...]
    tags = models.JSONField(default=list, blank=True)
    # Part of every session's hash: bumping it signs the user out everywhere
    # (MFA changes, "sign out everywhere"); password changes do so by themselves.
    credentials_generation = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "user_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "account", Lower("name"),
                condition=models.Q(kind="user"),
                name="user_name_unique_per_account_any_case",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(kind="root"),
                name="root_email_unique",
            ),
            models.UniqueConstraint(
                "account", condition=models.Q(kind="root"), name="one_root_per_account",
            ),
        ]
        indexes = [
            # ListUsers and the Users page: a page is an ordered index range,
            # however many users the account has.
            models.Index(fields=["account", "kind", "name", "id"], name="user_list_order"),
        ]

    def __str__(self) -> str:
        return self.arn

    @property
    def is_root(self) -> bool:
        return self.kind == self.Kind.ROOT

    @property
    def arn(self) -> str:
        if self.is_root:
            return f"arn:aws:iam::{self.account_id}:root"
        return f"arn:aws:iam::{self.account_id}:user{self.path}{self.name}"

    @property
    def display_name(self) -> str:
        return self.email if self.is_root else self.name

    def get_username(self) -> str:
        return self.display_name

    def get_session_auth_hash(self) -> str:
        """Django's session hash, which also follows ``credentials_generation``."""
        return salted_hmac(
            "identities.User.get_session_auth_hash",
            f"{self.password}:{self.credentials_generation}",
            algorithm="sha256",
        ).hexdigest()


class UserSummary(NamedTuple):
    """A user as ListUsers shows one: the columns it needs, without a model instance.

    A page holds up to 1,000 users; building and converting full ``User``
    instances cost more than the rest of the call.
    """

    id: int
    account_id: str
    kind: str
    name: str
    path: str
    user_id: str
    created_at: datetime
    last_login: datetime | None

    Kind = User.Kind
    is_root = User.is_root  # the same rules as the model's
    arn = User.arn


class LoginProfile(models.Model):
    """Console access for an IAM user; its absence means no console password."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="login_profile")
    created_at = models.DateTimeField(default=timezone.now)
    password_reset_required = models.BooleanField(default=False)


class MFADevice(ThrottlingMixin, Device):
    """A virtual MFA device (TOTP), its seed encrypted at rest.

    As in AWS a device exists before it is enabled for a user: ``user`` is
    empty and ``confirmed`` false until two consecutive codes enable it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="mfa_devices",
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mfa_devices")
    path = models.CharField(max_length=512, default="/")
    serial_number = models.CharField(max_length=600, unique=True)
    encrypted_seed = models.TextField()
    last_t = models.BigIntegerField(default=-1)
    # Steps the device's clock is off by, learnt at enable and resync time.
    drift = models.SmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    tags = models.JSONField(default=list, blank=True)
    enabled_at = models.DateTimeField(null=True, blank=True)

    STEP = 30
    DIGITS = 6
    TOLERANCE = 1

    def get_throttle_factor(self) -> int:
        return 1

    @property
    def seed(self) -> bytes:
        return bytes.fromhex(crypto.decrypt(self.encrypted_seed, bound_to=self._binding()))

    def set_seed(self, seed: bytes) -> None:
        self.encrypted_seed = crypto.encrypt(seed.hex(), bound_to=self._binding())

    def _binding(self) -> str:
        return f"mfa:{self.serial_number}"

    def totp_at(self, when: float) -> TOTP:
        totp = TOTP(self.seed, step=self.STEP, digits=self.DIGITS, drift=self.drift)
        totp.time = when
        return totp

    def verify_token(self, token) -> bool:
        """Check a code once: the row is locked so that a code is never used twice."""
        with transaction.atomic():
            device = type(self).objects.select_for_update().get(pk=self.pk)
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                return False
            code = str(token).strip()
            if not (code.isascii() and code.isdigit() and len(code) == self.DIGITS):
                device.throttle_increment(commit=True)
                return False
            totp = device.totp_at(time.time())
            if totp.verify(int(code), tolerance=self.TOLERANCE, min_t=device.last_t + 1):
                device.last_t = totp.t()
                device.throttle_reset(commit=False)
                device.save(update_fields=["last_t", "throttling_failure_count",
                                           "throttling_failure_timestamp"])
                self.last_t = device.last_t
                return True
            device.throttle_increment(commit=True)
            return False


class SignInThrottle(models.Model):
    """Failed sign-in attempts in the current window for one key.

    Keys are ``identity:<account>:<name>`` and ``address:<ip>``; counting in the
    database keeps every web worker in agreement without a cache server.
    """

    key = models.CharField(max_length=300, unique=True)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)


class AccessKey(models.Model):
    """A long-term access key; the secret is encrypted, shown once at creation."""

    class Status(models.TextChoices):
        ACTIVE = "Active"
        INACTIVE = "Inactive"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_keys")
    access_key_id = models.CharField(max_length=32, unique=True)
    encrypted_secret = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_service = models.CharField(max_length=16, blank=True)
    last_used_region = models.CharField(max_length=32, blank=True)

    def _binding(self) -> str:
        return f"access-key:{self.access_key_id}"

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.encrypted_secret, bound_to=self._binding())

    def set_secret(self, secret: str) -> None:
        self.encrypted_secret = crypto.encrypt(secret, bound_to=self._binding())


class Group(models.Model):
    """An IAM user group."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    group_id = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(User, through="GroupMembership", related_name="iam_groups")

    class Meta:
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="group_name_unique_per_account_any_case"),
        ]

    def __str__(self) -> str:
        return self.arn

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:group{self.path}{self.name}"


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("group", "user", name="one_membership_per_pair")]


class Role(models.Model):
    """An IAM role: assumable by the principals its trust policy names."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=64)
    path = models.CharField(max_length=512, default="/")
    role_id = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=1000, blank=True)
    trust_policy = models.TextField()
    max_session_duration = models.PositiveIntegerField(default=3600)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_region = models.CharField(max_length=32, blank=True)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="role_name_unique_per_account_any_case"),
        ]

    def __str__(self) -> str:
        return self.arn

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role{self.path}{self.name}"


class PasswordPolicy(models.Model):
    """The account password policy, with every option AWS has.

    No row means AWS's default policy (8 characters, no other requirement).
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="password_policy")
    minimum_password_length = models.PositiveSmallIntegerField(default=8)
    require_symbols = models.BooleanField(default=False)
    require_numbers = models.BooleanField(default=False)
    require_uppercase_characters = models.BooleanField(default=False)
    require_lowercase_characters = models.BooleanField(default=False)
    allow_users_to_change_password = models.BooleanField(default=False)
    max_password_age = models.PositiveSmallIntegerField(null=True, blank=True)
    password_reuse_prevention = models.PositiveSmallIntegerField(null=True, blank=True)
    hard_expiry = models.BooleanField(default=False)


class PasswordHistory(models.Model):
    """Earlier password hashes of a user, for the reuse-prevention rule."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class ConsoleSession(models.Model):
    """A signed-in console session, so that users can see and end their own."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="console_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    source_ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    mfa = models.BooleanField(default=False)

    class Meta:
        ordering = ["-last_seen_at"]
