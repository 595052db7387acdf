"""Recording events, and the wrapper that gives every operation its shape.

An operation's change and its success event commit together; when the
operation fails the change rolls back and only the failure event remains.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit import event_writer
from audit.models import Event
from core.caller import Caller
from core.rawrows import table
from core.errors import IamError
from policies.engine import catalog

# Parameter names whose values never reach the event history.
_SECRET_MARKERS = ("password", "secret", "token", "seed", "private", "authenticationcode",
                   "code1", "code2")


def clean_text(value: str, limit: int = 2048) -> str:
    """Text any database and JSON column accepts: no NUL, no lone surrogates.

    Input is recorded as it came, bad characters included, so they are
    replaced with U+FFFD rather than refused: the event must always be written.
    """
    value = value[:limit]
    if value.isascii() and "\x00" not in value:
        return value
    return "".join("\ufffd" if ch == "\x00" or "\ud800" <= ch <= "\udfff" else ch
                   for ch in value)


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value, 1000)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return redact(value)
    if isinstance(value, Iterable):
        return [_clean_value(item) for item in list(value)[:100]]
    return clean_text(str(value), 1000)


def redact(parameters: dict[str, Any]) -> dict[str, Any]:
    """Drop secrets and keep the rest JSON-friendly."""
    clean: dict[str, Any] = {}
    for name, value in parameters.items():
        name = clean_text(str(name), 128)
        squashed = name.replace("_", "").lower()
        if any(marker in squashed for marker in _SECRET_MARKERS):
            clean[name] = "HIDDEN_DUE_TO_SECURITY_REASONS"
        else:
            clean[name] = _clean_value(value)
    return clean


def record(caller: Caller, action: str, *, outcome: str = "Success", resources=(),
           parameters: dict | None = None, error_message: str = "",
           durable: bool = True) -> None:
    """Write one event for ``caller`` doing ``action``.

    ``durable=False`` (a successful read) lets the event wait for this
    process's batch (``audit.event_writer``) when no transaction is open, or
    else commit asynchronously when it is the only write of its transaction
    (see ``_insert``); a transaction that changed anything else always commits
    synchronously, its event with it.
    """
    values = {
        "event_id": uuid.uuid4(),
        "time": timezone.now(),
        "account_id": clean_text(caller.account_id, 12),
        "principal_arn": clean_text(caller.principal_arn),
        "principal_type": caller.principal_type,
        "access_key_id": clean_text(caller.access_key_id, 32),
        "action": clean_text(action, 128),
        "resources": [clean_text(str(r)) for r in resources],
        "source_ip": clean_text(caller.source_ip, 64),
        "user_agent": clean_text(caller.user_agent, 512),
        "via": caller.via,
        "outcome": clean_text(outcome, 64),
        "error_message": clean_text(error_message, 2000),
        "parameters": redact(parameters or {}),
        "request_id": caller.request_id,
    }
    if not durable and not connection.in_atomic_block and event_writer.submit(values):
        return
    if connection.vendor == "postgresql":
        _insert(values, durable=durable)
    else:
        Event.objects.create(**values)


def start_event_writer(**options) -> None:
    """Batch this process's read events from now on (a server process: gunicorn_conf)."""
    options.setdefault("interval", settings.IAM_EVENT_BATCH_MS / 1000)
    event_writer.start(write_events, **options)


def write_events(batch: list[dict]) -> None:
    """Insert ``record``'s rows at once (the event writer's batches).

    On PostgreSQL the batch travels as one JSON parameter of one statement:
    the driver's work per row then is the JSON encoder's, a fraction of what
    binding fifteen parameters per row costs.
    """
    if connection.vendor != "postgresql":
        Event.objects.bulk_create([Event(**values) for values in batch])
        return
    rows = []
    for values in batch:
        row = {column: values[name] for name, column in _EVENT_NAMES}  # keyed as the table's
        row["event_id"], row["time"] = str(values["event_id"]), values["time"].isoformat()
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.execute(_batch_insert_sql(), [json.dumps(rows)])


def _insert(values: dict, *, durable: bool) -> None:
    """One INSERT in SQL built once: every API call writes an event, and the ORM's
    statement building costs more than the statement.

    A successful read changes nothing but the event history, so waiting for
    the WAL flush on its commit buys little: when ``durable`` is False and the
    transaction has written nothing else (no transaction id assigned yet), the
    same statement sets ``synchronous_commit`` off for this transaction only.
    PostgreSQL then stays consistent after a crash, and may lose at most the
    last few hundred milliseconds of such read events (3 x wal_writer_delay).
    """
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(durable), _row(values))


