"""Background work for the event history. Thin: the work lives in ``audit.services``."""

from __future__ import annotations

from celery import shared_task

from audit import services


@shared_task(name="audit.delete_old_events")
def delete_old_events() -> int:
    """Delete events older than IAM_EVENT_RETENTION_DAYS (bounded batches; idempotent)."""
    return services.delete_old_events()


@shared_task(name="audit.build_credential_report")
def build_credential_report(account_id: str) -> bool:
    """Build an account's requested credential report (claimed once; idempotent)."""
    return services.build_credential_report(account_id)
