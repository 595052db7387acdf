"""Console sessions: tracked, re-keyed at every authentication step, timed out, ended.

Sessions are server-side (database backend). A ``ConsoleSession`` row names
each signed-in session so that users can list and end their own and an
administrator can end all of a user's. Nothing here authorizes.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import F
from django.utils import timezone

from identities.models import ConsoleSession, User

SIGNED_IN_AT = "iam_signed_in_at"
LAST_SEEN = "iam_last_seen"
AUTHENTICATED_AT = "iam_auth_at"
# Activity is written at most this often (seconds), not on every request.
TOUCH_EVERY = 60


def _now() -> float:
    """The clock seam: tests move time here."""
    return time.time()


def started(request, user: User, *, mfa: bool) -> None:
    """A fresh sign-in: remember when, and track the session."""
    now = _now()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[AUTHENTICATED_AT] = now
    request.session.save()
    ConsoleSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "source_ip": getattr(request, "iam_source_ip", "")[:64],
                  "user_agent": request.META.get("HTTP_USER_AGENT", "")[:512], "mfa": mfa},
    )


def rekey(request) -> None:
    """A new session key for an authentication step, keeping the tracked row."""
    old = request.session.session_key
    request.session.cycle_key()
    ConsoleSession.objects.filter(session_key=old).update(session_key=request.session.session_key)


def reauthenticated(request) -> None:
    """The user proved their password or MFA again: new key, fresh timestamp."""
    rekey(request)
    request.session[AUTHENTICATED_AT] = _now()


def recently_authenticated(request) -> bool:
    at = request.session.get(AUTHENTICATED_AT, 0)
    return _now() - at <= settings.IAM_REAUTHENTICATE_SECONDS


def expired_reason(request) -> str | None:
    """Why this session must end now (absolute lifetime or idle time), or None."""
    now = _now()
    signed_in = request.session.get(SIGNED_IN_AT)
    if signed_in is None or now - signed_in > settings.IAM_SESSION_MAX_AGE:
        return "Your session reached its maximum length. Sign in again."
    if now - request.session.get(LAST_SEEN, signed_in) > settings.IAM_SESSION_IDLE_SECONDS:
        return "You were signed out after a period of inactivity. Sign in again."
    return None


def touch(request) -> None:
    """Note activity, writing at most once a minute."""
    now = _now()
    if now - request.session.get(LAST_SEEN, 0) < TOUCH_EVERY:
        return
    request.session[LAST_SEEN] = now
    ConsoleSession.objects.filter(session_key=request.session.session_key).update(
        last_seen_at=timezone.now())


def end(user: User, session_keys) -> int:
    """End some of the user's sessions on the server."""
    keys = list(ConsoleSession.objects.filter(user=user, session_key__in=list(session_keys))
                .values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    ConsoleSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def invalidate(user: User) -> None:
    """Every session of the user stops matching its hash: each ends on its next request."""
    User.objects.filter(pk=user.pk).update(credentials_generation=F("credentials_generation") + 1)


def end_all(user: User, *, keep: str | None = None) -> None:
    """End every session of the user (but ``keep``): the hash changes, rows go."""
    invalidate(user)
    others = ConsoleSession.objects.filter(user=user)
    if keep:
        others = others.exclude(session_key=keep)
    Session.objects.filter(session_key__in=list(others.values_list("session_key", flat=True))).delete()
    others.delete()


def forget(session_key: str | None) -> None:
    if session_key:
        ConsoleSession.objects.filter(session_key=session_key).delete()


def stale_rows_before(cutoff_seconds: int) -> int:
    """Delete tracking rows of sessions idle longer than ``cutoff_seconds`` (cleanup)."""
    cutoff = timezone.now() - timedelta(seconds=cutoff_seconds)
    deleted, _ = ConsoleSession.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


def keep_current(request, user: User) -> None:
    """After the user's password or credentials generation changed: this session
    carries on (new key, new hash); every other one has ended."""
    from django.contrib.auth import update_session_auth_hash

    old = request.session.session_key
    update_session_auth_hash(request, user)
    ConsoleSession.objects.filter(session_key=old).update(session_key=request.session.session_key)
    others = ConsoleSession.objects.filter(user=user).exclude(session_key=request.session.session_key)
    Session.objects.filter(session_key__in=list(others.values_list("session_key", flat=True))).delete()
    others.delete()
