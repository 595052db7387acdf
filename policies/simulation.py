"""The policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy and the
GetContextKeysFor*Policy operations, over one core (``simulate``).

``simulate`` asks the engine about every action on every resource and keeps
what AWS's simulator reports: the decision, the statements that decided it
and every statement that matched, the context keys the policies needed but
the request lacked, and whether the permissions boundary allowed it. Unlike
``authorize`` it adds no request context of its own (time, source IP, MFA):
the caller supplies what the simulated request should carry, as in AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.recording import operation
from core.caller import Caller
from core.errors import InvalidInput, NoSuchEntity
from identities.models import Group, Role, User
from policies import policyset, selectors
from policies.authz import authorize
from policies.engine import (
    CompiledPolicy,
    DecisionEffect,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    StatementRef,
    compile_policy,
    context_keys_in,
    evaluate,
)

# AWS's ContextKeyType values; the *List types carry several values.
CONTEXT_KEY_TYPES = ("string", "stringList", "numeric", "numericList", "boolean", "booleanList",
                     "ip", "ipList", "binary", "binaryList", "date", "dateList")
_EVAL_DECISIONS = {DecisionEffect.ALLOW: "allowed", DecisionEffect.EXPLICIT_DENY: "explicitDeny",
                   DecisionEffect.IMPLICIT_DENY: "implicitDeny"}
_SOURCE_ARN = re.compile(
    r"^arn:aws:iam::(?P<account>[0-9]{12}):(?P<kind>user|group|role)"
    r"(?P<path>/|/[\x21-\x7e]*/)(?P<name>[\w+=,.@-]{1,128})$", re.ASCII)


@dataclass(frozen=True)
class SimulationResult:
    """One action on one resource, as an item of AWS's EvaluationResults."""

    eval_action_name: str
    eval_resource_name: str
    eval_decision: str  # "allowed", "explicitDeny" or "implicitDeny"
    deciding_statements: tuple[StatementRef, ...]
    matched_statements: tuple[StatementRef, ...]
    missing_context_values: tuple[str, ...]
    allowed_by_permissions_boundary: bool | None  # None when no boundary applies
    denied_by: str | None  # the policy type that refused ("identity-based policy", ...)


def context_from_entries(entries) -> dict[str, str | list[str]]:
    """AWS's ContextEntries (``ContextKeyName``, ``ContextKeyValues``, ``ContextKeyType``)
    as an engine request context; list types stay lists, the others take one value."""
    context: dict[str, str | list[str]] = {}
    for entry in entries or []:
        if not isinstance(entry, dict):
            raise InvalidInput("Each context entry needs ContextKeyName, ContextKeyValues and "
                               "ContextKeyType.")
        name, values, kind = (entry.get("ContextKeyName"), entry.get("ContextKeyValues"),
                              entry.get("ContextKeyType"))
        if not isinstance(name, str) or not (5 <= len(name) <= 256) or ":" not in name:
            raise InvalidInput(f"Context key name {name} is not valid: use a key such as "
                               "aws:SourceIp.")
        if kind not in CONTEXT_KEY_TYPES:
            raise InvalidInput(f"Context key type {kind} is not valid: use one of "
                               f"{', '.join(CONTEXT_KEY_TYPES)}.")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidInput(f"The values of context key {name} must be a list of strings.")
        if kind.endswith("List"):
            context[name] = list(values)
        elif len(values) != 1:
            raise InvalidInput(f"Context key {name} of type {kind} takes exactly one value.")
        else:
            context[name] = values[0]
    return context


def _action_names(action_names) -> list[str]:
    if not action_names or isinstance(action_names, str):
        raise InvalidInput("ActionNames must list at least one action, such as iam:CreateUser.")
    for name in action_names:
        if not isinstance(name, str) or ":" not in name or not (3 <= len(name) <= 128):
            raise InvalidInput(f"Action name {name} is not valid: include the service prefix, "
                               "such as iam:CreateUser.")
    return list(action_names)


