"""Running one operation from a console POST, the way every button does.

Success gives a green flash; a typed error a red flash with its sentence;
``AccessDenied`` propagates to the access-denied page (ConsoleMiddleware), so
that a refusal says which action on which resource was refused and why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages

from core.errors import AccessDenied, IamError

_FAILED = object()


def run(request, operation: Callable, success: str | Callable[[Any], str] | None = None,
        **kwargs) -> Any:
    """Call ``operation(request.caller, **kwargs)``; flash the outcome.

    Returns the operation's result, or ``None`` when it failed with an error
    other than AccessDenied (already flashed).
    """
    try:
        result = operation(request.caller, **kwargs)
    except AccessDenied:
        raise
    except IamError as error:
        messages.error(request, error.message)
        return None
    if success:
        messages.success(request, success(result) if callable(success) else success)
    return result if result is not None else True
