"""Secrets shown exactly once: kept in the session for the next page only.

The page that shows one pops it from the session and is served with
``Cache-Control: no-store``, so a reload or the back button shows nothing.
"""

from __future__ import annotations

SESSION_KEY = "iam_show_once"


def remember(request, kind: str, payload: dict) -> None:
    request.session[SESSION_KEY] = {"kind": kind, **payload}


def remember_console_password(request, user_name: str, password: str) -> None:
    """A console password just set for ``user_name``, with where to sign in."""
    from django.urls import reverse

    from identities.lookups import caller_account

    slug = caller_account(request.caller).sign_in_slug
    remember(request, "console_password", {
        "user_name": user_name, "password": password,
        "sign_in_url": request.build_absolute_uri(reverse("identities:signin-account", args=[slug])),
    })


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