def _row(values: dict) -> list:
    return [json.dumps(values[name]) if is_json else values[name]
            for name, is_json in _EVENT_COLUMNS]


def _event_fields() -> list:
    return [field for field in Event._meta.concrete_fields if not field.primary_key]


_EVENT_NAMES = [(field.attname, field.column) for field in _event_fields()]
_EVENT_COLUMNS = [(field.attname, field.get_internal_type() == "JSONField")
                  for field in _event_fields()]


@lru_cache(maxsize=1)
def _event_insert_prefix() -> str:
    return f"INSERT INTO {table(Event)} "


@lru_cache(maxsize=1)
def _column_list() -> str:
    return ", ".join(connection.ops.quote_name(column) for _, column in _EVENT_NAMES)


@lru_cache(maxsize=2)
def _insert_sql(durable: bool) -> str:
    columns = _column_list()
    placeholders = ", ".join("%s::jsonb" if is_json else "%s" for _, is_json in _EVENT_COLUMNS)
    if durable:
        return f"{_event_insert_prefix()}({columns}) VALUES ({placeholders})"
    return (f"{_event_insert_prefix()}({columns}) SELECT {placeholders} FROM (SELECT set_config("
            "'synchronous_commit', CASE WHEN pg_current_xact_id_if_assigned() IS NULL "
            "THEN 'off' ELSE current_setting('synchronous_commit') END, true)) AS durability")


@lru_cache(maxsize=1)
def _batch_insert_sql() -> str:
    columns = _column_list()
    return (f"{_event_insert_prefix()}({columns}) SELECT {columns} "
            f"FROM json_populate_recordset(NULL::{table(Event)}, %s)")


class ReadOperationWrote(RuntimeError):
    """A read operation (one that runs outside a transaction) tried to write."""


_WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def _refuse_writes(execute, sql, params, many, context):
    # Events are the one write a read may make (a page records the sections it was refused).
    if _WRITE_STATEMENT.match(sql) and not sql.startswith(_event_insert_prefix()):
        raise ReadOperationWrote(f"a read operation issued: {sql[:80]}")
    return execute(sql, params, many, context)


def operation(action: str, *, writes: bool | None = None) -> Callable:
    """Run an operation in one transaction and record its event.

    The wrapped function authorizes first and may set ``caller`` resources by
    returning normally; any ``IamError`` (``AccessDenied`` included) rolls
    the change back and is recorded as a failure before it propagates.

    Reads (the catalogue's Read and List actions, unless ``writes=True``)
    skip the transaction when none is open: a read has nothing to roll
    back, and BEGIN and COMMIT would be two of its few round trips. Their
    statements always run under a guard that makes any write but an event a
    fault, so a read that starts writing is caught rather than left half-done.
    """
    if writes is None:
        writes = catalog.access_level(action) not in (catalog.READ, catalog.LIST)

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(caller: Caller, **kwargs):
            # Only this operation's decisions name its resources: a request that
            # runs several operations (a wizard, a delete with dependents) must
            # not credit one with the resources of those before it.
            first = len(caller.decisions)
            # Inside a caller's transaction (a wizard) a read keeps its savepoint,
            # so that a fault leaves the outer transaction usable for its event.
            atomic = writes or connection.in_atomic_block
            try:
                with transaction.atomic() if atomic else contextlib.nullcontext():
                    with (contextlib.nullcontext() if writes
                          else connection.execute_wrapper(_refuse_writes)):
                        result = func(caller, **kwargs)
                    record(caller, action, parameters=kwargs, durable=False,
                           resources=_resources_of(caller, first))
            except IamError as error:
                record(caller, action, outcome=error.code, parameters=kwargs,
                       error_message=error.message, resources=_resources_of(caller, first))
                raise
            except Exception:
                # A fault, not a refusal: the change rolled back; keep one failure
                # event (without the exception text, which may hold input) and let
                # the fault reach the error handlers.
                record(caller, action, outcome="ServiceFailure", parameters=kwargs,
                       error_message="The operation failed and nothing was changed.",
                       resources=_resources_of(caller, first))
                raise
            return result

        wrapper.iam_action = action
        return wrapper

    return decorate


def _resources_of(caller: Caller, first: int = 0) -> list[str]:
    seen: list[str] = []
    for decision in caller.decisions[first:]:
        resource = getattr(decision, "resource", "")
        if resource and resource not in seen:
            seen.append(resource)
    return seen