def simulate(caller: Caller, *, policy_set: PolicySet, principal: Principal, action_names,
             resource_arns, context_entries) -> list[SimulationResult]:
    """Every action on every resource (default ``*``) for ``principal`` under ``policy_set``.

    Does not authorize: the operations below (and any console view) authorize
    ``caller`` first. ``caller`` is taken so that every entry point passes the
    same first argument; nothing about the caller leaks into the simulation.
    """
    actions = _action_names(action_names)
    resources = list(resource_arns) if resource_arns else ["*"]
    context = context_from_entries(context_entries)
    bounded = PolicySet(identity=(policy_set.boundary,)) if policy_set.boundary else None
    results = []
    for action in actions:
        for resource in resources:
            request = Request(action=action, resource=resource, principal=principal,
                              context=context)
            decision = evaluate(request, policy_set)
            results.append(SimulationResult(
                eval_action_name=action,
                eval_resource_name=resource,
                eval_decision=_EVAL_DECISIONS[decision.effect],
                deciding_statements=decision.deciding,
                matched_statements=decision.matched_statements,
                missing_context_values=decision.missing_context_keys,
                allowed_by_permissions_boundary=(evaluate(request, bounded).allowed
                                                 if bounded else None),
                denied_by=decision.denied_by,
            ))
    return results


def _compiled_inputs(texts, kind: PolicyKind, label: str) -> tuple[CompiledPolicy, ...]:
    """Caller-supplied documents, named as AWS names them (``PolicyInputList.1``, ...)."""
    if texts is None:
        return ()
    if isinstance(texts, str):
        texts = [texts]
    compiled = []
    for number, text in enumerate(texts, start=1):
        source = f"{label}.{number}"
        try:
            compiled.append(compile_policy(text, kind, policy_id=source, name=source))
        except PolicyError as error:
            raise InvalidInput(f"{source}: {error.message}") from error
    return tuple(compiled)


def _boundary_input(texts) -> CompiledPolicy | None:
    compiled = _compiled_inputs(texts, PolicyKind.BOUNDARY, "PermissionsBoundaryPolicyInputList")
    if len(compiled) > 1:
        raise InvalidInput("Only one permissions boundary policy can be simulated at a time.")
    return compiled[0] if compiled else None


def _tags(rows) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((tag["Key"], tag["Value"]) for tag in rows or []))


@dataclass(frozen=True)
class _Source:
    policy_set: PolicySet
    principal: Principal


def _source(caller: Caller, policy_source_arn: str, action: str) -> _Source:
    """The user, group or role ``policy_source_arn`` names, after ``action`` is authorized on it.

    Another account's entities are authorized as the same name in the caller's
    account and then not found, as for every other lookup.
    """
    match = _SOURCE_ARN.match(policy_source_arn) if isinstance(policy_source_arn, str) else None
    if match is None:
        raise InvalidInput(f"ARN {policy_source_arn} is not valid.")
    kind, path, name = match["kind"], match["path"], match["name"]
    own = match["account"] == caller.account_id
    entity = None
    if own:
        rows = {"user": User.objects.filter(kind=User.Kind.IAM), "group": Group.objects.all(),
                "role": Role.objects.all()}[kind]
        entity = rows.filter(account_id=caller.account_id, name__iexact=name, path=path).first()
    resource = entity.arn if entity else f"arn:aws:iam::{caller.account_id}:{kind}{path}{name}"
    authorize(caller, action, resource)
    if entity is None:
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    if kind == "user":
        return _Source(policyset.load_user_policy_set(entity),
                       Principal(arn=entity.arn, account=entity.account_id, kind="User",
                                 user_id=entity.user_id, tags=_tags(entity.tags)))
    if kind == "role":
        # A role acts through sessions; its simulated principal is the role itself.
        return _Source(selectors.load_role_policy_set(entity),
                       Principal(arn=entity.arn, account=entity.account_id, kind="AssumedRole",
                                 role_arn=entity.arn, user_id=entity.role_id,
                                 tags=_tags(entity.tags)))
    # A group never acts; its members would, so it is simulated as an IAM user.
    return _Source(selectors.load_group_policy_set(entity),
                   Principal(arn=entity.arn, account=entity.account_id, kind="User",
                             user_id=entity.group_id))


