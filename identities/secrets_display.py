"""Secrets shown exactly once: kept in the session for the next page only.

The page that shows one pops it from the session and is served with
``Cache-Control: no-store``, so a reload or the back button shows nothing.
"""

from __future__ import annotations

SESSION_KEY = "iam_show_once"


def remember(request, kind: str, payload: dict) -> None:
    request.session[SESSION_KEY] = {"kind": kind, **payload}


def remember_access_key(request, created) -> None:
    remember(request, "access_key", {
        "user_name": created.key.user.name if not created.key.user.is_root else "root",
        "access_key_id": created.key.access_key_id,
        "secret_access_key": created.secret_access_key,
    })


def take(request, kind: str) -> dict | None:
    """The secret waiting for this page, removed from the session as it is read."""
    payload = request.session.get(SESSION_KEY)
    if not payload or payload.get("kind") != kind:
        return None
    del request.session[SESSION_KEY]
    return payload
