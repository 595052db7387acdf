"""What the policy simulator page does: its pick lists, a run, the context keys.

A run goes through the operations of ``policies.simulation``
(SimulatePrincipalPolicy, SimulateCustomPolicy), which authorize and record
it. Two inputs the console offers go beyond those operations: session
policies (AWS's simulator has none) and, for a principal, a resource-based
policy such as a role's trust policy. A run with either uses the two
operations below, which authorize and record as the same AWS actions and
evaluate through the same ``simulate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models.functions import Lower

from audit.recording import operation, record
from core.caller import Caller
from core.errors import AccessDenied, InvalidInput
from identities.models import Group, Role, User
from identities.operations.pages import Section, section
from identities.operations.roles import get_role
from policies import simulation
from policies.authz import authorize
from policies.engine import PolicyError, PolicyKind, PolicySet, Principal, catalog, context_keys_in
from policies.simulation import SimulationResult
from policies.simulator_documents import PolicyDoc, documents_of
from policies.simulator_forms import ContextRow, SimulationInputs

PICK_LIMIT = 100
LEVELS = (catalog.LIST, catalog.READ, catalog.WRITE, catalog.PERMISSIONS_MANAGEMENT,
          catalog.TAGGING)
# The condition operator family of a key tells the value type AWS expects.
_FAMILY_TYPES = {"numeric": "numeric", "date": "date", "bool": "boolean", "ip": "ip",
                 "binary": "binary"}


@dataclass
class Choices:
    users: Section
    groups: Section
    roles: Section


def simulator_choices(caller: Caller) -> Choices:
    """The principals the caller may pick, kind by kind; a kind the caller may not
    list shows AWS's refusal in its place (and the refusal is recorded)."""
    account = caller.account_id
    return Choices(
        users=section(caller, "iam:ListUsers", f"arn:aws:iam::{account}:user/",
                       lambda: User.objects.filter(account_id=account, kind=User.Kind.IAM)
                       .order_by(Lower("name"))[:PICK_LIMIT + 1]),
        groups=section(caller, "iam:ListGroups", f"arn:aws:iam::{account}:group/",
                        lambda: Group.objects.filter(account_id=account)
                        .order_by(Lower("name"))[:PICK_LIMIT + 1]),
        roles=section(caller, "iam:ListRoles", f"arn:aws:iam::{account}:role/",
                       lambda: Role.objects.filter(account_id=account)
                       .order_by(Lower("name"))[:PICK_LIMIT + 1]),
    )


@lru_cache(maxsize=1)
def action_groups() -> tuple[dict, ...]:
    """The IAM and STS catalogue, by service and then by access level."""
    groups = []
    for service, title, actions in (("iam", "IAM", catalog.iam_actions()),
                                    ("sts", "STS", catalog.sts_actions())):
        levels = [{"level": level, "actions": [a for a in actions
                                               if catalog.access_level(a) == level]}
                  for level in LEVELS]
        groups.append({"service": service, "title": title,
                       "levels": [group for group in levels if group["actions"]]})
    return tuple(groups)


