"""The policy documents a simulation used, and each result's evidence in them.

The simulator names statements by ``StatementRef`` (policy id, Sid, index). To
show them, this module loads the same documents the policy set was compiled
from, labelled exactly as ``policies.policyset`` and ``policies.selectors``
label them, and splits each document into its statements so that a page can
mark the deciding ones. Nothing here authorizes: the simulator's operations
have authorized the run before any of this is read, and each stored document
names the read (``PolicyDoc.read``) that the page checks before showing it.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field

from django.db.models import Q

from identities.models import Group, Role, User
from policies.engine import CompiledPolicy, PolicyError, PolicyKind, StatementRef, compile_policy
from policies.models import InlinePolicy, PermissionsBoundary, PolicyAttachment
from policies.services import policy_arn

DECIDING = "deciding"
MATCHED = "matched"
NEAR = "near"  # allows the action, but not on this resource or in this context


@dataclass
class PolicyDoc:
    """One document of a simulation, labelled as the engine's StatementRefs name it."""

    policy_id: str
    name: str
    kind_label: str
    text: str
    kind: PolicyKind = PolicyKind.MANAGED
    arn: str = ""  # set for managed policies, which have a detail page
    # The read that shows this text on a console page of its own (None: typed in).
    read: tuple[str, str] | None = None
    denied: str = ""  # why the caller may not read it, once asked
    _compiled: CompiledPolicy | None = field(default=None, repr=False)

    @property
    def compiled(self) -> CompiledPolicy | None:
        if self.denied:
            return None
        if self._compiled is None:
            try:
                self._compiled = compile_policy(self.text, self.kind, policy_id=self.policy_id,
                                                name=self.name)
            except PolicyError:
                return None
        return self._compiled


@dataclass
class Block:
    """One statement of a document as the page prints it."""

    index: int
    sid: str | None
    text: str
    summary: str  # one line (Sid and Effect) for a statement shown folded
    state: str = ""


@dataclass
class Evidence:
    """A document with the statements that mattered to one result marked."""

    doc: PolicyDoc
    head: str
    blocks: list[Block]
    tail: str

    @property
    def marked(self) -> list[Block]:
        return [b for b in self.blocks if b.state]


@dataclass
class NearMiss:
    """A statement that allows the action but did not apply, and where it would."""

    ref: StatementRef
    doc: PolicyDoc
    resources: tuple[str, ...]
    not_resource: bool
    has_conditions: bool


def _managed(rows, kind_label: str, kind: PolicyKind = PolicyKind.MANAGED) -> list[PolicyDoc]:
    docs = []
    for name, account_id, path, text in rows:
        arn = policy_arn(account_id, path, name)
        label = ("AWS managed" if account_id is None else "Customer managed") + kind_label
        docs.append(PolicyDoc(arn, name, label, text, kind, arn,
                              read=("iam:GetPolicyVersion", arn)))
    return docs


_MANAGED_COLUMNS = ("policy__name", "policy__account_id", "policy__path",
                    "policy__default_document")


def documents_of(entity: User | Group | Role) -> list[PolicyDoc]:
    """The documents of a user (with its groups'), a group or a role: three queries."""
    if isinstance(entity, User):
        owned, read = Q(user=entity) | Q(group__memberships__user=entity), "iam:GetUserPolicy"
        inline_kind = PolicyKind.USER_INLINE
    elif isinstance(entity, Group):
        owned, read, inline_kind = Q(group=entity), "iam:GetGroupPolicy", PolicyKind.GROUP_INLINE
    else:
        owned, read, inline_kind = Q(role=entity), "iam:GetRolePolicy", PolicyKind.ROLE_INLINE
    docs: list[PolicyDoc] = []
    rows = (InlinePolicy.objects.filter(owned)
            .values_list("user_id", "group__name", "group__path", "name", "document")
            .order_by("group_id", "name"))
    for user_id, group_name, group_path, name, text in rows:
        if isinstance(entity, User) and not user_id:
            # A user's own inline policies and its groups' share one namespace in
            # the policy set: the group's are prefixed with the group's name, as there.
            group_arn = f"arn:aws:iam::{entity.account_id}:group{group_path}{group_name}"
            docs.append(PolicyDoc(f"inline:{group_name}/{name}", f"{group_name}/{name}",
                                  f"Inline policy of group {group_name}", text,
                                  PolicyKind.GROUP_INLINE,
                                  read=("iam:GetGroupPolicy", group_arn)))
        else:
            docs.append(PolicyDoc(f"inline:{name}", name, "Inline policy", text, inline_kind,
                                  read=(read, entity.arn)))
    attached = (PolicyAttachment.objects.filter(owned).values_list(*_MANAGED_COLUMNS)
                .order_by("policy__name").distinct())
    docs += _managed(attached, "")
    if not isinstance(entity, Group):
        owner = {"user": entity} if isinstance(entity, User) else {"role": entity}
        boundary = PermissionsBoundary.objects.filter(**owner).values_list(*_MANAGED_COLUMNS)[:1]
        docs += _managed(boundary, ", permissions boundary", PolicyKind.BOUNDARY)
    return _unique(docs)


