"""Console sessions and sign-in locks: list and end one's own sessions, sign a user
out everywhere, unlock a user's sign-in, require MFA for console users.

These are console features AWS has no API for; their action names are this
system's own (listed in the README) so that policies can grant them.
"""

from __future__ import annotations

from audit.recording import operation
from core.caller import Caller
from core.errors import NoSuchEntity
from identities import sessions, throttle
from identities.lookups import find_user
from identities.models import Account, ConsoleSession
from policies.authz import authorize, record_grant


@operation("iam:ListConsoleSessions")
def list_own_console_sessions(caller: Caller) -> list[ConsoleSession]:
    """The caller's own console sessions (always allowed: they are the caller's)."""
    record_grant(caller, "iam:ListConsoleSessions", caller.user.arn, "own sessions")
    return list(ConsoleSession.objects.filter(user=caller.user))


@operation("iam:RevokeConsoleSessions")
def end_own_console_sessions(caller: Caller, *, session_ids: list[int], keep: str = "") -> int:
    """End some of the caller's own sessions (never the one in use, ``keep``)."""
    record_grant(caller, "iam:RevokeConsoleSessions", caller.user.arn, "own sessions")
    keys = (ConsoleSession.objects.filter(user=caller.user, pk__in=session_ids)
            .exclude(session_key=keep).values_list("session_key", flat=True))
    return sessions.end(caller.user, keys)


@operation("iam:RevokeConsoleSessions")
def sign_out_everywhere(caller: Caller, *, user_name: str) -> None:
    """An administrator ends every console session of a user at once."""
    user = find_user(caller, user_name, "iam:RevokeConsoleSessions")
    sessions.end_all(user)


@operation("iam:UnlockSignIn")
def unlock_sign_in(caller: Caller, *, user_name: str) -> None:
    """An administrator clears a user's failed sign-in counter (audited)."""
    user = find_user(caller, user_name, "iam:UnlockSignIn")
    # Sign-in counts failures under the account id, whichever way it was typed.
    throttle.reset(throttle.identity_key(user.account_id, user.name))


@operation("iam:UpdateAccountSettings")
def set_require_mfa_for_console(caller: Caller, *, required: bool) -> None:
    """Account setting: IAM users must enrol MFA before using the console."""
    authorize(caller, "iam:UpdateAccountSettings", "*")
    if not Account.objects.filter(pk=caller.account_id).update(require_mfa_for_console=required):
        raise NoSuchEntity("The account cannot be found.")
