"""Event history and Credential report pages. Thin: each view calls one operation."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit import history, records
from audit.operations import events, reports
from core.actions import run
from core.errors import AccessDenied, IamError, InvalidInput
from core.http import ConsoleRequest

FILTER_FIELDS = ("start", "end", "principal", "action", "resource", "outcome")
QUICK_RANGES = [("1h", timedelta(hours=1)), ("24h", timedelta(days=1)),
                ("7d", timedelta(days=7)), ("30d", timedelta(days=30))]
# Spreadsheets run cells that start like a formula; user agents and
# parameters are attacker-chosen, so such cells get a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filters(request: ConsoleRequest) -> dict[str, str]:
    """The filters given (empty ones left out, so that events record only what was asked)."""
    return {name: request.GET[name][:2048] for name in FILTER_FIELDS if request.GET.get(name)}


def event_list(request: ConsoleRequest):
    """Event history: filter, newest first, cursor pages (Newer / Older)."""
    filters = _filters(request)
    cursor = {name: request.GET[key][:256] for name, key in (("older_than", "older"),
                                                            ("newer_than", "newer"))
              if request.GET.get(key)}
    error = ""
    try:
        page = events.list_events(request.caller, **filters, **cursor)
    except InvalidInput as invalid:
        # The form stays, with what was typed and why it was refused.
        page, error = history.EventPage(events=[], newer=None, older=None), invalid.message
    now = timezone.now().replace(second=0, microsecond=0)
    return render(request, "audit/event_list.html", status=400 if error else 200, context={
        "page": page,
        "rows": [(event, records.user_name(event),
                  records.resource_label(event.resources[0]) if event.resources else "")
                 for event in page.events],
        "filters": {name: filters.get(name, "") for name in FILTER_FIELDS},
        "filtered": any(filters.values()),
        "error": error,
        "outcomes": history.OUTCOMES,
        "other_outcome": "" if filters.get("outcome", "") in history.OUTCOMES
        else filters["outcome"],
        "quick_ranges": [(label, (now - span).strftime("%Y-%m-%dT%H:%M"))
                         for label, span in QUICK_RANGES],
        "actions": _known_actions(),
        "export_limit": history.EXPORT_LIMIT,
        "paged": bool(request.GET.get("older") or request.GET.get("newer")),
    })


def event_detail(request: ConsoleRequest, event_id):
    """One event: its summary and its CloudTrail-style JSON record."""
    event = events.get_event(request.caller, event_id=str(event_id))
    record = records.cloudtrail_record(event)
    return render(request, "audit/event_detail.html", {
        "event": event, "record": record, "user_name": records.user_name(event),
        "record_json": json.dumps(record, indent=2, ensure_ascii=False),
    })


class _Echo:
    """A file-like sink for csv.writer that hands each line back (Django's streaming recipe)."""

    def write(self, value: str) -> str:
        return value


def _safe_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def event_export(request: ConsoleRequest):
    """The filtered events as CSV or JSON lines, streamed, at most EXPORT_LIMIT rows."""
    export_format = request.GET.get("format", "csv")
    rows = events.export_events(request.caller, **_filters(request),
                                export_format=export_format)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    name = f"event-history-{request.caller.account_id}-{stamp}"
    if export_format == "csv":
        writer = csv.writer(_Echo())
        lines = (writer.writerow([_safe_cell(cell) for cell in row])
                 for row in _with_header(records.CSV_COLUMNS, map(records.csv_row, rows)))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        lines = (json.dumps(records.cloudtrail_record(event), ensure_ascii=False) + "\n"
                 for event in rows)
        response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
        response["Content-Disposition"] = f'attachment; filename="{name}.jsonl"'
    response["Cache-Control"] = "no-store"
    return response


def _with_header(header, rows):
    yield header
    yield from rows


def credential_report(request: ConsoleRequest):
    """Credential report: its state, when it was generated, Generate and Download."""
    status = reports.credential_report_status(request.caller)
    response = render(request, "audit/credential_report.html", {
        "status": status, "max_age_hours": 4,
        "preview": [{key: _short_time(value) for key, value in row.items()}
                    for row in status.rows],
    })
    if status.pending:
        # Re-ask while the worker builds it; a header, as the console has no inline scripts.
        response["Refresh"] = "3"
    return response


@require_POST
def credential_report_generate(request: ConsoleRequest):
    """GenerateCredentialReport from the console."""
    run(request, reports.generate_credential_report, _generated_message)
    return redirect("audit:credential-report")


def _generated_message(result) -> str:
    if result.state == "COMPLETE":
        return "The credential report is up to date: it was generated less than four hours ago."
    if result.state == "INPROGRESS":
        return "The credential report is already being generated."
    return "Generating the credential report. It is usually ready in a few seconds."


def credential_report_download(request: ConsoleRequest):
    """GetCredentialReport: the CSV as a download, or a red flash saying why not."""
    try:
        report = reports.get_credential_report(request.caller)
    except AccessDenied:
        raise
    except IamError as error:
        messages.error(request, error.message)
        return redirect("audit:credential-report")
    stamp = report.generated_time.strftime("%Y-%m-%dT%H_%M_%S")
    response = HttpResponse(report.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="credential_report_{request.caller.account_id}_{stamp}.csv"')
    response["Cache-Control"] = "no-store"
    return response


def _short_time(value: str) -> str:
    """``2024-03-01T12:00:00+00:00`` -> ``2024-03-01 12:00`` for the preview table; the
    download keeps AWS's format. Other values (true, N/A, no_information) as they are."""
    if len(value) == 25 and value[10] == "T" and value.endswith("+00:00"):
        return f"{value[:10]} {value[11:16]}"
    return value


def _known_actions() -> list[str]:
    from policies.engine import catalog

    return ["signin:ConsoleLogin", "signin:ConsoleLogout", *catalog.all_actions()]