def _unique(docs: list[PolicyDoc]) -> list[PolicyDoc]:
    by_id: dict[str, PolicyDoc] = {}
    for doc in docs:
        if doc.policy_id in by_id:
            # Attached and also the boundary: the same document, both roles.
            by_id[doc.policy_id].kind_label += ", permissions boundary"
        else:
            by_id[doc.policy_id] = doc
    return list(by_id.values())


def split(text: str) -> tuple[str, list[Block], str]:
    """The document printed with four-space indents, cut around each statement.

    A single statement object (``"Statement": {...}``) stays an object; any
    other top-level element keeps its place before ``Statement``.
    """
    try:
        data = json.loads(text)
    except ValueError:
        return text, [], ""
    if not isinstance(data, dict) or not isinstance(data.get("Statement"), (dict, list)):
        return json.dumps(data, indent=4), [], ""
    statements = data["Statement"]
    single = isinstance(statements, dict)
    others = [f"    {json.dumps(k)}: {_nested(v, 4)}" for k, v in data.items() if k != "Statement"]
    head = "{\n" + "".join(line + ",\n" for line in others)
    pad = " " * (4 if single else 8)
    items = [statements] if single else statements
    blocks = []
    for index, statement in enumerate(items):
        body = textwrap.indent(json.dumps(statement, indent=4), pad)
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        comma = "" if index == len(items) - 1 else ","
        blocks.append(Block(index, sid if isinstance(sid, str) else None, body + comma,
                            pad + _summary(statement) + comma))
    # No newline where a statement starts or ends: the page prints statements as
    # blocks, which start on a line of their own.
    head += '    "Statement":' if single else '    "Statement": ['
    tail = "}" if single else "    ]\n}"
    return head, blocks, tail


def _summary(statement) -> str:
    if not isinstance(statement, dict):
        return json.dumps(statement)
    shown = {k: statement[k] for k in ("Sid", "Effect") if k in statement}
    return json.dumps(shown)[:-1] + ", \u2026 }" if shown else "{ \u2026 }"


def _nested(value, indent: int) -> str:
    return textwrap.indent(json.dumps(value, indent=4), " " * indent).lstrip()


def evidence(result, docs: list[PolicyDoc]) -> tuple[list[Evidence], list[NearMiss]]:
    """The documents one result depends on, deciding and matched statements marked,
    and for a denial the allow statements that would have applied elsewhere."""
    deciding = {(r.policy_id, r.index) for r in result.deciding_statements}
    matched = {(r.policy_id, r.index) for r in result.matched_statements}
    near = [] if result.eval_decision == "allowed" else near_misses(result, docs, matched)
    near_keys = {(n.ref.policy_id, n.ref.index) for n in near}
    shown = []
    for doc in docs:
        if doc.denied:
            # Named by the results all the same, as SimulatePrincipalPolicy names
            # its policies; only the text is withheld.
            if any(key[0] == doc.policy_id for key in deciding | matched):
                shown.append(Evidence(doc, "", [], ""))
            continue
        head, blocks, tail = split(doc.text)
        for block in blocks:
            key = (doc.policy_id, block.index)
            block.state = (DECIDING if key in deciding else MATCHED if key in matched
                           else NEAR if key in near_keys else "")
        if any(block.state for block in blocks):
            shown.append(Evidence(doc, head, blocks, tail))
    return shown, near


def near_misses(result, docs: list[PolicyDoc], matched: set) -> list[NearMiss]:
    """Allow statements whose action covers the request but that did not match it
    (another resource, a condition, or another principal in a resource policy)."""
    action = result.eval_action_name.lower()
    found = []
    for doc in docs:
        compiled = doc.compiled
        if compiled is None:
            continue
        _denies, allows = compiled.pairs(action)
        for statement, ref in allows:
            if (ref.policy_id, ref.index) in matched:
                continue
            rule = statement.statement
            found.append(NearMiss(ref, doc, rule.not_resource or rule.resource or ("*",),
                                  rule.not_resource is not None, bool(rule.conditions)))
    return found
