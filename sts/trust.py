"""Deciding whether a caller may assume a role: identity side and trust policy together.

AWS's rules ("Granting a user permissions to switch roles", "Cross-account
policy evaluation logic"):

- the role's trust policy must always allow the caller;
- in the same account, a trust policy that names the caller itself (its user
  ARN, or its session ARN) is enough on its own; one that names the account
  (``arn:aws:iam::<id>:root``) delegates to the caller's identity policies,
  which must allow ``sts:AssumeRole`` on the role;
- across accounts, both must allow;
- an explicit deny anywhere wins.

That is exactly the engine's evaluation with the trust policy as the resource
policy, plus the first rule: the decision must have been reached with an
allowing trust statement among the matched ones. One evaluation answers both.
"""

from __future__ import annotations

from core.caller import Caller
from core.errors import AccessDenied
from identities.lookups import resource_tags
from identities.models import Role
from policies import policyset
from policies.authz import AuthzRecord, principal_of
from policies.engine import (
    Decision,
    DecisionEffect,
    PolicyError,
    PolicyKind,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
)
from sts import validation

_NOT_TRUSTED = Decision(DecisionEffect.IMPLICIT_DENY, (), "resource-based policy")


def role_by_arn(role_arn: str) -> Role | None:
    """The role an ARN names, in whichever account: the one place where another
    account's entity is reachable, and only to be checked against its trust policy.
    The name and path must match exactly: an ARN names one role."""
    match = validation.role_arn(role_arn)
    if match is None:
        return None
    return (Role.objects.select_related("account")
            .filter(account_id=match["account"], path=match["path"], name=match["name"]).first())


def denied(caller: Caller, action: str, resource: str, decision: Decision | None = None
           ) -> AccessDenied:
    """AWS's AssumeRole refusal: the same sentence whether the role is missing,
    in another account, or its trust policy or the caller's policies refused."""
    return AccessDenied(
        f"User: {caller.principal_arn} is not authorized to perform: {action} "
        f"on resource: {resource}",
        action=action, resource=resource, principal_arn=caller.principal_arn, decision=decision)


def decide(caller: Caller, role: Role, action: str, context: dict) -> tuple[Decision, bool]:
    """Evaluate ``action`` on ``role`` for ``caller``; (decision, allowed)."""
    try:
        trust = compile_policy(role.trust_policy, PolicyKind.TRUST, policy_id=f"trust:{role.arn}",
                               name="trust policy")
    except PolicyError:
        return _NOT_TRUSTED, False
    own = policyset.for_caller(caller)
    # The role's tags are the resource's (aws:ResourceTag) for sts:AssumeRole, as in AWS.
    request = Request(action=action, resource=role.arn, principal=principal_of(caller),
                      context={**resource_tags(role.tags), **context})
    decision = evaluate(request, PolicySet(identity=own.identity, resource=(trust,),
                                           boundary=own.boundary, session=own.session))
    if not decision.allowed:
        return decision, False
    trusted = any(ref.policy_id == trust.policy_id and ref.effect == "Allow"
                  for ref in decision.matched_statements)
    return decision, trusted


def authorize_assume(caller: Caller, role: Role | None, requested_arn: str,
                     actions: tuple[str, ...], context: dict) -> None:
    """Raise AccessDenied unless every one of ``actions`` (sts:AssumeRole, and
    sts:TagSession / sts:SetSourceIdentity when asked for) is allowed on the role."""
    for action in actions:
        if role is None:
            caller.decisions.append(AuthzRecord(action, requested_arn, _NOT_TRUSTED))
            raise denied(caller, action, requested_arn, _NOT_TRUSTED)
        decision, allowed = decide(caller, role, action, context)
        caller.decisions.append(AuthzRecord(action, role.arn, decision))
        if not allowed:
            raise denied(caller, action, requested_arn, decision)
