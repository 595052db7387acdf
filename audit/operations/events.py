"""The event history's own actions: ListEvents (list and export) and GetEvent.

They are this system's actions, not AWS API operations (CloudTrail's
LookupEvents lives in another service): ``iam:ListEvents`` on
``arn:aws:iam::<account>:event/*`` and ``iam:GetEvent`` on
``arn:aws:iam::<account>:event/<event id>``. A caller only ever sees its own
account's events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from audit import event_writer, history
from audit.models import Event
from audit.recording import operation
from core.caller import Caller
from core.errors import InvalidInput, NoSuchEntity
from policies.authz import authorize


def events_arn(account_id: str, event_id: str = "*") -> str:
    return f"arn:aws:iam::{account_id}:event/{event_id}"


@operation("iam:ListEvents")
def list_events(caller: Caller, *, start: str = "", end: str = "", principal: str = "",
                action: str = "", resource: str = "", outcome: str = "",
                older_than: str = "", newer_than: str = "") -> history.EventPage:
    """One page of the account's events, newest first (iam:ListEvents on event/*)."""
    authorize(caller, "iam:ListEvents", events_arn(caller.account_id))
    wanted = history.parse_filter(caller.account_id, start=start, end=end, principal=principal,
                                  action=action, resource=resource, outcome=outcome)
    return history.page(history.events_of(caller.account_id, wanted),
                        older_than=older_than, newer_than=newer_than)


@operation("iam:ListEvents")
def export_events(caller: Caller, *, start: str = "", end: str = "", principal: str = "",
                  action: str = "", resource: str = "", outcome: str = "",
                  export_format: str = "csv") -> Iterator[Event]:
    """The filtered events for download, newest first, at most EXPORT_LIMIT of them.

    Authorized and recorded when asked for; the rows are read lazily, in
    keyset batches, while the response streams.
    """
    authorize(caller, "iam:ListEvents", events_arn(caller.account_id))
    if export_format not in ("csv", "jsonl"):
        raise InvalidInput("The export format must be csv or jsonl.")
    wanted = history.parse_filter(caller.account_id, start=start, end=end, principal=principal,
                                  action=action, resource=resource, outcome=outcome)
    return history.export_batches(history.events_of(caller.account_id, wanted))


@operation("iam:GetEvent")
def get_event(caller: Caller, *, event_id: str) -> Event:
    """One event of the account (iam:GetEvent on event/<id>); another account's is not found."""
    try:
        wanted = uuid.UUID(str(event_id))
    except ValueError as exc:
        raise InvalidInput("The event id must be a UUID.") from exc
    authorize(caller, "iam:GetEvent", events_arn(caller.account_id, str(wanted)))
    event_writer.flush()
    event = Event.objects.filter(account_id=caller.account_id, event_id=wanted).first()
    if event is None:
        raise NoSuchEntity(f"The event with id {wanted} cannot be found.")
    return event