@operation("iam:SimulatePrincipalPolicy")
def simulate_principal_policy(caller: Caller, *, policy_source_arn: str, action_names,
                              resource_arns=None, context_entries=None,
                              permissions_boundary_policy_input_list=None,
                              policy_input_list=None) -> list[SimulationResult]:
    """SimulatePrincipalPolicy (iam:SimulatePrincipalPolicy on the user, group or role ARN).

    A user is simulated with everything that applies to it (inline, attached,
    its groups' policies, its boundary); a group with its own inline and
    attached policies; a role with its inline, attached and boundary policies.
    ``policy_input_list`` adds identity policies; a boundary given in
    ``permissions_boundary_policy_input_list`` replaces the entity's own.
    """
    source = _source(caller, policy_source_arn, "iam:SimulatePrincipalPolicy")
    extra = _compiled_inputs(policy_input_list, PolicyKind.MANAGED, "PolicyInputList")
    boundary = _boundary_input(permissions_boundary_policy_input_list)
    policy_set = PolicySet(identity=source.policy_set.identity + extra,
                           boundary=boundary or source.policy_set.boundary)
    return simulate(caller, policy_set=policy_set, principal=source.principal,
                    action_names=action_names, resource_arns=resource_arns,
                    context_entries=context_entries)


@operation("iam:SimulateCustomPolicy")
def simulate_custom_policy(caller: Caller, *, policy_input_list, action_names, resource_arns=None,
                           resource_policy: str | None = None, caller_arn: str | None = None,
                           context_entries=None,
                           permissions_boundary_policy_input_list=None) -> list[SimulationResult]:
    """SimulateCustomPolicy (iam:SimulateCustomPolicy on *): policies given as text only.

    ``caller_arn`` (an IAM user ARN) is the simulated caller and is required
    with a ``resource_policy``, whose Principal must name someone. Without it
    the caller has no user name, so a policy that uses ``${aws:username}``
    reports that key as missing, as AWS's simulator does.
    """
    authorize(caller, "iam:SimulateCustomPolicy", "*")
    identity = _compiled_inputs(policy_input_list, PolicyKind.MANAGED, "PolicyInputList")
    if not identity:
        raise InvalidInput("PolicyInputList must contain at least one policy.")
    if resource_policy is not None and not caller_arn:
        raise InvalidInput("CallerArn is required when you include a ResourcePolicy.")
    if caller_arn:
        try:
            principal = Principal.from_arn(caller_arn)
        except ValueError:
            principal = None
        if principal is None or principal.kind != "User":
            raise InvalidInput(f"CallerArn {caller_arn} is not valid: it must be the ARN of an "
                               "IAM user.")
    else:
        # A federated-user shape carries no aws:username, unlike an IAM user.
        principal = Principal(
            arn=f"arn:aws:sts::{caller.account_id}:federated-user/SimulatedCaller",
            account=caller.account_id, kind="FederatedUser")
    resource = _compiled_inputs([resource_policy] if resource_policy is not None else None,
                                PolicyKind.RESOURCE, "ResourcePolicy")
    policy_set = PolicySet(identity=identity, resource=resource,
                           boundary=_boundary_input(permissions_boundary_policy_input_list))
    return simulate(caller, policy_set=policy_set, principal=principal, action_names=action_names,
                    resource_arns=resource_arns, context_entries=context_entries)


@operation("iam:GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(caller: Caller, *, policy_source_arn: str,
                                          policy_input_list=None) -> list[str]:
    """GetContextKeysForPrincipalPolicy (on the user, group or role ARN): the condition
    keys and policy variables its policies (and any added ones) use, sorted."""
    source = _source(caller, policy_source_arn, "iam:GetContextKeysForPrincipalPolicy")
    extra = _compiled_inputs(policy_input_list, PolicyKind.MANAGED, "PolicyInputList")
    policies = source.policy_set.identity + extra
    return context_keys_in(*policies) if policies else []


@operation("iam:GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(caller: Caller, *, policy_input_list) -> list[str]:
    """GetContextKeysForCustomPolicy (iam:GetContextKeysForCustomPolicy on *)."""
    authorize(caller, "iam:GetContextKeysForCustomPolicy", "*")
    if isinstance(policy_input_list, str):
        policy_input_list = [policy_input_list]
    if not policy_input_list or not all(isinstance(text, str) for text in policy_input_list):
        raise InvalidInput("PolicyInputList must contain at least one policy document.")
    try:
        return context_keys_in(*policy_input_list)
    except PolicyError as error:
        raise InvalidInput(error.message) from error
