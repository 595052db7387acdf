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


def all_or_nothing(request, steps: Callable[[], Any], *, action: str, parameters: dict,
                   failure: str) -> bool:
    """Run several operations as one console action (a wizard, a delete with what
    depends on it): together in one transaction, or not at all.

    The steps' own events roll back with them, so one failure event for the
    whole action is kept. AccessDenied goes on to the access-denied page; any
    other error becomes a red flash starting with ``failure``.
    """
    from django.db import transaction

    from audit.recording import record

    try:
        with transaction.atomic():
            steps()
    except IamError as error:
        record(request.caller, action, outcome=error.code, error_message=error.message,
               parameters={**parameters, "as_one_action": True})
        if isinstance(error, AccessDenied):
            raise
        messages.error(request, f"{failure}: {error.message}")
        return False
    return True


def update_tags(request, *, tag: Callable, untag: Callable, **entity) -> None:
    """The Tags tab's two buttons: add or change one tag (``key``/``value``), or
    remove one (``remove``), on the entity named by ``entity`` (e.g. user_name=...)."""
    if request.POST.get("remove"):
        run(request, untag, "Tag removed.", tag_keys=[request.POST["remove"]], **entity)
    else:
        run(request, tag, "Tags saved.",
            tags=[{"Key": request.POST.get("key", ""), "Value": request.POST.get("value", "")}],
            **entity)
