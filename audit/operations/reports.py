"""GenerateCredentialReport and GetCredentialReport, as the IAM API has them.

Generate answers at once with the report's state and, when a new report is
needed, enqueues the build once the request's transaction commits; Get
returns a complete report younger than four hours, or AWS's error saying why not.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from audit import services
from audit.errors import ReportExpired, ReportInProgress, ReportNotPresent
from audit.models import CredentialReport
from audit.recording import operation
from audit.tasks import build_credential_report
from core.caller import Caller
from policies.authz import authorize

STARTED_DESCRIPTION = "No report exists. Starting a new report generation task"
REPORT_FORMAT = "text/csv"


@dataclass(frozen=True)
class GenerateResult:
    """GenerateCredentialReport's output: State and (when starting) Description."""

    state: str
    description: str | None = None


@dataclass(frozen=True)
class ReportContent:
    """GetCredentialReport's output; ``content`` is the CSV (the API base64-encodes it)."""

    content: bytes
    report_format: str
    generated_time: datetime


@operation("iam:GenerateCredentialReport", writes=True)  # the report row
def generate_credential_report(caller: Caller) -> GenerateResult:
    """GenerateCredentialReport (iam:GenerateCredentialReport on *)."""
    authorize(caller, "iam:GenerateCredentialReport", "*")
    now = services.now()
    report, created = (CredentialReport.objects.select_for_update()
                       .get_or_create(account_id=caller.account_id,
                                      defaults={"requested_at": now}))
    if not created:
        if services.report_is_current(report, now):
            return GenerateResult(CredentialReport.State.COMPLETE)
        if services.report_is_pending(report, now):
            return GenerateResult(CredentialReport.State.INPROGRESS)
        report.state = CredentialReport.State.STARTED
        report.requested_at = now
        report.save(update_fields=["state", "requested_at"])
    account_id = caller.account_id
    # After commit: the worker must see the STARTED row it is asked to claim. Robust:
    # with the broker down the answer is still STARTED (the row is committed) and the
    # failure is logged; a later request re-enqueues once the request goes stale.
    transaction.on_commit(lambda: build_credential_report.delay(account_id), robust=True)
    return GenerateResult(CredentialReport.State.STARTED, STARTED_DESCRIPTION)


@operation("iam:GetCredentialReport")
def get_credential_report(caller: Caller) -> ReportContent:
    """GetCredentialReport (iam:GetCredentialReport on *)."""
    authorize(caller, "iam:GetCredentialReport", "*")
    report = CredentialReport.objects.filter(account_id=caller.account_id).first()
    if report is None:
        raise ReportNotPresent("The credential report does not exist. To generate a "
                               "credential report, use GenerateCredentialReport.")
    if report.state != CredentialReport.State.COMPLETE:
        raise ReportInProgress("The credential report is still being generated.")
    if not services.report_is_current(report, services.now()):
        raise ReportExpired("The most recent credential report has expired. To generate a "
                            "new credential report, use GenerateCredentialReport.")
    return ReportContent(content=report.content.encode(), report_format=REPORT_FORMAT,
                         generated_time=report.generated_at)


PREVIEW_ROWS = 500


@dataclass(frozen=True)
class ReportStatus:
    """What the Credential report page shows: the state, the last report's time and,
    while it is current, its first rows."""

    state: str | None  # None: never generated
    generated_at: datetime | None
    requested_at: datetime | None
    expired: bool
    pending: bool
    rows: list[dict] = field(default_factory=list)
    row_count: int = 0

    @property
    def current(self) -> bool:
        return self.state == CredentialReport.State.COMPLETE and not self.expired


@operation("iam:GetCredentialReport")
def credential_report_status(caller: Caller) -> ReportStatus:
    """The Credential report page (iam:GetCredentialReport on *, as its content needs)."""
    authorize(caller, "iam:GetCredentialReport", "*")
    report = CredentialReport.objects.filter(account_id=caller.account_id).first()
    if report is None:
        return ReportStatus(None, None, None, expired=False, pending=False)
    now = services.now()
    current = services.report_is_current(report, now)
    rows = list(csv.DictReader(io.StringIO(report.content))) if current else []
    return ReportStatus(
        state=report.state, generated_at=report.generated_at, requested_at=report.requested_at,
        expired=report.state == CredentialReport.State.COMPLETE and not current,
        pending=services.report_is_pending(report, now),
        rows=rows[:PREVIEW_ROWS], row_count=len(rows))
