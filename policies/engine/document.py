"""The policy document model: what a parsed policy is (frozen dataclasses), the
policy kinds with their IAM size quotas, and the condition operator table.

``grammar.py`` turns text into these objects; every list element is a tuple, since
AWS accepts a string or a list almost everywhere and the engine should never care.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class PolicyKind(Enum):
    """Where a document is used; decides its size quota and whether it names principals.

    Sizes are IAM's quotas, counted without whitespace.
    """

    MANAGED = ("MANAGED", 6144, False)
    USER_INLINE = ("USER_INLINE", 2048, False)
    GROUP_INLINE = ("GROUP_INLINE", 5120, False)
    ROLE_INLINE = ("ROLE_INLINE", 10240, False)
    TRUST = ("TRUST", 2048, True)
    BOUNDARY = ("BOUNDARY", 6144, False)
    SESSION = ("SESSION", 2048, False)
    RESOURCE = ("RESOURCE", 20480, True)

    def __init__(self, label: str, max_size: int, is_resource_policy: bool) -> None:
        self.label = label
        self.max_size = max_size
        self.is_resource_policy = is_resource_policy

    @property
    def quota_name(self) -> str:
        """The quota AWS names in its LimitExceeded message."""
        return "ACLSizePerRole" if self is PolicyKind.TRUST else "PolicySize"


VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VERSIONS = (VERSION_2012, VERSION_2008)

_WHITESPACE = re.compile(r"\s+")

#: Every condition operator IAM knows (without qualifier or IfExists), and the
#: family that decides how its values are typed.
OPERATORS: dict[str, str] = {
    "StringEquals": "string",
    "StringNotEquals": "string",
    "StringEqualsIgnoreCase": "string",
    "StringNotEqualsIgnoreCase": "string",
    "StringLike": "string",
    "StringNotLike": "string",
    "NumericEquals": "numeric",
    "NumericNotEquals": "numeric",
    "NumericLessThan": "numeric",
    "NumericLessThanEquals": "numeric",
    "NumericGreaterThan": "numeric",
    "NumericGreaterThanEquals": "numeric",
    "DateEquals": "date",
    "DateNotEquals": "date",
    "DateLessThan": "date",
    "DateLessThanEquals": "date",
    "DateGreaterThan": "date",
    "DateGreaterThanEquals": "date",
    "Bool": "bool",
    "BinaryEquals": "binary",
    "IpAddress": "ip",
    "NotIpAddress": "ip",
    "ArnEquals": "arn",
    "ArnNotEquals": "arn",
    "ArnLike": "arn",
    "ArnNotLike": "arn",
    "Null": "null",
}
QUALIFIERS = ("ForAllValues", "ForAnyValue")


@dataclass(frozen=True, slots=True)
class PrincipalBlock:
    """A ``Principal`` or ``NotPrincipal`` element.  ``wildcard`` is ``"*"`` or
    ``{"AWS": "*"}``; AWS account ids are stored as root ARNs, as IAM stores them."""

    wildcard: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    """One key test: ``{"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": [...]}}``."""

    operator: str
    base: str
    qualifier: str | None
    if_exists: bool
    key: str
    values: tuple[str, ...]

    @property
    def family(self) -> str:
        return OPERATORS[self.base]


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: str
    principal: PrincipalBlock | None = None
    not_principal: PrincipalBlock | None = None
    action: tuple[str, ...] | None = None
    not_action: tuple[str, ...] | None = None
    resource: tuple[str, ...] | None = None
    not_resource: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()

    def same_rule(self, other: Statement) -> bool:
        """True when the two statements grant or deny exactly the same thing."""
        return (
            self.effect == other.effect
            and self.principal == other.principal
            and self.not_principal == other.not_principal
            and self.action == other.action
            and self.not_action == other.not_action
            and self.resource == other.resource
            and self.not_resource == other.not_resource
            and self.conditions == other.conditions
        )


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    kind: PolicyKind
    version: str
    version_given: bool
    id: str | None
    statements: tuple[Statement, ...]

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only in 2012-10-17 documents."""
        return self.version == VERSION_2012


def policy_size(text: str) -> int:
    """Characters counted against IAM's quota: everything except whitespace."""
    if text.isascii():
        return len(text) - sum(text.count(c) for c in " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")
    return len(text) - sum(len(run) for run in _WHITESPACE.findall(text))


def split_operator(name: str) -> tuple[str | None, str, bool] | None:
    """``"ForAnyValue:StringLikeIfExists"`` -> ("ForAnyValue", "StringLike", True)."""
    qualifier = None
    if ":" in name:
        qualifier, _, name = name.partition(":")
        if qualifier not in QUALIFIERS:
            return None
    if_exists = name.endswith("IfExists")
    base = name[: -len("IfExists")] if if_exists else name
    if base not in OPERATORS:
        return None
    return qualifier, base, if_exists
