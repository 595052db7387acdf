"""AWS's policy evaluation logic: ``evaluate(request, policy_set) -> Decision``.

The order, from "Policy evaluation logic", "Policy evaluation for requests within
a single account" and "Cross-account policy evaluation logic":

1. An explicit deny in any applicable policy - identity-based, resource-based,
   permissions boundary, session - decides: ExplicitDeny.
2. The account root user acting in its own account is allowed (identity policies
   cannot be attached to it); only a resource-based deny (step 1) stops it.  In
   another account it needs the resource-based policy to allow.  Service
   principals and anonymous callers have no identity side: only resource-based
   policies can allow them.
3. Same account: the identity side allows when an identity-based policy allows and
   the permissions boundary (if any) and the session policies (if any) allow too.
   A resource-based policy can allow on its own, with AWS's nuances: a statement
   that names the caller's own ARN (IAM user, role session, federated user) is not
   limited by the boundary or session policies; one that names the role ARN (or
   ``*``) is; one that names only the account delegates to the identity side.
4. Cross-account: the identity side (step 3) *and* a resource-based policy must
   both allow.
5. Otherwise: ImplicitDeny, naming the policy type that did not allow.

Session policies count as one set: the session may do what the identity side
allows and any of its session policies (inline or managed) allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .compile import MATCH_ACCOUNT, MATCH_DIRECT, CompiledPolicy, StatementRef
from .context import ContextView, Request

IDENTITY = "identity-based policy"
RESOURCE = "resource-based policy"
BOUNDARY = "permissions boundary"
SESSION = "session policy"
SCP = "service control policy"

REASON_ROOT = "account root"


class DecisionEffect(Enum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"

    @property
    def allowed(self) -> bool:
        return self is DecisionEffect.ALLOW


ALLOW = DecisionEffect.ALLOW
EXPLICIT_DENY = DecisionEffect.EXPLICIT_DENY
IMPLICIT_DENY = DecisionEffect.IMPLICIT_DENY


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that applies to one principal acting on one resource.

    Build one per principal (and per resource policy) and reuse it: it memoises, per
    action, the flat list of statements that can concern that action - the
    evaluation "plan" - so a repeat decision skips the per-policy index lookups.
    """

    identity: tuple[CompiledPolicy, ...] = ()
    resource: tuple[CompiledPolicy, ...] = ()
    boundary: CompiledPolicy | None = None
    session: tuple[CompiledPolicy, ...] = ()
    _plans: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def plan(self, action: str) -> _Plan:
        plan = self._plans.get(action)
        if plan is None:
            plan = _Plan(self, action.lower())
            if len(self._plans) >= _PLAN_MEMO:
                self._plans.clear()
            self._plans[action] = plan
        return plan


_PLAN_MEMO = 1024
Pairs = tuple  # of (CompiledStatement, StatementRef)


class _Plan:
    """For one action: the (statement, ref) pairs of each policy type, denies and
    allows apart, in policy order."""

    __slots__ = (
        "id_deny",
        "id_allow",
        "r_deny",
        "r_allow",
        "b_deny",
        "b_allow",
        "s_deny",
        "s_allow",
        "has_boundary",
        "has_session",
    )

    def __init__(self, policies: PolicySet, action: str) -> None:
        self.id_deny, self.id_allow = _pairs(policies.identity, action)
        self.r_deny, self.r_allow = _pairs(policies.resource, action)
        boundary = (policies.boundary,) if policies.boundary is not None else ()
        self.b_deny, self.b_allow = _pairs(boundary, action)
        self.s_deny, self.s_allow = _pairs(policies.session, action)
        self.has_boundary = bool(boundary)
        self.has_session = bool(policies.session)


def _pairs(policies: tuple[CompiledPolicy, ...], action: str) -> tuple[Pairs, Pairs]:
    if not policies:
        return (), ()
    if len(policies) == 1:
        return policies[0].pairs(action)
    denies: Pairs = ()
    allows: Pairs = ()
    for policy in policies:
        deny_pairs, allow_pairs = policy.pairs(action)
        if deny_pairs:
            denies += deny_pairs
        if allow_pairs:
            allows += allow_pairs
    return denies, allows


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer and why.  ``deciding`` holds the allowing statements of an Allow or
    the denying statements of an ExplicitDeny; ``denied_by`` names the policy type
    for the AWS error sentence, which ``message`` builds only when asked;
    ``matched_statements`` lists every statement that applied (for the simulator);
    ``reason`` explains an Allow no statement made ("account root").  Missing
    context keys are worked out from ``context_view`` only when asked for."""

    effect: DecisionEffect
    deciding: tuple[StatementRef, ...] = ()
    denied_by: str | None = None
    matched_statements: tuple[StatementRef, ...] = ()
    reason: str | None = None
    context_view: ContextView | None = field(default=None, repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.effect is ALLOW

    @property
    def missing_context_keys(self) -> tuple[str, ...]:
        """Condition keys (and variables) of the statements relevant to the request
        that the request context did not have - what the simulator lists as missing."""
        return self.context_view.missing_keys() if self.context_view is not None else ()

    def message(self, request: Request) -> str:
        """AWS's AccessDenied sentence ("User: ... is not authorized to perform: ...")."""
        if self.effect is ALLOW:
            return ""
        base = (
            f"User: {request.principal.arn} is not authorized to perform: {request.action} "
            f"on resource: {request.resource}"
        )
        denied_by = self.denied_by or IDENTITY
        if self.effect is EXPLICIT_DENY:
            article = "an" if denied_by[0] in "aeiou" else "a"
            return f"{base} with an explicit deny in {article} {denied_by}"
        return f"{base} because no {denied_by} allows the {request.action} action"


