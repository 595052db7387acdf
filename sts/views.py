"""Console Switch role: the form, a shareable link that pre-fills it, and switch back."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.recording import record
from core.caller import Caller
from core.decorators import signed_in_only
from core.errors import IamError
from identities import sessions
from sts import console
from sts.middleware import ROLE_SESSION


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
        "form": initial, "error": error, "colors": console.COLORS, "is_root": user.is_root,
        "recent": console.recent(user),
    })


def _switch(request, user, data: dict) -> None:
    base = Caller.for_user(user, via="console", source_ip=request.caller.source_ip,
                           user_agent=request.caller.user_agent,
                           secure_transport=request.is_secure(),
                           mfa_authenticated_at=request.caller.mfa_authenticated_at)
    current = request.session.get(ROLE_SESSION)
    switched = console.switch(base, user, account_ref=data["account"], role_name=data["role_name"],
                              display_name=data["display_name"], color=data["color"],
                              current_pk=current["pk"] if current else None)
    # A new session key for the new identity acting in this browser.
    sessions.rekey(request)
    request.session[ROLE_SESSION] = switched.as_session_value()
    messages.success(request, f"You are now using the role {switched.display_name}.")


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
        console.end(request.user, switched["pk"])
