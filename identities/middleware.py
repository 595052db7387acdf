"""Session rules for the console: lifetime, idle timeout, required MFA enrolment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from audit.recording import record
from core.caller import Caller
from identities import sessions
from identities.models import MFADevice


class ConsoleSessionMiddleware:
    """Ends sessions past their lifetime or idle limit; holds users who must enrol MFA."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "iam_public", False) or not request.user.is_authenticated:
            return None
        reason = sessions.expired_reason(request)
        if reason:
            user = request.user
            record(Caller.for_user(user, via="console"), "signin:ConsoleLogout",
                   parameters={"reason": reason})
            sessions.forget(request.session.session_key)
            logout(request)
            messages.info(request, reason)
            return redirect("identities:signin")
        sessions.touch(request)
        if self._must_enrol(request) and not getattr(view_func, "iam_enrolment_ok", False):
            messages.warning(request, "This account requires MFA for console users. "
                                      "Assign an MFA device to continue.")
            return redirect("identities:mfa-assign")
        return None

    def _must_enrol(self, request) -> bool:
        user = request.user
        if user.is_root or not user.account.require_mfa_for_console:
            return False
        if request.session.get("iam_mfa_at") or request.session.get("iam_mfa_enrolled"):
            return False
        return not MFADevice.objects.filter(user=user, confirmed=True).exists()
