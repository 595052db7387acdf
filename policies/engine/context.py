"""Who is asking and in what context: ``Principal``, ``Request`` and the request
context as the evaluator reads it.

Context keys are case-insensitive (AWS: "``aws:CurrentTime`` is equivalent to
``AWS:currenttime``"); values are strings, a list of strings for a multi-valued key
(``aws:TagKeys``).  Keys that follow from the principal - ``aws:PrincipalArn``,
``aws:PrincipalAccount``, ``aws:PrincipalType``, ``aws:username``, ``aws:userid``,
``aws:PrincipalTag/...`` - are filled in from it unless the caller gave them, so a
policy with ``${aws:username}`` works without ceremony.  Time, source IP, MFA and
the like are the caller's to supply (``build_context`` helps), which keeps
evaluation a pure function of its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .arn import AWS_MANAGED_ACCOUNT, account_of, friendly_name, root_arn

_UNSEEN = object()
PRINCIPAL_KINDS = ("Account", "User", "AssumedRole", "FederatedUser", "Service", "Anonymous")
_EMPTY: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller.

    ``kind`` uses the values of ``aws:PrincipalType`` ("Account" is the root user),
    plus "Service" for an AWS service principal.  For an assumed-role session,
    ``arn`` is the session ARN (``arn:aws:sts::ACCT:assumed-role/ROLE/SESSION``) and
    ``role_arn`` the role's IAM ARN (with its path).
    """

    arn: str
    account: str
    kind: str
    role_arn: str | None = None
    user_id: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    federated: str | None = None
    identities: tuple[str, ...] = field(init=False, repr=False, compare=False)
    context_defaults: Mapping[str, str] = field(init=False, repr=False, compare=False)
    is_root: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in PRINCIPAL_KINDS:
            raise ValueError(f"unknown principal kind {self.kind!r}")
        # The ARNs a Principal/NotPrincipal element can name for this caller: its own
        # ARN, its role (for a session), and its account.
        idents = [self.arn]
        if self.role_arn:
            idents.append(self.role_arn)
        if self.kind in ("User", "AssumedRole", "FederatedUser") and self.account:
            idents.append(root_arn(self.account, self.partition))
        object.__setattr__(self, "identities", tuple(idents))
        defaults = {key.lower(): value for key, value in _principal_keys(self)}
        object.__setattr__(self, "context_defaults", defaults)
        object.__setattr__(self, "is_root", self.kind == "Account")

    @property
    def partition(self) -> str:
        parts = self.arn.split(":", 2)
        return parts[1] if len(parts) > 2 and parts[0] == "arn" and parts[1] else "aws"

    @property
    def username(self) -> str | None:
        """``aws:username``: present for IAM users only."""
        if self.kind == "User":
            return friendly_name(self.arn.split(":", 5)[-1])
        return None

    @classmethod
    def from_arn(
        cls,
        arn: str,
        *,
        role_arn: str | None = None,
        user_id: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Principal:
        """Build a principal from its ARN: root, user, assumed-role session or
        federated user; the role ARN of a session defaults to one without a path."""
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            raise ValueError(f"not an ARN: {arn!r}")
        partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
        tag_pairs = tuple(sorted((tags or {}).items()))
        if service == "iam" and resource == "root":
            return cls(arn, account, "Account", user_id=user_id, tags=tag_pairs)
        if service == "iam" and resource.startswith("user/"):
            return cls(arn, account, "User", user_id=user_id, tags=tag_pairs)
        if service == "sts" and resource.startswith("assumed-role/"):
            segments = resource.split("/")
            if len(segments) < 3:
                raise ValueError(f"not an assumed-role ARN: {arn!r}")
            role = role_arn or f"arn:{partition}:iam::{account}:role/{segments[1]}"
            return cls(arn, account, "AssumedRole", role_arn=role, user_id=user_id, tags=tag_pairs)
        if service == "sts" and resource.startswith("federated-user/"):
            return cls(arn, account, "FederatedUser", user_id=user_id, tags=tag_pairs)
        raise ValueError(f"not a principal ARN: {arn!r}")

    @classmethod
    def service(cls, name: str) -> Principal:
        """An AWS service principal such as ``ec2.amazonaws.com``."""
        return cls(name, "", "Service")

    @classmethod
    def anonymous(cls) -> Principal:
        return cls("*", "", "Anonymous")


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization question: may ``principal`` do ``action`` on ``resource``?

    ``resource_account`` defaults to the account in the resource ARN; None means the
    ARN names no account ("*", an S3 bucket), which is treated as the caller's own.
    """

    action: str
    resource: str
    principal: Principal
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    resource_account: str | None = None

    def __post_init__(self) -> None:
        if self.resource_account is None:
            object.__setattr__(self, "resource_account", account_of(self.resource))

    @property
    def same_account(self) -> bool:
        owner = self.resource_account
        return owner is None or owner == self.principal.account or owner == AWS_MANAGED_ACCOUNT


class ContextView:
    """The request context as conditions read it: lower-cased keys, tuple values.

    Built lazily, key by key: most decisions reach no statement with a condition and
    never pay for it.  ``relevant`` collects the keys of every statement that was
    relevant to the request (action and resource matched) so that the decision can
    say which of them the request lacked, computed only when someone asks.
    """

    __slots__ = ("_request", "_raw", "_values", "_multi", "relevant")

    def __init__(self, request: Request) -> None:
        self._request = request
        self._raw: dict[str, Any] | None = None
        self._values: dict[str, tuple[str, ...] | None] = {}
        self._multi: set[str] | None = None
        self.relevant: list[tuple[tuple[str, str], ...]] | None = None

    def _load(self) -> dict[str, Any]:
        raw = {key.lower(): value for key, value in (self._request.context or {}).items()}
        self._raw = raw
        return raw

    def get(self, key: str) -> tuple[str, ...] | None:
        """Values of a lower-cased key, or None when the request does not have it."""
        values = self._values.get(key, _UNSEEN)
        if values is not _UNSEEN:
            return values  # type: ignore[return-value]
        raw = self._raw
        if raw is None:
            raw = self._load()
        value = raw.get(key)
        if value is None:
            value = self._request.principal.context_defaults.get(key)
        if value is None:
            values = None
        elif isinstance(value, str):
            values = (value,)
        elif isinstance(value, bool):
            values = ("true" if value else "false",)
        elif isinstance(value, (int, float)):
            values = (str(value),)
        elif isinstance(value, (Sequence, set, frozenset)):
            if self._multi is None:
                self._multi = set()
            self._multi.add(key)
            values = (
                tuple(("true" if v else "false") if isinstance(v, bool) else str(v) for v in value)
                or None
            )
        else:
            values = (str(value),)
        self._values[key] = values
        return values

    def single(self, key: str) -> str | None:
        """The value a policy variable takes: None for an absent or multi-valued key
        (AWS: multi-valued keys cannot be used as variables)."""
        values = self.get(key)
        if values is None or len(values) != 1 or (self._multi is not None and key in self._multi):
            return None
        return values[0]

    def missing_keys(self) -> tuple[str, ...]:
        """Keys used by relevant statements that the request does not have."""
        if not self.relevant:
            return ()
        out: list[str] = []
        for keys in self.relevant:
            for lowered, name in keys:
                if self.get(lowered) is None and name not in out:
                    out.append(name)
        return tuple(out)


def _principal_keys(principal: Principal) -> list[tuple[str, str]]:
    """Context keys that follow from the principal, by their AWS names.  For a role
    session ``aws:PrincipalArn`` is the role's ARN, as AWS documents."""
    if principal.kind == "Anonymous":
        return [("aws:PrincipalType", "Anonymous")]
    if principal.kind == "Service":
        return []
    keys = [
        (
            "aws:PrincipalArn",
            principal.role_arn if principal.kind == "AssumedRole" else principal.arn,
        ),
        ("aws:PrincipalAccount", principal.account),
        ("aws:PrincipalType", principal.kind),
    ]
    username = principal.username
    if username is not None:
        keys.append(("aws:username", username))
    if principal.user_id:
        keys.append(("aws:userid", principal.user_id))
    for tag, value in principal.tags:
        keys.append((f"aws:PrincipalTag/{tag}", value))
    return keys


def build_context(
    principal: Principal,
    *,
    now: datetime,
    source_ip: str | None = None,
    secure_transport: bool | None = None,
    mfa_authenticated: bool | None = None,
    mfa_age_seconds: int | None = None,
    token_issue_time: datetime | None = None,
    user_agent: str | None = None,
    requested_region: str | None = None,
    extra: Mapping[str, str | Sequence[str]] | None = None,
) -> dict[str, str | list[str]]:
    """The global condition keys AWS puts in a request context, by their AWS names.

    MFA keys are present only for credentials where AWS has them (AWS leaves
    ``aws:MultiFactorAuthPresent`` out for long-term access keys): pass None to omit.
    """
    moment = now.astimezone(timezone.utc) if now.tzinfo else now.replace(tzinfo=timezone.utc)
    ctx: dict[str, str | list[str]] = {
        "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(moment.timestamp())),
    }
    if source_ip is not None:
        ctx["aws:SourceIp"] = source_ip
    if secure_transport is not None:
        ctx["aws:SecureTransport"] = "true" if secure_transport else "false"
    if mfa_authenticated is not None:
        ctx["aws:MultiFactorAuthPresent"] = "true" if mfa_authenticated else "false"
    if mfa_age_seconds is not None:
        ctx["aws:MultiFactorAuthAge"] = str(mfa_age_seconds)
    if token_issue_time is not None:
        issued = (
            token_issue_time.astimezone(timezone.utc)
            if token_issue_time.tzinfo
            else token_issue_time
        )
        ctx["aws:TokenIssueTime"] = issued.strftime("%Y-%m-%dT%H:%M:%SZ")
    if user_agent is not None:
        ctx["aws:UserAgent"] = user_agent
    if requested_region is not None:
        ctx["aws:RequestedRegion"] = requested_region
    for key, value in _principal_keys(principal):
        ctx[key] = value
    if extra:
        for key, value in extra.items():
            ctx[key] = value if isinstance(value, str) else list(value)
    return ctx
