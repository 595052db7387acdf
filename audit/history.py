"""Reading the event history: filters, keyset pages and export batches.

Nothing here authorizes: the operations in ``audit.operations`` do, then call
these. Every query starts from one account's events.

Pages are keyset pages on ``(time, id)``, newest first: a page is one indexed
range scan however deep it is, nothing is counted, and a cursor names a
position rather than an offset, so paging stays stable while new events arrive.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_date, parse_datetime

from audit import event_writer
from audit.models import Event
from core.errors import InvalidInput

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_BATCH = 1000

_MINUTES_ONLY = re.compile(r"[T ]\d{2}:\d{2}$")
_ERROR_CODE = re.compile(r"^[A-Z][A-Za-z0-9.]{1,63}$")

# The outcome filter's choices: any, success, any failure; any AWS error code
# (``EntityAlreadyExists`` ...) is accepted too.
OUTCOMES = {"": "Any outcome", "success": "Success", "failure": "Failure",
            "AccessDenied": "AccessDenied"}


@dataclass(frozen=True)
class EventFilter:
    """What the caller asked to see, normalised: an empty value filters nothing."""

    start: datetime | None = None
    end: datetime | None = None
    principal: str = ""
    action: str = ""
    resource: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class EventPage:
    """One page, newest first, and the cursors to its neighbours (None: there is none)."""

    events: list[Event]
    newer: str | None
    older: str | None


def parse_filter(account_id: str, *, start: str = "", end: str = "", principal: str = "",
                 action: str = "", resource: str = "", outcome: str = "") -> EventFilter:
    """Check and normalise the filter fields as typed in the console or sent by a client."""
    start_at = _parse_time(start, "start", end_of_day=False)
    end_at = _parse_time(end, "end", end_of_day=True)
    if start_at and end_at and start_at > end_at:
        raise InvalidInput("The start of the time range must be before its end.")
    outcome = (outcome or "").strip()
    if outcome not in OUTCOMES and not _ERROR_CODE.match(outcome):
        raise InvalidInput("Outcome must be success, failure or an error code such as "
                           "AccessDenied.")
    return EventFilter(start=start_at, end=end_at,
                       principal=_principal_arn(account_id, (principal or "").strip()[:2048]),
                       action=_action_name((action or "").strip()[:128]),
                       resource=(resource or "").strip()[:2048], outcome=outcome)


def events_of(account_id: str, wanted: EventFilter) -> QuerySet[Event]:
    """The account's events that match ``wanted`` (unordered; pages order them)."""
    event_writer.flush()  # this process's queued read events are part of the history
    rows = Event.objects.filter(account_id=account_id)
    if wanted.start:
        rows = rows.filter(time__gte=wanted.start)
    if wanted.end:
        rows = rows.filter(time__lte=wanted.end)
    if wanted.principal:
        rows = rows.filter(principal_arn=wanted.principal)
    if wanted.action:
        rows = rows.filter(action=wanted.action)
    if wanted.outcome == "success":
        rows = rows.filter(outcome=Event.SUCCESS)
    elif wanted.outcome:
        # Spelled exactly as the partial index's predicate, so that the planner
        # can use the (small) failures index for any failure filter.
        rows = rows.exclude(outcome=Event.SUCCESS)
        if wanted.outcome != "failure":
            rows = rows.filter(outcome=wanted.outcome)
    if wanted.resource:
        rows = _with_resource(rows, wanted.resource)
    return rows


def page(rows: QuerySet[Event], *, older_than: str = "", newer_than: str = "",
         size: int = PAGE_SIZE) -> EventPage:
    """One page of ``rows``: the newest, or the ones just older or newer than a cursor."""
    if newer_than:
        position = decode_cursor(newer_than)
        found = list(_newer(rows, *position).order_by("time", "id")[: size + 1])
        more_newer = len(found) > size
        events = found[:size][::-1]
        return EventPage(events=events,
                         newer=encode_cursor(events[0]) if more_newer else None,
                         # The cursor's own event is older than all of these.
                         older=encode_cursor(events[-1]) if events else None)
    if older_than:
        rows = _older(rows, *decode_cursor(older_than))
    found = list(rows.order_by("-time", "-id")[: size + 1])
    events = found[:size]
    return EventPage(events=events,
                     newer=encode_cursor(events[0]) if older_than and events else None,
                     older=encode_cursor(events[-1]) if len(found) > size else None)


