"""Work below the operations, shared with tasks: retention and report building.

Nothing here authorizes; operations do that before calling in, and Celery
tasks run as the deployment itself.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
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

    Account by account, so that each batch is a range of the (account, time)
    index that pages already use. Small transactions keep row locks and WAL
    bursts short while web workers keep writing events. At most
    ``max_batches`` batches per run. Returns how many events were deleted.
    """
    cutoff = (at or now()) - timedelta(days=retention_days())
    deleted = batches = 0
    for account_id in accounts_with_events():
        while batches < max_batches:
            batches += 1
            with transaction.atomic():
                pks = list(Event.objects.filter(account_id=account_id, time__lt=cutoff)
                           .order_by("time").values_list("pk", flat=True)[:batch])
                count = Event.objects.filter(pk__in=pks).delete()[0] if pks else 0
            deleted += count
            if len(pks) < batch:
                break
    if deleted:
        log.info("deleted %d events older than %s", deleted, cutoff.isoformat())
    return deleted


# A loose index scan: one index probe per distinct account, however many events
# each has (PostgreSQL and SQLite both answer MIN() from the index).
_ACCOUNTS_SQL = """
WITH RECURSIVE accounts(account_id) AS (
    SELECT MIN(account_id) FROM audit_event
    UNION ALL
    SELECT (SELECT MIN(e.account_id) FROM audit_event e WHERE e.account_id > a.account_id)
    FROM accounts a WHERE a.account_id IS NOT NULL
)
SELECT account_id FROM accounts WHERE account_id IS NOT NULL
"""


def accounts_with_events() -> list[str]:
    """Every account id that has events, deleted accounts and "" (no account) included."""
    with connection.cursor() as cursor:
        cursor.execute(_ACCOUNTS_SQL)
        return [row[0] for row in cursor.fetchall()]


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
