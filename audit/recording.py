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


def redact(parameters: dict[str, Any]) -> dict[str, Any]:
    """Drop secrets and keep the rest JSON-friendly."""
    clean: dict[str, Any] = {}
    for name, value in parameters.items():
        squashed = name.replace("_", "").lower()
        if any(marker in squashed for marker in _SECRET_MARKERS):
            clean[name] = "HIDDEN_DUE_TO_SECURITY_REASONS"
        elif isinstance(value, (str, int, float, bool)) or value is None:
            clean[name] = value
        elif isinstance(value, dict):
            clean[name] = redact(value)
        elif isinstance(value, Iterable):
            clean[name] = [v if isinstance(v, (str, int, float, bool)) else str(v) for v in value]
        else:
            clean[name] = str(value)
    return clean


def record(caller: Caller, action: str, *, outcome: str = "Success", resources=(),
           parameters: dict | None = None, error_message: str = "") -> Event:
    """Write one event for ``caller`` doing ``action``."""
    return Event.objects.create(
        account_id=caller.account_id,
        principal_arn=caller.principal_arn,
        principal_type=caller.principal_type,
        access_key_id=caller.access_key_id,
        action=action,
        resources=list(resources),
        source_ip=caller.source_ip,
        user_agent=caller.user_agent[:512],
        via=caller.via,
        outcome=outcome,
        error_message=error_message[:2000],
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
            try:
                with transaction.atomic():
                    result = func(caller, **kwargs)
                    record(caller, action, parameters=kwargs,
                           resources=_resources_of(caller))
            except IamError as error:
                record(caller, action, outcome=error.code, parameters=kwargs,
                       error_message=error.message, resources=_resources_of(caller))
                raise
            return result

        wrapper.iam_action = action
        return wrapper

    return decorate


def _resources_of(caller: Caller) -> list[str]:
    seen: list[str] = []
    for decision in caller.decisions:
        resource = getattr(decision, "resource", "")
        if resource and resource not in seen:
            seen.append(resource)
    return seen
