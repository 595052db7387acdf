"""The console's gate: sign-in, forced password change, fail-closed authorization.

Secure by default, like Django's LoginRequiredMiddleware: a view needs a
signed-in principal unless marked ``@public``, and must take at least one
authorization decision unless marked ``@signed_in_only``; a view that took
none gets a refusal instead of its page.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render

from core.caller import Caller
from core.errors import AccessDenied, IamError, NoSuchEntity
from core.http import client_address

log = logging.getLogger(__name__)


class ConsoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "iam_needs_decision", False) and response.status_code < 400:
            caller = getattr(request, "caller", None)
            if caller is None or not caller.decisions:
                log.error("view %s took no authorization decision", request.path)
                return render(request, "errors/access_denied.html", {
                    "message": "This page took no authorization decision, so it is refused.",
                }, status=403)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "iam_public", False):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        request.caller = Caller.for_user(
            user,
            via="console",
            source_ip=client_address(request, settings.IAM_TRUSTED_PROXIES),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            secure_transport=request.is_secure(),
            mfa_authenticated_at=_parse_time(request.session.get("iam_mfa_at")),
        )
        if request.session.get("iam_password_reset") and not getattr(
            view_func, "iam_password_reset_ok", False
        ):
            return redirect("identities:signin-change-password")
        request.iam_needs_decision = not getattr(view_func, "iam_signed_in_only", False)
        return None

    def process_exception(self, request, exception):
        """Typed errors that escape a view become the console's error pages."""
        if not hasattr(request, "caller"):
            return None
        request.iam_needs_decision = False
        if isinstance(exception, AccessDenied):
            return render(request, "errors/access_denied.html", {
                "message": exception.message, "action": exception.action,
                "resource": exception.resource,
            }, status=403)
        if isinstance(exception, NoSuchEntity):
            return render(request, "errors/not_found.html", {"message": exception.message},
                          status=404)
        if isinstance(exception, IamError):
            return render(request, "errors/error.html", {
                "message": exception.message, "code": exception.code,
            }, status=exception.status)
        return None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
