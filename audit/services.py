"""Work below the operations, shared with tasks: retention and report building.

Nothing here authorizes; operations do that before calling in, and Celery
tasks run as the deployment itself.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import credential_report
from audit.models import CredentialReport, Event

log = logging.getLogger(__name__)

DELETE_BATCH = 5000
# One run deletes at most this many batches, so that a backlog (a first run
# after a long time, a lowered retention) is spread over several runs instead
# of one task that holds a worker for an hour.
MAX_DELETE_BATCHES = 200

# AWS: "If the existing report is older than four hours, a new one is generated".
REPORT_MAX_AGE = timedelta(hours=4)
# A report still not built after this long lost its worker: start it again.
REPORT_STALE_AFTER = timedelta(minutes=10)


def now() -> datetime:
    """The clock seam: tests move time by patching this."""
    return timezone.now()


def retention_days() -> int:
    return int(getattr(settings, "IAM_EVENT_RETENTION_DAYS", 90))


def delete_old_events(*, at: datetime | None = None, batch: int = DELETE_BATCH,
                      max_batches: int = MAX_DELETE_BATCHES) -> int:
    """Delete events older than IAM_EVENT_RETENTION_DAYS, ``batch`` rows per transaction.

    Small transactions keep row locks and WAL bursts short while web workers
    keep writing events. Returns how many events were deleted.
    """
    cutoff = (at or now()) - timedelta(days=retention_days())
    deleted = 0
    for _ in range(max_batches):
        with transaction.atomic():
            # The time index finds the oldest rows; deleting by primary key
            # keeps each statement bounded.
            pks = list(Event.objects.filter(time__lt=cutoff).order_by("time")
                       .values_list("pk", flat=True)[:batch])
            if not pks:
                break
            count, _ = Event.objects.filter(pk__in=pks).delete()
        deleted += count
        if len(pks) < batch:
            break
    if deleted:
        log.info("deleted %d events older than %s", deleted, cutoff.isoformat())
    return deleted


def report_is_current(report: CredentialReport, at: datetime) -> bool:
    """A complete report younger than four hours."""
    return (report.state == CredentialReport.State.COMPLETE and report.generated_at is not None
            and at - report.generated_at <= REPORT_MAX_AGE)


def report_is_pending(report: CredentialReport, at: datetime) -> bool:
    """Started or being built, and not yet given up on."""
    return (report.state != CredentialReport.State.COMPLETE
            and at - report.requested_at <= REPORT_STALE_AFTER)


def build_credential_report(account_id: str) -> bool:
    """Build the account's requested report; False if there was none to build.

    Idempotent: a conditional UPDATE claims the request (STARTED -> INPROGRESS),
    so a task delivered twice builds once, and a COMPLETE report is left alone.
    """
    claimed = (CredentialReport.objects
               .filter(account_id=account_id, state=CredentialReport.State.STARTED)
               .update(state=CredentialReport.State.INPROGRESS))
    if not claimed:
        return False
    content = credential_report.render(account_id)
    (CredentialReport.objects
     .filter(account_id=account_id, state=CredentialReport.State.INPROGRESS)
     .update(state=CredentialReport.State.COMPLETE, content=content, generated_at=now()))
    return True
