"""Pages that show a new secret exactly once, with a .csv to download."""

from __future__ import annotations

import csv
import io

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from core.decorators import signed_in_only
from identities import secrets_display


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


@signed_in_only
@never_cache
def access_key_shown(request):
    """The new access key's secret: this page is the only place it ever appears."""
    shown = secrets_display.take(request, "access_key")
    if shown is None:
        return redirect("identities:dashboard")
    return render(request, "identities/access_key_shown.html", {
        "shown": shown,
        "csv": _csv([["Access key ID", "Secret access key"],
                     [shown["access_key_id"], shown["secret_access_key"]]]),
    })


@signed_in_only
@never_cache
def password_shown(request, user_name: str):
    """A new console password for a user, shown once to the administrator."""
    shown = secrets_display.take(request, "console_password")
    if shown is None or shown["user_name"] != user_name:
        return redirect("identities:user-detail", user_name=user_name)
    return render(request, "identities/password_shown.html", {
        "shown": shown,
        "csv": _csv([["User name", "Password", "Console sign-in URL"],
                     [shown["user_name"], shown["password"], shown["sign_in_url"]]]),
    })
