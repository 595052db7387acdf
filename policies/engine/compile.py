"""Compiled policies: parsed once, indexed by action, shared by content.

Compiling turns each statement into a few ready-made tests (resource matcher,
principal matcher, condition checks) and indexes the statements of a policy by
action - exact lower-cased actions in a dict, wildcard patterns per service prefix,
``*`` and NotAction statements on their own - so a decision looks at the handful of
statements that can concern its action, and the answer for each action is memoised.

Compiled policies are immutable and cached by the SHA-256 of kind and text in a
bounded LRU.  The cache holds the label-free ``PolicyCore``; ``compile_policy``
wraps it with the caller's ``policy_id``/``name`` (carried by each
``StatementRef``), so two policies with the same text share one compilation.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .conditions import compile_condition
from .document import PolicyDocument, PolicyKind, PrincipalBlock, Statement
from .grammar import parse_policy
from .matching import (
    Matcher,
    Piece,
    always,
    compile_any,
    compile_glob,
    compile_pieces,
    has_wildcard,
    never,
)
from .problems import PolicyError
from .variables import Template, parse_template

#: How a resource-policy statement names the caller (lower is a stronger grant):
#: its own ARN, its role, everyone, or its account (a delegation to the account's
#: own identity policies).
MATCH_DIRECT = 1
MATCH_ROLE = 2
MATCH_ANY = 3
MATCH_ACCOUNT = 4

CACHE_SIZE = 4096
_MEMO_SIZE = 2048


@dataclass(frozen=True, slots=True)
class StatementRef:
    """Which statement of which policy: what decisions and the simulator report."""

    policy_id: str
    policy_name: str
    sid: str | None
    index: int
    effect: str


class CompiledStatement:
    """A statement turned into tests; ``None`` means "always passes"."""

    __slots__ = (
        "statement",
        "index",
        "is_deny",
        "res_match",
        "res_dynamic",
        "cond",
        "gated",
        "keys",
        "principal_match",
    )

    def __init__(self, statement: Statement, variables_enabled: bool) -> None:
        self.statement = statement
        self.index = statement.index
        self.is_deny = statement.effect == "Deny"
        self.res_match, self.res_dynamic = _resource_tests(self, statement, variables_enabled)
        if statement.conditions:
            conditions = statement.conditions
            self.cond = _lazy(
                self,
                "cond",
                lambda: _all_of([compile_condition(c, variables_enabled) for c in conditions]),
            )
        else:
            self.cond = None
        self.gated = self.cond is not None or self.res_dynamic is not None
        self.keys = tuple(dict.fromkeys(_keys_of(statement, variables_enabled)))
        if statement.principal is not None:
            self.principal_match = _principal_matcher(statement.principal)
        elif statement.not_principal is not None:
            self.principal_match = _not_principal_matcher(statement.not_principal)
        else:
            self.principal_match = None


class PolicyCore:
    """The label-free compilation of one document, shared through the cache.

    Immutable apart from its per-action memo, which only ever caches a pure
    function of the document.
    """

    __slots__ = (
        "document",
        "digest",
        "statements",
        "_exact",
        "_service",
        "_global",
        "_not_action",
        "_memo",
    )

    def __init__(self, document: PolicyDocument, digest: str) -> None:
        self.document = document
        self.digest = digest
        variables = document.variables_enabled
        self.statements = tuple(CompiledStatement(s, variables) for s in document.statements)
        self._exact: dict[str, list[CompiledStatement]] = {}
        self._service: dict[str, list[tuple[Matcher, CompiledStatement]]] = {}
        self._global: list[tuple[Matcher, CompiledStatement]] = []
        self._not_action: list[tuple[Matcher, CompiledStatement]] = []
        self._memo: dict[
            str, tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]
        ] = {}
        for compiled in self.statements:
            self._index(compiled)

    @property
    def kind(self) -> PolicyKind:
        return self.document.kind

    def _index(self, compiled: CompiledStatement) -> None:
        statement = compiled.statement
        if statement.not_action is not None:
            patterns = [((p.lower(), True),) for p in statement.not_action]
            self._not_action.append((compile_any(patterns, False), compiled))
            return
        for pattern in statement.action or ():
            lowered = pattern.lower()
            service, _, name = lowered.partition(":")
            if lowered == "*":
                self._global.append((always, compiled))
            elif has_wildcard(service):
                self._global.append((compile_glob(lowered), compiled))
            elif has_wildcard(name):
                self._service.setdefault(service, []).append((compile_glob(lowered), compiled))
            else:
                self._exact.setdefault(lowered, []).append(compiled)

    def lookup(
        self, action: str
    ) -> tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]:
        """(deny statements, allow statements) whose Action/NotAction covers the
        lower-cased ``action``, in document order."""
        found = self._memo.get(action)
        if found is None:
            found = self._compute(action)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[action] = found
        return found

    def _compute(
        self, action: str
    ) -> tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]:
        hits: dict[int, CompiledStatement] = {}
        for compiled in self._exact.get(action, ()):
            hits[compiled.index] = compiled
        service = action.partition(":")[0]
        for matcher, compiled in self._service.get(service, ()):
            if compiled.index not in hits and matcher(action):
                hits[compiled.index] = compiled
        for matcher, compiled in self._global:
            if compiled.index not in hits and matcher(action):
                hits[compiled.index] = compiled
        for matcher, compiled in self._not_action:
            if not matcher(action):
                hits[compiled.index] = compiled
        ordered = [hits[i] for i in sorted(hits)]
        return (
            tuple(c for c in ordered if c.is_deny),
            tuple(c for c in ordered if not c.is_deny),
        )


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """A compiled policy with its label.  ``statements[i]`` is the reference reported
    for statement ``i``."""

    core: PolicyCore
    policy_id: str
    name: str
    statements: tuple[StatementRef, ...]
    _pairs: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def pairs(self, action: str) -> tuple[tuple, tuple]:
        """(deny, allow) tuples of (compiled statement, ref) for a lower-cased action:
        what evaluation plans are assembled from, memoised per action."""
        found = self._pairs.get(action)
        if found is None:
            denies, allows = self.core.lookup(action)
            refs = self.statements
            found = (
                tuple((st, refs[st.index]) for st in denies),
                tuple((st, refs[st.index]) for st in allows),
            )
            if len(self._pairs) >= _MEMO_SIZE:
                self._pairs.clear()
            self._pairs[action] = found
        return found

    @property
    def kind(self) -> PolicyKind:
        return self.core.document.kind

    @property
    def document(self) -> PolicyDocument:
        return self.core.document

    @property
    def digest(self) -> str:
        return self.core.digest


_cache: OrderedDict[str, PolicyCore] = OrderedDict()
_cache_lock = threading.Lock()


def content_digest(text: str, kind: PolicyKind) -> str:
    return hashlib.sha256(f"{kind.label}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def compile_policy(
    text: str, kind: PolicyKind, *, policy_id: str = "", name: str = ""
) -> CompiledPolicy:
    """Parse (raising ``PolicyError``) and compile ``text``; the compilation is shared
    with every other policy of the same kind and text."""
    digest = content_digest(text, kind)
    with _cache_lock:
        core = _cache.get(digest)
        if core is not None:
            _cache.move_to_end(digest)
    if core is None:
        core = PolicyCore(parse_policy(text, kind), digest)
        with _cache_lock:
            _cache[digest] = core
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return label(core, policy_id=policy_id, name=name)


def compile_document(
    document: PolicyDocument, *, policy_id: str = "", name: str = ""
) -> CompiledPolicy:
    """Compile an already parsed document (not cached: it has no source text)."""
    return label(PolicyCore(document, ""), policy_id=policy_id, name=name)


def label(core: PolicyCore, *, policy_id: str = "", name: str = "") -> CompiledPolicy:
    refs = tuple(
        StatementRef(policy_id, name, s.sid, s.index, s.effect) for s in core.document.statements
    )
    return CompiledPolicy(core, policy_id, name, refs)


def cache_info() -> dict[str, int]:
    return {"size": len(_cache), "max_size": CACHE_SIZE}


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def context_keys_in(
    *policies: CompiledPolicy | PolicyDocument | str, kind: PolicyKind | None = None
) -> list[str]:
    """Condition keys and policy-variable names the policies use, sorted - what
    ``GetContextKeysForCustomPolicy`` returns.  Text is parsed as ``kind``; without
    one, as a managed policy, or as a resource policy when it names principals."""
    found: dict[str, str] = {}
    for item in policies:
        document = _document_of(item, kind)
        for statement in document.statements:
            for lowered, name in _keys_of(statement, document.variables_enabled):
                found.setdefault(lowered, name)
    return [found[k] for k in sorted(found)]


def _document_of(item: Any, kind: PolicyKind | None) -> PolicyDocument:
    if isinstance(item, CompiledPolicy):
        return item.document
    if isinstance(item, PolicyDocument):
        return item
    if kind is not None:
        return parse_policy(item, kind)
    try:
        return parse_policy(item, PolicyKind.MANAGED)
    except PolicyError as exc:
        if exc.issue_code != "UNSUPPORTED_PRINCIPAL":
            raise
    return parse_policy(item, PolicyKind.RESOURCE)


def _keys_of(statement: Statement, variables_enabled: bool) -> Iterable[tuple[str, str]]:
    for condition in statement.conditions:
        yield condition.key.lower(), condition.key
    if not variables_enabled:
        return
    texts = list(statement.resource or ()) + list(statement.not_resource or ())
    for condition in statement.conditions:
        if condition.family in ("string", "arn"):
            texts.extend(condition.values)
    for text in texts:
        for variable in parse_template(text).variables:
            yield variable.key, variable.name


def _lazy(target: CompiledStatement, attr: str, build: Callable[[], Callable]) -> Callable:
    """A stand-in that builds the real test on first call and puts it in its place.

    Most statements of a big policy set are never reached by a request (their
    actions do not match), so compiling their regexes up front is wasted work.
    Concurrent first calls just build the same test twice.
    """

    def first_call(*args: Any) -> Any:
        real = build()
        setattr(target, attr, real)
        return real(*args)

    return first_call


def _resource_tests(
    target: CompiledStatement, statement: Statement, variables_enabled: bool
) -> tuple[Any, Any]:
    """(res_match(resource), res_dynamic(resource, ctx)); None for "always"."""
    negate = statement.not_resource is not None
    values = statement.not_resource if negate else statement.resource
    if values is None:  # a resource policy without Resource: the resource it is on
        return None, None
    templates = [parse_template(v, variables=variables_enabled) for v in values]
    if any(not t.variables and t.static() == (("*", True),) for t in templates):
        return (never if negate else None), None
    static_patterns = [t.static() for t in templates if not t.variables]
    dynamic = [t for t in templates if t.variables]
    if not dynamic:
        if negate:
            return (
                _lazy(target, "res_match", lambda: _negated(compile_any(static_patterns, True))),
                None,
            )
        return _lazy(target, "res_match", lambda: compile_any(static_patterns, True)), None
    static_box: list[Matcher] = []

    def matches(resource: str, ctx: Any) -> bool:
        if not static_box:
            static_box.append(compile_any(static_patterns, True))
        if static_box[0](resource):
            return True
        return _dynamic_match(dynamic, resource, ctx)

    if negate:
        return None, lambda resource, ctx: not matches(resource, ctx)
    return None, matches


def _negated(matcher: Matcher) -> Matcher:
    return lambda resource: not matcher(resource)


def _dynamic_match(templates: list[Template], resource: str, ctx: Any) -> bool:
    for template in templates:
        pieces: tuple[Piece, ...] | None = template.resolve(ctx.single)
        if pieces is not None and compile_pieces(pieces, True)(resource):
            return True
    return False


def _all_of(checks: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda ctx: first(ctx) and second(ctx)

    def check(ctx: Any) -> bool:
        for one in checks:
            if not one(ctx):
                return False
        return True

    return check


def _principal_matcher(block: PrincipalBlock) -> Callable[[Any], int]:
    if block.wildcard:
        return lambda principal: MATCH_ANY
    aws = frozenset(block.aws)
    services = frozenset(block.service)
    federated = frozenset(block.federated)

    def match(principal: Any) -> int:
        kind = principal.kind
        if kind == "Service":
            return MATCH_DIRECT if principal.arn in services else 0
        if kind == "Anonymous":
            return 0
        if principal.arn in aws or (
            principal.federated is not None and principal.federated in federated
        ):
            return MATCH_DIRECT
        if principal.role_arn is not None and principal.role_arn in aws:
            return MATCH_ROLE
        if kind != "Account" and principal.identities[-1] in aws:
            return MATCH_ACCOUNT
        return 0

    return match


def _not_principal_matcher(block: PrincipalBlock) -> Callable[[Any], int]:
    """NotPrincipal applies unless *every* name of the caller is listed: AWS checks
    the account, then the role, then the session, so exempting a session needs all
    three (see "AWS JSON policy elements: NotPrincipal")."""
    if block.wildcard:
        return lambda principal: 0
    aws = frozenset(block.aws)
    services = frozenset(block.service)

    def match(principal: Any) -> int:
        kind = principal.kind
        if kind == "Service":
            return 0 if principal.arn in services else MATCH_ANY
        if kind == "Anonymous":
            return MATCH_ANY
        for name in principal.identities:
            if name not in aws:
                return MATCH_ANY
        return 0

    return match
