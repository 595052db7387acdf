"""Recording events, and the wrapper that gives every operation its shape.

An operation's change and its success event commit together; when the
operation fails the change rolls back and only the failure event remains.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from audit.models import Event
from core.caller import Caller
from core.errors import IamError

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
           parameters: dict | None = None, error_message: str = "") -> Event:
    """Write one event for ``caller`` doing ``action``."""
    return Event.objects.create(
        account_id=clean_text(caller.account_id, 12),
        principal_arn=clean_text(caller.principal_arn),
        principal_type=caller.principal_type,
        access_key_id=clean_text(caller.access_key_id, 32),
        action=clean_text(action, 128),
        resources=[clean_text(str(r)) for r in resources],
        source_ip=clean_text(caller.source_ip, 64),
        user_agent=clean_text(caller.user_agent, 512),
        via=caller.via,
        outcome=clean_text(outcome, 64),
        error_message=clean_text(error_message, 2000),
        parameters=redact(parameters or {}),
        request_id=caller.request_id,
    )


def operation(action: str) -> Callable:
    """Run an operation in one transaction and record its event.

    The wrapped function authorizes first and may set ``caller`` resources by
    returning normally; any ``IamError`` (``AccessDenied`` included) rolls
    the change back and is recorded as a failure before it propagates.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(caller: Caller, **kwargs):
            # Only this operation's decisions name its resources: a request that
            # runs several operations (a wizard, a delete with dependents) must
            # not credit one with the resources of those before it.
            first = len(caller.decisions)
            try:
                with transaction.atomic():
                    result = func(caller, **kwargs)
                    record(caller, action, parameters=kwargs,
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
