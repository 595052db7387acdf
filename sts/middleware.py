"""Console role sessions: while a user has switched role, every page acts as the
assumed-role principal. The session is checked on every request, exactly like
temporary credentials presented to the API; when it ends the console switches
back and says why."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from audit.recording import record
from core.errors import IamError
from sts import services

ROLE_SESSION = "iam_role_session"


class ConsoleRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        switched = request.session.get(ROLE_SESSION) if hasattr(request, "session") else None
        caller = getattr(request, "caller", None)
        if not switched or caller is None:
            return None
        user = request.user
        try:
            session = services.resolve_console_session(switched["pk"], source_arn=user.arn)
        except IamError as ended:
            del request.session[ROLE_SESSION]
            record(caller, "signin:SwitchRoleEnded", outcome=ended.code,
                   parameters={"role": switched.get("role_arn", "")})
            messages.warning(request, f"Your session as {switched.get('display_name')} ended "
                                      f"({'it expired' if ended.code == 'ExpiredToken' else 'it was revoked'}). "
                                      f"You are back to {user.display_name}.")
            # Switching back reveals and changes nothing: no decision is needed.
            request.iam_needs_decision = False
            return redirect("identities:dashboard")
        request.caller = services.caller_for_session(
            session, via="console", user=user, source_ip=caller.source_ip,
            user_agent=caller.user_agent, secure_transport=caller.secure_transport,
            request_id=caller.request_id)
        request.role_label = switched
        return None
