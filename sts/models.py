"""Temporary credentials: role sessions (AssumeRole) and user sessions (GetSessionToken).

One table holds both kinds, because a request signed with an ``ASIA...`` key is
resolved the same way whatever issued it. The secret access key is encrypted
(SigV4 needs it back) and bound to its row; the session token is stored only as
a SHA-256 hash. Whether a session may still be used is derived from time and
from the role it belongs to at the moment it is presented
(``sts.services.resolve_temporary_credentials``); ``expired_marked_at`` is
bookkeeping written by the Celery task, never what decides.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core import crypto
from identities.models import Account, Role, User


class RoleSession(models.Model):
    """One set of temporary credentials and what the engine needs to know about it."""

    class Kind(models.TextChoices):
        ROLE = "role", "Role session"
        SESSION_TOKEN = "session-token", "Session token"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ROLE)
    # The account the credentials act in: the role's, or the user's for a session token.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="role_sessions")
    # SET_NULL keeps the record for the event history; a session whose role is
    # gone is refused, and a new role of the same name does not revive it
    # (its ``role_id`` differs from ``role_unique_id``).
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="sessions")
    # The role's ARN when the session was issued (``role_arn`` reads it).
    issued_role_arn = models.CharField(max_length=2048, blank=True)
    # The role's AROA... id when issued ("role_id" is the foreign key's column).
    role_unique_id = models.CharField(max_length=32, blank=True)
    role_name = models.CharField(max_length=64, blank=True)
    # The IAM user (or root) a session token acts as; empty for role sessions.
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="session_tokens", db_index=False)
    session_name = models.CharField(max_length=64, blank=True)

    access_key_id = models.CharField(max_length=32, unique=True)
    encrypted_secret = models.TextField()
    token_hash = models.CharField(max_length=64, unique=True)

    # Who asked for the credentials.
    source_arn = models.CharField(max_length=2048)
    source_account = models.CharField(max_length=12)

    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    expired_marked_at = models.DateTimeField(null=True, blank=True)

    is_console = models.BooleanField(default=False)
    chained = models.BooleanField(default=False)
    policy = models.TextField(blank=True)
    policy_arns = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)  # [{"Key": ..., "Value": ...}]
    transitive_tag_keys = models.JSONField(default=list, blank=True)
    source_identity = models.CharField(max_length=64, blank=True)
    mfa_authenticated = models.BooleanField(default=False)
    mfa_authenticated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The expiry task only ever looks at rows it has not marked yet.
            models.Index(fields=["expires_at"], condition=Q(expired_marked_at__isnull=True),
                         name="sts_session_unmarked_expiry"),
            # Role sessions (most rows) have no user: index only the session tokens.
            models.Index(fields=["user"], condition=Q(user__isnull=False),
                         name="sts_session_token_user"),
        ]
        # No plain index on expires_at: marking a row expired rewrites every
        # index entry of it (the partial index's condition changes), so each
        # index costs the expiry task; the daily delete can afford a scan.
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="role", user__isnull=True)
                           | Q(kind="session-token", role__isnull=True, role_unique_id="")),
                name="sts_session_kind_matches_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.access_key_id} {self.arn}"

    # What the engine and the event history read --------------------------------

    @property
    def is_role_session(self) -> bool:
        return self.kind == self.Kind.ROLE

    @property
    def arn(self) -> str:
        """The principal ARN the credentials act as."""
        if self.is_role_session:
            return (f"arn:aws:sts::{self.account_id}:assumed-role/"
                    f"{self.role_name}/{self.session_name}")
        return self.source_arn

    @property
    def assumed_role_id(self) -> str:
        """AWS's ``AROA...:session`` unique id (``aws:userid``) of a role session."""
        return f"{self.role_unique_id}:{self.session_name}"

    @property
    def role_arn(self) -> str | None:
        """The role's IAM ARN; None for a session token, whose caller is the user itself."""
        return self.issued_role_arn if self.is_role_session else None

    def is_expired(self, now) -> bool:
        """AWS's rule: a credential is expired from its expiration instant on."""
        return now >= self.expires_at

    def context_keys(self, now=None) -> dict[str, object]:
        """The request-context keys these credentials add (see sts.services)."""
        from sts import services

        return services.session_context_keys(self, now=now)

    def policy_set(self):
        """The engine PolicySet that applies to requests made with these credentials."""
        from sts import services

        return services.session_policy_set(self)

    # Secrets --------------------------------------------------------------------

    def _binding(self) -> str:
        return f"temporary-key:{self.access_key_id}"

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.encrypted_secret, bound_to=self._binding())

    def set_secret(self, secret: str) -> None:
        self.encrypted_secret = crypto.encrypt(secret, bound_to=self._binding())


class RecentRole(models.Model):
    """A role a user switched to from the console, for the account menu.

    AWS's console remembers five in a cookie; these are kept on the server,
    ten per user, and grouped by account in the menu.
    """

    COLORS = ["red", "orange", "yellow", "green", "blue"]

    user = models.ForeignKey("identities.User", on_delete=models.CASCADE,
                             related_name="recent_roles")
    account_id = models.CharField(max_length=12)
    role_name = models.CharField(max_length=64)
    display_name = models.CharField(max_length=64)
    color = models.CharField(max_length=8, default="blue")
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-used_at"]
        constraints = [models.UniqueConstraint("user", "account_id", "role_name",
                                               name="one_recent_entry_per_role")]
