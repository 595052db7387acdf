"""Background bookkeeping for temporary credentials. Thin: the work lives in services.

Neither task is what makes an expired credential unusable: every request
checks ``expires_at`` itself (``sts.services.resolve_temporary_credentials``).
"""

from __future__ import annotations

from celery import shared_task

from sts import services


@shared_task(name="sts.expire_role_sessions")
def expire_role_sessions() -> int:
    """Mark sessions whose time is up (one conditional UPDATE; idempotent)."""
    return services.mark_expired_sessions()


@shared_task(name="sts.delete_old_sessions")
def delete_old_sessions() -> int:
    """Delete sessions expired longer ago than IAM_SESSION_RETENTION_DAYS."""
    return services.delete_old_sessions()
