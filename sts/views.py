"""Console Switch role: the form, a shareable link that pre-fills it, and switch back."""

from __future__ import annotations

import re

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.recording import record
from core.caller import Caller
from core.decorators import signed_in_only
from core.errors import IamError, InvalidInput
from identities import sessions
from identities.backends import find_account
from sts import operations, services
from sts.middleware import ROLE_SESSION
from sts.models import RecentRole, RoleSession

CONSOLE_SESSION_SECONDS = 3600
KEEP_RECENT = 10
_COLORS = RecentRole.COLORS


@signed_in_only
def switch_role(request):
    """Assume a role from the console as the signed-in user (never as another role)."""
    user = request.user
    initial = {"account": request.GET.get("account", ""), "role_name": request.GET.get("roleName", ""),
               "display_name": request.GET.get("displayName", ""),
               "color": request.GET.get("color", "blue")}
    error = ""
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip() for k in initial}
        initial = data
        try:
            _switch(request, user, data)
        except IamError as failure:
            error = failure.message
        else:
            return redirect("identities:dashboard")
    return render(request, "sts/switch_role.html", {
        "form": initial, "error": error, "colors": _COLORS, "is_root": user.is_root,
        "recent": RecentRole.objects.filter(user=user)[:KEEP_RECENT],
    })


def _switch(request, user, data: dict) -> None:
    account = find_account(data["account"])
    account_id = account.id if account else data["account"]
    if not re.fullmatch(r"[0-9]{12}", account_id or ""):
        raise InvalidInput("Enter the 12-digit account ID or the alias of the account.")
    color = data["color"] if data["color"] in _COLORS else "blue"
    # AWS switches from the signed-in identity itself, never from a current role.
    base = Caller.for_user(user, via="console", source_ip=request.caller.source_ip,
                           user_agent=request.caller.user_agent,
                           secure_transport=request.is_secure(),
                           mfa_authenticated_at=request.caller.mfa_authenticated_at)
    role_arn = f"arn:aws:iam::{account_id}:role/{data['role_name']}"
    with transaction.atomic():
        if request.session.get(ROLE_SESSION):
            _end_current(request)
        role = _role_for_arn(account_id, data["role_name"])
        duration = min(CONSOLE_SESSION_SECONDS, role.max_session_duration if role else 3600)
        assumed = operations.assume_role(base, role_arn=role.arn if role else role_arn,
                                         role_session_name=user.name or "root",
                                         duration_seconds=duration, is_console=True)
        display = (data["display_name"] or f"{data['role_name']} @ {account_id}")[:64]
        RecentRole.objects.update_or_create(
            user=user, account_id=account_id, role_name=data["role_name"],
            defaults={"display_name": display, "color": color, "used_at": timezone.now()})
        stale = RecentRole.objects.filter(user=user).values_list("pk", flat=True)[KEEP_RECENT:]
        RecentRole.objects.filter(pk__in=list(stale)).delete()
    # A new session key for the new identity acting in this browser.
    sessions.rekey(request)
    request.session[ROLE_SESSION] = {
        "pk": assumed.session.pk, "display_name": display, "color": color,
        "role_arn": assumed.session.issued_role_arn, "account_id": account_id,
    }
    messages.success(request, f"You are now using the role {display}.")


def _role_for_arn(account_id: str, role_name: str):
    from identities.models import Role

    return Role.objects.filter(account_id=account_id, name__iexact=role_name).first()


@require_POST
@signed_in_only
def switch_back(request):
    """End the console role session and act as oneself again."""
    if request.session.get(ROLE_SESSION):
        record(request.caller, "signin:SwitchBack",
               parameters={"role": request.session[ROLE_SESSION].get("role_arn", "")})
        _end_current(request)
        sessions.rekey(request)
        messages.success(request, f"Back to {request.user.display_name}.")
    return redirect("identities:dashboard")


def _end_current(request) -> None:
    switched = request.session.pop(ROLE_SESSION, None)
    if switched:
        session = RoleSession.objects.filter(pk=switched["pk"], is_console=True,
                                             source_arn=request.user.arn).first()
        if session is not None:
            services.end_session(session)
