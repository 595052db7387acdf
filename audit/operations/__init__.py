"""The audit app's operations: the event history, the credential report, Access Advisor."""

from audit.operations.advisor import access_advisor, access_advisor_tab
from audit.operations.events import events_arn, export_events, get_event, list_events
from audit.operations.reports import (
    credential_report_status,
    generate_credential_report,
    get_credential_report,
)

__all__ = [
    "access_advisor",
    "access_advisor_tab",
    "credential_report_status",
    "events_arn",
    "export_events",
    "generate_credential_report",
    "get_credential_report",
    "get_event",
    "list_events",
]