def export_batches(rows: QuerySet[Event], *, limit: int = EXPORT_LIMIT,
                   batch: int = EXPORT_BATCH) -> Iterator[Event]:
    """Up to ``limit`` events of ``rows``, newest first, read ``batch`` at a time by keyset.

    Short queries rather than one long-lived cursor: a slow download holds
    no transaction and no server-side cursor open.
    """
    rows = rows.order_by("-time", "-id")
    sent = 0
    position: tuple[datetime, int] | None = None
    while sent < limit:
        want = min(batch, limit - sent)
        chunk = list((rows if position is None else _older(rows, *position))[:want])
        yield from chunk
        sent += len(chunk)
        if len(chunk) < want:
            return
        position = (chunk[-1].time, chunk[-1].pk)


def encode_cursor(event: Event) -> str:
    raw = f"{event.time.isoformat()}|{event.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """A cursor back into its position; anything else is InvalidInput, never a 500."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None or not pk.isdigit():
            raise ValueError(cursor)
        return when, int(pk)
    except (ValueError, UnicodeError) as exc:
        raise InvalidInput("Invalid pagination cursor.") from exc


def _older(rows: QuerySet[Event], when: datetime, pk: int) -> QuerySet[Event]:
    # (time, id) < (when, pk). The plain bound on time becomes the index
    # condition, so the scan starts at the cursor instead of at the newest
    # event; the OR only sorts out ties at exactly ``when``.
    return rows.filter(time__lte=when).filter(Q(time__lt=when) | Q(time=when, pk__lt=pk))


def _newer(rows: QuerySet[Event], when: datetime, pk: int) -> QuerySet[Event]:
    return rows.filter(time__gte=when).filter(Q(time__gt=when) | Q(time=when, pk__gt=pk))


def _with_resource(rows: QuerySet[Event], arn: str) -> QuerySet[Event]:
    """Events that name ``arn`` among their resources."""
    if connection.vendor == "postgresql":
        return rows.filter(resources__contains=[arn])  # the GIN index (jsonb_path_ops)
    # SQLite has no JSON containment lookup; json_each does the same, unindexed.
    return rows.filter(pk__in=RawSQL(
        "SELECT audit_event.id FROM audit_event, json_each(audit_event.resources) "
        "WHERE json_each.value = %s", (arn,)))


def _parse_time(value: str, label: str, *, end_of_day: bool) -> datetime | None:
    """ISO 8601 as typed: a date, or a date and time; naive means UTC."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "T", 1))
        if parsed is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(value)
            # A bare "to" date means the whole of that day.
            parsed = datetime.combine(day, time.max if end_of_day else time.min)
    except ValueError as exc:
        raise InvalidInput(f"The {label} time {value[:40]!r} is not an ISO 8601 date or "
                           "date and time (UTC).") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt_timezone.utc)
    if end_of_day and _MINUTES_ONLY.search(value):
        # "to 10:05" from a minute-precision picker includes all of 10:05.
        parsed += timedelta(minutes=1) - timedelta(microseconds=1)
    return parsed


def _principal_arn(account_id: str, value: str) -> str:
    """An ARN as given; a bare name is this account's IAM user of that name ("root": the root)."""
    if not value or value.startswith("arn:"):
        return value
    if value.lower() in {"root", "<root_account>"}:
        return f"arn:aws:iam::{account_id}:root"
    from identities.models import User

    found = (User.objects.filter(account_id=account_id, kind=User.Kind.IAM, name__iexact=value)
             .values_list("path", "name").first())
    path, name = found or ("/", value)
    # A deleted user is looked for at the path "/" under the name typed.
    return f"arn:aws:iam::{account_id}:user{path}{name}"


def _action_name(value: str) -> str:
    """``iam:createuser`` or ``CreateUser`` as the catalogue spells it; other names as typed."""
    if not value:
        return value
    from policies.engine import catalog

    candidates = [value] if ":" in value else [f"iam:{value}", f"sts:{value}"]
    for candidate in candidates:
        known = catalog.canonical_name(candidate)
        if known:
            return known
    return value
