"""Console Switch role: assume a role as the signed-in user, remember it in the
account menu, and end it. The views keep only the browser side (the Django
session, messages, redirects)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from core.caller import Caller
from core.errors import InvalidInput
from identities.backends import find_account
from identities.models import Role, User
from sts import operations, services
from sts.models import RecentRole, RoleSession

SESSION_SECONDS = 3600
KEEP_RECENT = 10
COLORS = RecentRole.COLORS


@dataclass(frozen=True)
class Switched:
    """What the browser session keeps of a console role session: its id, never its token."""

    pk: int
    display_name: str
    color: str
    role_arn: str
    account_id: str

    def as_session_value(self) -> dict:
        return asdict(self)


def switch(base: Caller, user: User, *, account_ref: str, role_name: str, display_name: str,
           color: str, current_pk: int | None = None) -> Switched:
    """Assume ``role_name`` in the account named by ``account_ref`` (id or alias) as
    ``base`` (the user itself: AWS switches from the signed-in identity, never from a
    role), for an hour or the role's maximum if shorter; end ``current_pk`` first."""
    account = find_account(account_ref)
    account_id = account.id if account else account_ref
    if not re.fullmatch(r"[0-9]{12}", account_id or ""):
        raise InvalidInput("Enter the 12-digit account ID or the alias of the account.")
    color = color if color in COLORS else "blue"
    display = (display_name or f"{role_name} @ {account_id}")[:64]
    with transaction.atomic():
        if current_pk is not None:
            end(user, current_pk)
        # The role's maximum only shortens the session; whether the role exists or
        # trusts the caller is for AssumeRole to say, in AWS's words.
        role = Role.objects.filter(account_id=account_id, name__lower=role_name.lower()).first()
        assumed = operations.assume_role(
            base, role_arn=role.arn if role else f"arn:aws:iam::{account_id}:role/{role_name}",
            role_session_name=user.name or "root",
            duration_seconds=min(SESSION_SECONDS, role.max_session_duration if role else 3600),
            is_console=True)
        remember(user, account_id=account_id, role_name=role_name, display_name=display,
                 color=color)
    return Switched(pk=assumed.session.pk, display_name=display, color=color,
                    role_arn=assumed.session.issued_role_arn, account_id=account_id)


def remember(user: User, *, account_id: str, role_name: str, display_name: str,
             color: str) -> None:
    """Keep the role at the top of the user's recent roles (ten at most)."""
    RecentRole.objects.update_or_create(
        user=user, account_id=account_id, role_name=role_name,
        defaults={"display_name": display_name, "color": color, "used_at": timezone.now()})
    stale = RecentRole.objects.filter(user=user).values_list("pk", flat=True)[KEEP_RECENT:]
    RecentRole.objects.filter(pk__in=list(stale)).delete()


def recent(user: User):
    return RecentRole.objects.filter(user=user)[:KEEP_RECENT]


def end(user: User, session_pk: int) -> None:
    """End the user's console role session ``session_pk`` (no-op if it is not theirs)."""
    session = RoleSession.objects.filter(pk=session_pk, is_console=True,
                                         source_arn=user.arn).first()
    if session is not None:
        services.end_session(session)
