"""The caller of an operation: who acts, and the context of the request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.ids import request_id as new_request_id


@dataclass
class Caller:
    """The acting principal plus what the engine and the event history need.

    ``user`` is the signed-in identity (root or IAM user); ``session`` a role
    session when the caller acts in a role. ``decisions`` collects every
    authorization decision taken for this request, so that a console view
    that took none can fail closed.
    """

    account_id: str
    principal_arn: str
    principal_type: str  # "Root", "IAMUser", "AssumedRole", "System"
    user: Any = None
    session: Any = None
    via: str = "console"  # "console", "api", "task", "command"
    source_ip: str = ""
    user_agent: str = ""
    access_key_id: str = ""
    secure_transport: bool = False
    mfa_authenticated_at: datetime | None = None
    # The account's policy generation, when it was read with the caller's
    # credentials (the API reads it in the access key's query); the first
    # authorization uses it instead of reading it again (policies.policyset).
    policy_generation: int | None = None
    request_id: str = field(default_factory=new_request_id)
    decisions: list = field(default_factory=list)

    @property
    def is_root(self) -> bool:
        return self.principal_type == "Root"

    @property
    def is_system(self) -> bool:
        return self.principal_type == "System"

    @classmethod
    def for_user(cls, user, **context) -> Caller:
        """A caller acting as ``user`` (root or IAM user) itself."""
        return cls(
            account_id=user.account_id,
            principal_arn=user.arn,
            principal_type="Root" if user.is_root else "IAMUser",
            user=user,
            **context,
        )

    @classmethod
    def system(cls, account_id: str, via: str = "command") -> Caller:
        """The deployment itself (management commands, tasks): not an IAM principal.

        Only services and commands run by the operator act as the system;
        no request from the console or the API can become one.
        """
        return cls(account_id=account_id, principal_arn=f"arn:aws:iam::{account_id}:root",
                   principal_type="System", via=via)
