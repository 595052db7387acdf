"""Security filters for the Users list, the targets of the dashboard's recommendations.

``apply_user_filter(queryset, name, days)`` narrows a queryset of IAM users
with ``EXISTS`` subqueries, so it never duplicates rows or changes the count
query's shape; an unknown name leaves the queryset as it was.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from identities.models import AccessKey, LoginProfile, MFADevice

DEFAULT_DAYS = 90
MAX_DAYS = 3650

# name -> label, for a filter menu; those that take a number of days say so.
USER_FILTERS = {
    "no_mfa": "Console access without MFA",
    "key_older_than": "Active access key older than N days",
    "key_unused": "Active access key unused for N days",
    "never_signed_in": "Console access, never signed in",
}


def parse_days(value, default: int = DEFAULT_DAYS) -> int:
    """A query-string day count, clamped to 1..MAX_DAYS; junk means the default."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(days, MAX_DAYS))


def apply_user_filter(queryset: QuerySet, name: str, days: int = DEFAULT_DAYS,
                      *, now: datetime | None = None) -> QuerySet:
    """Users matching the security filter ``name`` (see USER_FILTERS)."""
    cutoff = (now or timezone.now()) - timedelta(days=parse_days(days))
    console = Exists(LoginProfile.objects.filter(user=OuterRef("pk")))
    active_keys = AccessKey.objects.filter(user=OuterRef("pk"), status=AccessKey.Status.ACTIVE)
    if name == "no_mfa":
        return queryset.filter(console).exclude(
            Exists(MFADevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    if name == "key_older_than":
        return queryset.filter(Exists(active_keys.filter(created_at__lt=cutoff)))
    if name == "key_unused":
        unused = Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created_at__lt=cutoff)
        return queryset.filter(Exists(active_keys.filter(unused)))
    if name == "never_signed_in":
        return queryset.filter(console, last_login__isnull=True)
    return queryset
