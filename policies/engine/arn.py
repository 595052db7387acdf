"""ARNs: splitting them, and the few facts the engine reads out of them.

An ARN is ``arn:partition:service:region:account:resource``; the resource part is
"the rest" and may itself contain colons (``arn:aws:logs:...:log-group:name:*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACCOUNT_ID = re.compile(r"[0-9]{12}")

#: The account of AWS managed policies (``arn:aws:iam::aws:policy/...``): requests on
#: them are treated like same-account requests.
AWS_MANAGED_ACCOUNT = "aws"


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its six parts, or None when ``text`` is not shaped like one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def account_of(resource: str) -> str | None:
    """The account that owns ``resource`` according to its ARN, or None when the ARN
    names no account ("*", S3 buckets, malformed text)."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4]:
        return parts[4]
    return None


def is_account_id(text: str) -> bool:
    return ACCOUNT_ID.fullmatch(text) is not None


def root_arn(account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:root"


def friendly_name(resource: str) -> str:
    """The last path component of an IAM resource ("user/path/alice" -> "alice")."""
    return resource.rsplit("/", 1)[-1]