def principal_arn_of(caller: Caller, arn: str) -> str:
    """A role session's ARN names its role: simulate the role (found by name)."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
        name = parts[5].split("/")[1]
        role = Role.objects.filter(account_id=caller.account_id, name__iexact=name).first()
        return role.arn if role else f"arn:aws:iam::{parts[4]}:role/{name}"
    return arn


@dataclass
class SimulationRun:
    results: list[SimulationResult]
    documents: list[PolicyDoc]
    principal_arn: str
    resource_policy_label: str = ""

    @property
    def missing_keys(self) -> list[str]:
        return sorted({k for r in self.results for k in r.missing_context_values}, key=str.lower)


def run_simulation(caller: Caller, inputs: SimulationInputs) -> SimulationRun:
    """Simulate ``inputs``; raises what the operations raise (AccessDenied included)."""
    resource_policy, resources = inputs.resource_policy, inputs.resources
    label = "Resource-based policy" if resource_policy else ""
    if inputs.trust_role and not resource_policy:
        role = get_role(caller, role_name=inputs.trust_role)
        resource_policy, label = role.trust_policy, f"Trust policy of role {role.name}"
        if resources == ["*"]:
            # AssumeRole is decided on the role: "*" would not name it.
            resources = [role.arn]
    common = {"action_names": inputs.actions, "resource_arns": resources,
              "context_entries": inputs.context_entries,
              "permissions_boundary_policy_input_list": [inputs.boundary] if inputs.boundary
              else None}
    session = [inputs.session_policy] if inputs.session_policy else None
    if inputs.mode == "principal":
        arn = principal_arn_of(caller, inputs.principal_arn)
        if resource_policy or session:
            results = simulate_principal_policy_with(
                caller, policy_source_arn=arn, resource_policy=resource_policy or None,
                session_policy_input_list=session, **common)
        else:
            results = simulation.simulate_principal_policy(caller, policy_source_arn=arn,
                                                           **common)
        entity = _entity(caller.account_id, arn)
        # A boundary typed in replaces the principal's own.
        replaced = PolicyKind.BOUNDARY if inputs.boundary else None
        documents = readable(caller, [d for d in documents_of(entity) if d.kind is not replaced])
    else:
        custom = {"policy_input_list": inputs.policies, "resource_policy": resource_policy or None,
                  "caller_arn": inputs.caller_arn or None, **common}
        if session:
            results = simulate_custom_policy_with(caller, session_policy_input_list=session,
                                                  **custom)
        else:
            results = simulation.simulate_custom_policy(caller, **custom)
        arn = inputs.caller_arn
        documents = [PolicyDoc(f"PolicyInputList.{n}", f"Policy {n}", "Custom identity policy",
                               text) for n, text in enumerate(inputs.policies, start=1)]
    documents += _input_documents(inputs.boundary, resource_policy, label, inputs.session_policy)
    return SimulationRun(results, documents, arn, label)


def readable(caller: Caller, documents: list[PolicyDoc]) -> list[PolicyDoc]:
    """Mark the stored documents the caller may not read where the console shows them
    (GetUserPolicy, GetPolicyVersion, ...). Simulating a principal reveals its
    decisions and statement ids, as SimulatePrincipalPolicy does, not its policy
    texts; a refused read is recorded like a refused section of any page."""
    answers: dict[tuple[str, str], str] = {}
    for doc in documents:
        if doc.read is None:
            continue
        if doc.read not in answers:
            action, resource = doc.read
            try:
                authorize(caller, action, resource)
                answers[doc.read] = ""
            except AccessDenied as refused:
                record(caller, action, outcome=refused.code, resources=[resource],
                       error_message=refused.message)
                answers[doc.read] = refused.message
        doc.denied = answers[doc.read]
    return documents


def _input_documents(boundary: str, resource_policy: str, label: str,
                     session_policy: str) -> list[PolicyDoc]:
    """The typed-in documents, named as the operations name them in StatementRefs."""
    docs = []
    if boundary:
        docs.append(PolicyDoc("PermissionsBoundaryPolicyInputList.1", "Permissions boundary",
                              "Permissions boundary (entered)", boundary, PolicyKind.BOUNDARY))
    if resource_policy:
        docs.append(PolicyDoc("ResourcePolicy.1", label, "Resource-based policy", resource_policy,
                              PolicyKind.RESOURCE))
    if session_policy:
        docs.append(PolicyDoc("SessionPolicy.1", "Session policy", "Session policy",
                              session_policy, PolicyKind.SESSION))
    return docs


def _entity(account_id: str, arn: str) -> User | Group | Role:
    """The principal an operation has just authorized and found (so it exists)."""
    kind, _, rest = arn.split(":", 5)[5].partition("/")
    path, _, name = ("/" + rest).rpartition("/")
    rows = {"user": User.objects.filter(kind=User.Kind.IAM), "group": Group.objects,
            "role": Role.objects}[kind]
    return rows.get(account_id=account_id, name__iexact=name, path=path + "/")


@dataclass
class ContextKeys:
    """The context keys the chosen policies use, or why the caller may not ask."""

    keys: list[str] = field(default_factory=list)
    denied: str = ""
    types: dict[str, str] = field(default_factory=dict)


def context_keys(caller: Caller, inputs: SimulationInputs,
                 documents: list[PolicyDoc] | None = None) -> ContextKeys:
    """GetContextKeysForPrincipalPolicy / ForCustomPolicy for the chosen policies,
    plus the keys of the typed-in boundary, resource and session policies."""
    extra = [t for t in (inputs.boundary, inputs.resource_policy, inputs.session_policy) if t]
    try:
        if inputs.mode == "principal":
            arn = principal_arn_of(caller, inputs.principal_arn)
            keys = simulation.get_context_keys_for_principal_policy(caller, policy_source_arn=arn)
            if documents is None:
                documents = readable(caller, documents_of(_entity(caller.account_id, arn)))
        else:
            keys = simulation.get_context_keys_for_custom_policy(
                caller, policy_input_list=inputs.policies)
            documents = documents or []
    except AccessDenied as refused:
        return ContextKeys(denied=refused.message)
    try:
        keys = list(dict.fromkeys(keys + (context_keys_in(*extra) if extra else [])))
    except PolicyError as error:
        raise InvalidInput(error.message) from error
    return ContextKeys(keys=keys, types=_key_types(documents))


def _key_types(documents: list[PolicyDoc]) -> dict[str, str]:
    types: dict[str, str] = {}
    for doc in documents:
        compiled = doc.compiled
        for statement in compiled.document.statements if compiled else ():
            for condition in statement.conditions:
                base = _FAMILY_TYPES.get(condition.family, "string")
                types.setdefault(condition.key.lower(),
                                 base + "List" if condition.qualifier else base)
    return types


def context_table(keys: ContextKeys | None, posted: list[ContextRow],
                  missing: list[str]) -> list[ContextRow]:
    """The rows of the context table: the policies' keys first (typed from their
    conditions), then keys the person added, then one empty row to add another."""
    by_name = {row.name.lower(): row for row in posted}
    rows = []
    for name in keys.keys if keys else []:
        row = by_name.pop(name.lower(), None) or ContextRow(
            name=name, value_type=keys.types.get(name.lower(), "string"))
        row.used_by_policies = True
        rows.append(row)
    rows += list(by_name.values())
    lacking = {name.lower() for name in missing}
    for row in rows:
        row.missing = row.name.lower() in lacking and not row.value.strip()
        row.from_principal = _from_principal(row.name)
    return rows + [ContextRow(name="")]


def _from_principal(name: str) -> bool:
    """Keys the engine fills in from the simulated principal when left empty."""
    lowered = name.lower()
    return lowered in _PRINCIPAL_KEYS or lowered.startswith("aws:principaltag/")


_PRINCIPAL_KEYS = {"aws:username", "aws:userid", "aws:principalarn", "aws:principalaccount",
                   "aws:principaltype"}


@operation("iam:SimulatePrincipalPolicy")
def simulate_principal_policy_with(caller: Caller, *, policy_source_arn: str, action_names,
                                   resource_arns=None, context_entries=None,
                                   permissions_boundary_policy_input_list=None,
                                   resource_policy: str | None = None,
                                   session_policy_input_list=None) -> list[SimulationResult]:
    """SimulatePrincipalPolicy (on the principal's ARN) with AWS's ResourcePolicy, the
    principal itself being the caller, and session policies that narrow it."""
    source = simulation._source(caller, policy_source_arn, "iam:SimulatePrincipalPolicy")
    boundary = simulation._boundary_input(permissions_boundary_policy_input_list)
    policy_set = PolicySet(identity=source.policy_set.identity,
                           resource=_resource_input(resource_policy),
                           boundary=boundary or source.policy_set.boundary,
                           session=_session_inputs(session_policy_input_list))
    return simulation.simulate(caller, policy_set=policy_set, principal=source.principal,
                               action_names=action_names, resource_arns=resource_arns,
                               context_entries=context_entries)


@operation("iam:SimulateCustomPolicy")
def simulate_custom_policy_with(caller: Caller, *, policy_input_list, action_names,
                                resource_arns=None, resource_policy: str | None = None,
                                caller_arn: str | None = None, context_entries=None,
                                permissions_boundary_policy_input_list=None,
                                session_policy_input_list=None) -> list[SimulationResult]:
    """SimulateCustomPolicy (iam:SimulateCustomPolicy on *) with session policies."""
    authorize(caller, "iam:SimulateCustomPolicy", "*")
    identity = simulation._compiled_inputs(policy_input_list, PolicyKind.MANAGED,
                                           "PolicyInputList")
    if not identity:
        raise InvalidInput("PolicyInputList must contain at least one policy.")
    if resource_policy is not None and not caller_arn:
        raise InvalidInput("CallerArn is required when you include a ResourcePolicy.")
    policy_set = PolicySet(
        identity=identity, resource=_resource_input(resource_policy),
        boundary=simulation._boundary_input(permissions_boundary_policy_input_list),
        session=_session_inputs(session_policy_input_list))
    return simulation.simulate(caller, policy_set=policy_set,
                               principal=_custom_caller(caller, caller_arn),
                               action_names=action_names, resource_arns=resource_arns,
                               context_entries=context_entries)


def _resource_input(text: str | None):
    return simulation._compiled_inputs([text] if text is not None else None,
                                       PolicyKind.RESOURCE, "ResourcePolicy")


def _session_inputs(texts):
    return simulation._compiled_inputs(texts, PolicyKind.SESSION, "SessionPolicy")


def _custom_caller(caller: Caller, caller_arn: str | None) -> Principal:
    """As SimulateCustomPolicy: an IAM user's ARN, or a caller with no user name."""
    if not caller_arn:
        return Principal(arn=f"arn:aws:sts::{caller.account_id}:federated-user/SimulatedCaller",
                         account=caller.account_id, kind="FederatedUser")
    try:
        principal = Principal.from_arn(caller_arn)
    except ValueError:
        principal = None
    if principal is None or principal.kind != "User":
        raise InvalidInput(f"CallerArn {caller_arn} is not valid: it must be the ARN of an IAM "
                           "user.")
    return principal