def evaluate(request: Request, policies: PolicySet) -> Decision:
    """Decide ``request`` against ``policies`` (see the module docstring for the rules)."""
    plan = policies._plans.get(request.action)
    if plan is None:
        plan = policies.plan(request.action)
    principal = request.principal
    resource = request.resource
    ctx = ContextView(request)

    r_allows = r_denies = None
    if plan.r_deny:
        # Denies only need the statements, not how the principal matched.
        found = _check_resource(plan.r_deny, resource, ctx, principal)
        r_denies = [ref for ref, _ in found] if found else None
    if plan.r_allow:
        r_allows = _check_resource(plan.r_allow, resource, ctx, principal)

    if principal.is_root:
        return _root_decision(request, r_allows, r_denies, ctx)
    if not principal.account:
        return _accountless_decision(r_allows, r_denies, ctx)

    id_denies = _check(plan.id_deny, resource, ctx) if plan.id_deny else None
    id_allows = _check(plan.id_allow, resource, ctx) if plan.id_allow else None
    b_denies = _check(plan.b_deny, resource, ctx) if plan.b_deny else None
    b_allows = _check(plan.b_allow, resource, ctx) if plan.b_allow else None
    s_denies = _check(plan.s_deny, resource, ctx) if plan.s_deny else None
    s_allows = _check(plan.s_allow, resource, ctx) if plan.s_allow else None

    if id_denies or r_denies or b_denies or s_denies:
        denies: list[StatementRef] = []
        denied_by = None
        for found, kind in (
            (id_denies, IDENTITY),
            (r_denies, RESOURCE),
            (b_denies, BOUNDARY),
            (s_denies, SESSION),
        ):
            if found:
                denies.extend(found)
                if denied_by is None:
                    denied_by = kind
        return _decision(
            EXPLICIT_DENY, denies, denied_by, ctx, id_allows, r_allows, b_allows, s_allows, denies
        )

    boundary_ok = not plan.has_boundary or b_allows is not None
    session_ok = not plan.has_session or s_allows is not None
    narrowing = BOUNDARY if not boundary_ok else SESSION

    if request.same_account:
        if id_allows is not None and boundary_ok and session_ok:
            return _decision(ALLOW, id_allows, None, ctx, id_allows, r_allows, b_allows, s_allows)
        if r_allows is not None:
            direct = [ref for ref, how in r_allows if how == MATCH_DIRECT]
            if direct:
                return _decision(ALLOW, direct, None, ctx, id_allows, r_allows, b_allows, s_allows)
            limited = [ref for ref, how in r_allows if how != MATCH_ACCOUNT]
            if limited:
                if boundary_ok and session_ok:
                    return _decision(
                        ALLOW, limited, None, ctx, id_allows, r_allows, b_allows, s_allows
                    )
                return _decision(
                    IMPLICIT_DENY, (), narrowing, ctx, id_allows, r_allows, b_allows, s_allows
                )
        denied_by = IDENTITY if id_allows is None else narrowing
        return _decision(IMPLICIT_DENY, (), denied_by, ctx, id_allows, r_allows, b_allows, s_allows)

    if id_allows is None or not (boundary_ok and session_ok):
        denied_by = IDENTITY if id_allows is None else narrowing
        return _decision(IMPLICIT_DENY, (), denied_by, ctx, id_allows, r_allows, b_allows, s_allows)
    if r_allows is None:
        return _decision(IMPLICIT_DENY, (), RESOURCE, ctx, id_allows, r_allows, b_allows, s_allows)
    deciding = id_allows + [ref for ref, _ in r_allows]
    return _decision(ALLOW, deciding, None, ctx, id_allows, r_allows, b_allows, s_allows)


def _root_decision(request: Request, r_allows: Any, r_denies: Any, ctx: ContextView) -> Decision:
    if r_denies:
        return _decision(
            EXPLICIT_DENY, r_denies, RESOURCE, ctx, None, r_allows, None, None, r_denies
        )
    if request.same_account:
        matched = tuple(ref for ref, _ in r_allows) if r_allows else ()
        return Decision(ALLOW, (), None, matched, REASON_ROOT, ctx if ctx.relevant else None)
    if r_allows is not None:
        return _decision(ALLOW, [ref for ref, _ in r_allows], None, ctx, None, r_allows, None, None)
    return _decision(IMPLICIT_DENY, (), RESOURCE, ctx, None, None, None, None)


