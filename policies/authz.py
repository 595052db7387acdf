"""Authorization: the one place where Django meets the engine.

``authorize`` builds the engine's request from the caller, loads the caller's
policy set and returns the decision, or raises ``AccessDenied`` with AWS's
sentence. Every decision is appended to ``caller.decisions`` so that the
console can fail closed when a view took none, and the event history can
name the resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone

from core.caller import Caller
from core.errors import AccessDenied
from policies import policyset
from policies.engine import Decision, Principal, Request, evaluate


@dataclass(frozen=True)
class AuthzRecord:
    action: str
    resource: str
    decision: Decision | None  # None for the operator acting as the system


def principal_of(caller: Caller) -> Principal:
    """The engine's view of who is calling."""
    if caller.is_root:
        return Principal(arn=caller.principal_arn, account=caller.account_id, kind="Account")
    if caller.session is not None and caller.session.role_arn:
        return Principal(arn=caller.principal_arn, account=caller.account_id,
                         kind="AssumedRole", role_arn=caller.session.role_arn)
    return Principal(arn=caller.principal_arn, account=caller.account_id, kind="User")


def request_context(caller: Caller, now: datetime | None = None) -> dict[str, object]:
    """The global condition keys AWS puts in every request's context."""
    now = now or datetime.now(dt_timezone.utc)
    context: dict[str, object] = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true" if caller.secure_transport else "false",
        "aws:PrincipalArn": caller.principal_arn,
        "aws:PrincipalAccount": caller.account_id,
        "aws:PrincipalType": {"Root": "Account", "IAMUser": "User",
                              "AssumedRole": "AssumedRole"}.get(caller.principal_type, ""),
        "aws:MultiFactorAuthPresent": "true" if caller.mfa_authenticated_at else "false",
    }
    if caller.source_ip:
        context["aws:SourceIp"] = caller.source_ip
    if caller.mfa_authenticated_at:
        age = max(0, int((now - caller.mfa_authenticated_at).total_seconds()))
        context["aws:MultiFactorAuthAge"] = str(age)
    user = caller.user
    if caller.session is not None:
        context.update(caller.session.context_keys())
    elif user is not None and not caller.is_root:
        context["aws:username"] = user.name
        context["aws:userid"] = user.user_id
        # AWS puts an IAM user's own tags in every request it makes; without them
        # a Deny on aws:PrincipalTag would silently never apply to users.
        for tag in user.tags or []:
            context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
    elif caller.is_root:
        context["aws:userid"] = caller.account_id
    return context


def authorize(caller: Caller, action: str, resource: str, *,
              context: dict[str, object] | None = None) -> Decision | None:
    """Decide ``action`` on ``resource`` for ``caller``; raise AccessDenied if refused."""
    if caller.is_system:
        caller.decisions.append(AuthzRecord(action, resource, None))
        return None
    request_context_keys = request_context(caller)
    if context:
        request_context_keys.update(context)
    request = Request(
        action=action,
        resource=resource,
        principal=principal_of(caller),
        context=request_context_keys,
    )
    decision = evaluate(request, policyset.for_caller(caller))
    caller.decisions.append(AuthzRecord(action, resource, decision))
    if not decision.allowed:
        denied = AccessDenied(decision.message(request), action=action, resource=resource,
                              principal_arn=caller.principal_arn, decision=decision)
        # For the API's encoded authorization failure message (DecodeAuthorizationMessage).
        denied.account_id = caller.account_id
        denied.context = request_context_keys
        raise denied
    return decision


def record_grant(caller: Caller, action: str, resource: str, reason: str) -> None:
    """Note an action that AWS allows without a policy (e.g. a password change the
    account password policy permits), so that the console and the event
    history see that a decision was taken and why."""
    caller.decisions.append(AuthzRecord(action, resource, None))
    caller.grant_reasons = getattr(caller, "grant_reasons", []) + [reason]
