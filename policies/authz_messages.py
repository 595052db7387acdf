"""Encoded authorization failure messages, as AWS's DecodeAuthorizationMessage reads them.

An API AccessDenied carries the decision encoded: what was asked, by whom,
with which context, and which statements matched. Only the account it was
issued in can decode it (the ciphertext is bound to the account), and only a
principal allowed ``sts:DecodeAuthorizationMessage``.
"""

from __future__ import annotations

import base64
import json

from core import crypto
from core.errors import IamError
from policies.engine import DecisionEffect


class InvalidAuthorizationMessage(IamError):
    code = "InvalidAuthorizationMessageException"
    status = 400
    sender_fault = True


def _binding(account_id: str) -> str:
    return f"authorization-message:{account_id}"


def encode(account_id: str, *, principal_arn: str, principal_id: str, action: str,
           resource: str, decision, context: dict) -> str:
    """The message AWS's DecodeAuthorizationMessage returns, encrypted for ``account_id``."""
    statements = [
        {"sourcePolicyId": ref.policy_id, "sourcePolicyType": "IAM Policy",
         "statementId": ref.sid or f"Statement[{ref.index}]", "effect": ref.effect}
        for ref in (decision.matched_statements if decision is not None else ())
    ]
    conditions = [
        {"key": key, "values": {"items": [{"value": str(v)} for v in
                                          (value if isinstance(value, (list, tuple)) else [value])]}}
        for key, value in sorted(context.items())
    ]
    message = {
        "allowed": False,
        "explicitDeny": decision is not None and decision.effect is DecisionEffect.EXPLICIT_DENY,
        "matchedStatements": {"items": statements},
        "failures": {"items": []},
        "context": {"principal": {"id": principal_id, "arn": principal_arn},
                    "action": action, "resource": resource,
                    "conditions": {"items": conditions}},
    }
    sealed = crypto.encrypt(json.dumps(message), bound_to=_binding(account_id))
    return base64.urlsafe_b64encode(sealed.encode()).decode().rstrip("=")


def decode(account_id: str, encoded: str) -> str:
    """The decoded JSON text, or InvalidAuthorizationMessage for anything else."""
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        sealed = base64.urlsafe_b64decode(padded.encode()).decode()
        return crypto.decrypt(sealed, bound_to=_binding(account_id))
    except (ValueError, UnicodeError, crypto.DecryptionFailed) as exc:
        raise InvalidAuthorizationMessage(
            "The authorization message is invalid or was issued in another account.") from exc