def _accountless_decision(r_allows: Any, r_denies: Any, ctx: ContextView) -> Decision:
    """Service principals and anonymous callers have no identity policies: only
    resource-based policies can let them in."""
    if r_denies:
        return _decision(
            EXPLICIT_DENY, r_denies, RESOURCE, ctx, None, r_allows, None, None, r_denies
        )
    if r_allows is not None:
        return _decision(ALLOW, [ref for ref, _ in r_allows], None, ctx, None, r_allows, None, None)
    return _decision(IMPLICIT_DENY, (), RESOURCE, ctx, None, None, None, None)


_NOTHING: dict = {}
_new = object.__new__
_set_effect = Decision.effect.__set__  # type: ignore[attr-defined]
_set_deciding = Decision.deciding.__set__  # type: ignore[attr-defined]
_set_denied_by = Decision.denied_by.__set__  # type: ignore[attr-defined]
_set_matched = Decision.matched_statements.__set__  # type: ignore[attr-defined]
_set_reason = Decision.reason.__set__  # type: ignore[attr-defined]
_set_view = Decision.context_view.__set__  # type: ignore[attr-defined]


def _make(
    effect: DecisionEffect,
    deciding: tuple,
    denied_by: str | None,
    matched: tuple,
    view: ContextView | None,
) -> Decision:
    """``Decision(...)`` without the frozen dataclass ``__init__``, which sets each
    slot through ``object.__setattr__``: writing the slots directly halves the cost
    of the one allocation every decision makes.  Same object, same immutability."""
    decision = _new(Decision)
    _set_effect(decision, effect)
    _set_deciding(decision, deciding)
    _set_denied_by(decision, denied_by)
    _set_matched(decision, matched)
    _set_reason(decision, None)
    _set_view(decision, view)
    return decision


def _decision(
    effect: DecisionEffect,
    deciding: Any,
    denied_by: str | None,
    ctx: ContextView,
    id_allows: Any,
    r_allows: Any,
    b_allows: Any,
    s_allows: Any,
    denies: Any = None,
) -> Decision:
    view = ctx if ctx.relevant else None
    if not (denies or id_allows or r_allows or b_allows or s_allows):
        if view is None and not deciding:
            # Nothing matched and nothing to report: one shared immutable answer.
            cached = _NOTHING.get((effect, denied_by))
            if cached is None:
                cached = _NOTHING[(effect, denied_by)] = Decision(effect, (), denied_by)
            return cached
        return _make(effect, tuple(deciding), denied_by, (), view)
    matched: list[StatementRef] = []
    if denies:
        matched.extend(denies)
    if id_allows:
        matched.extend(id_allows)
    if r_allows:
        matched.extend(ref for ref, _ in r_allows)
    if b_allows:
        matched.extend(b_allows)
    if s_allows:
        matched.extend(s_allows)
    return _make(effect, tuple(deciding), denied_by, tuple(matched), view)


def _check(pairs: Pairs, resource: str, ctx: ContextView) -> list[StatementRef] | None:
    """Refs of the statements (already matched on action) that apply to ``resource``
    in this context; None when none do."""
    out = None
    for st, ref in pairs:
        test = st.res_match
        if test is not None and not test(resource):
            continue
        if st.gated:
            if st.keys:
                if ctx.relevant is None:
                    ctx.relevant = [st.keys]
                else:
                    ctx.relevant.append(st.keys)
            dynamic = st.res_dynamic
            if dynamic is not None and not dynamic(resource, ctx):
                continue
            cond = st.cond
            if cond is not None and not cond(ctx):
                continue
        if out is None:
            out = [ref]
        else:
            out.append(ref)
    return out


def _check_resource(pairs: Pairs, resource: str, ctx: ContextView, principal: Any) -> list | None:
    """Like ``_check`` for resource-based policies, where a statement must also name
    the caller.  Returns (ref, how) pairs, ``how`` being the ``MATCH_*`` kind."""
    out = None
    for st, ref in pairs:
        how = st.principal_match(principal) if st.principal_match is not None else MATCH_DIRECT
        if not how:
            continue
        test = st.res_match
        if test is not None and not test(resource):
            continue
        if st.gated:
            if st.keys:
                if ctx.relevant is None:
                    ctx.relevant = [st.keys]
                else:
                    ctx.relevant.append(st.keys)
            if st.res_dynamic is not None and not st.res_dynamic(resource, ctx):
                continue
            if st.cond is not None and not st.cond(ctx):
                continue
        if out is None:
            out = [(ref, how)]
        else:
            out.append((ref, how))
    return out
