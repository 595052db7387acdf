"""Sign-in throttling: counters per identity and per client address.

Each key allows a number of failures per window; past it, every attempt for
that key is refused, the right password included, until the window ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from identities.models import SignInThrottle


def _now() -> datetime:
    """The clock seam: tests move time here."""
    return timezone.now()


def identity_key(account_ref: str, name: str) -> str:
    return f"identity:{account_ref.lower()}:{name.lower()}"[:300]


def address_key(address: str) -> str:
    return f"address:{address}"[:300]


def _limit(key: str) -> int:
    if key.startswith("address:"):
        return settings.IAM_SIGNIN_MAX_FAILURES_PER_ADDRESS
    return settings.IAM_SIGNIN_MAX_FAILURES_PER_IDENTITY


def _window() -> timedelta:
    return timedelta(seconds=settings.IAM_SIGNIN_WINDOW_SECONDS)


def is_blocked(*keys: str) -> bool:
    """True when any key has used up its failures in the current window."""
    window_open_since = _now() - _window()
    rows = SignInThrottle.objects.filter(key__in=keys, window_start__gt=window_open_since)
    return any(row.failures >= _limit(row.key) for row in rows)


def record_failure(*keys: str) -> None:
    """Count one failure against each key, starting a new window when due."""
    now = _now()
    window_open_since = now - _window()
    with transaction.atomic():
        for key in keys:
            row, created = SignInThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_start": now, "failures": 1}
            )
            if created:
                continue
            if row.window_start <= window_open_since:
                SignInThrottle.objects.filter(pk=row.pk).update(window_start=now, failures=1)
            else:
                SignInThrottle.objects.filter(pk=row.pk).update(failures=F("failures") + 1)


def reset(key: str) -> None:
    """Forget an identity's failures after it signed in."""
    SignInThrottle.objects.filter(key=key).delete()


def purge_expired() -> int:
    """Delete counters whose window has passed; returns how many went."""
    deleted, _ = SignInThrottle.objects.filter(window_start__lte=_now() - _window()).delete()
    return deleted
