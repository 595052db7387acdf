"""When users, access keys and roles were last used: written at most once a minute.

Every signed request and every console page would otherwise write its
principal's row, and concurrent requests would queue on that row lock. Each
function is one conditional UPDATE that only matches when the stored time is
empty or older than GRANULARITY, so workers racing on one row write it once
between them, and a row touched less than a minute ago costs no query at all
when the caller's copy is already recent.

For the API layer (access keys, after a signature verifies), STS (roles, when
a session is issued) and the console (users' activity). Each returns True when
it wrote. ``now`` is the clock seam for tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from identities.models import AccessKey, Role, User

GRANULARITY = timedelta(seconds=60)


def _now() -> datetime:
    return timezone.now()


def _recent(value: datetime | None, threshold: datetime) -> bool:
    return value is not None and value >= threshold


def _stale(column: str, threshold: datetime) -> Q:
    return Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__lt": threshold})


def touch_user_activity(user: User, *, now: datetime | None = None) -> bool:
    """Move ``user.last_login`` (PasswordLastUsed, "Console last sign-in") forward."""
    now = now or _now()
    threshold = now - GRANULARITY
    if _recent(user.last_login, threshold):
        return False
    written = (User.objects.filter(pk=user.pk).filter(_stale("last_login", threshold))
               .update(last_login=now))
    if written:
        user.last_login = now
    return bool(written)


def touch_access_key(key: AccessKey, service: str, region: str, *,
                     now: datetime | None = None) -> bool:
    """Record that ``key`` signed a request to ``service`` in ``region`` (GetAccessKeyLastUsed)."""
    now = now or _now()
    threshold = now - GRANULARITY
    if _recent(key.last_used_at, threshold):
        return False
    service, region = (service or "")[:16], (region or "")[:32]
    written = (AccessKey.objects.filter(pk=key.pk).filter(_stale("last_used_at", threshold))
               .update(last_used_at=now, last_used_service=service, last_used_region=region))
    if written:
        key.last_used_at, key.last_used_service, key.last_used_region = now, service, region
    return bool(written)


def touch_role(role: Role, region: str, *, now: datetime | None = None) -> bool:
    """Record that ``role`` was assumed or used (RoleLastUsed)."""
    now = now or _now()
    threshold = now - GRANULARITY
    if _recent(role.last_used_at, threshold):
        return False
    region = (region or "")[:32]
    written = (Role.objects.filter(pk=role.pk).filter(_stale("last_used_at", threshold))
               .update(last_used_at=now, last_used_region=region))
    if written:
        role.last_used_at, role.last_used_region = now, region
    return bool(written)
