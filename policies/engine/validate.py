"""Policy validation findings, in the style of IAM Access Analyzer's policy checks.

``validate_policy`` never raises.  It runs the same grammar as ``parse_policy`` (so
every reason a document would be refused appears as an ERROR finding, all of them,
not just the first) and then the checks that do not stop IAM from saving a policy
but that a careful author wants to see:

* ERROR - JSON syntax, grammar (unknown Effect, operator, element; Principal in an
  identity policy or missing from a trust policy; missing Action ...) and condition
  values that cannot be read for their operator (a date that is not a date).
* SECURITY_WARNING - Allow with NotAction / NotResource / NotPrincipal, and
  ``iam:PassRole`` allowed on a wildcard resource.
* WARNING - unknown IAM/STS actions, policy variables in a document that does not
  support them, identical statements, repeated Sids, a missing Version, wildcards
  in a non-``Like`` operator.
* SUGGESTION - empty Sid, empty arrays and condition blocks, Null with a set
  qualifier, CIDR ranges with host bits set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import catalog
from .conditions import parse_ip, parse_network, value_problem
from .document import (
    OPERATORS,
    VERSION_2012,
    PolicyDocument,
    PolicyKind,
    Statement,
    policy_size,
    split_operator,
)
from .grammar import Grammar, as_list
from .jsonsource import JsonSyntaxError, load
from .matching import compile_glob, has_wildcard
from .problems import CollectingSink, Finding

_CATALOGUED_SERVICES = ("iam", "sts")
_PASSED_TO_SERVICE = "iam:passedtoservice"
_SINGLE_VALUED = frozenset(
    k.lower()
    for k in (
        "aws:username",
        "aws:userid",
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalType",
        "aws:SourceIp",
        "aws:SecureTransport",
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:RequestedRegion",
        "aws:SourceAccount",
        "aws:SourceArn",
    )
)
_FAMILY_CODES = {
    "numeric": "TYPE_MISMATCH_NUMBER",
    "date": "TYPE_MISMATCH_DATE",
    "bool": "TYPE_MISMATCH_BOOLEAN",
    "null": "TYPE_MISMATCH_BOOLEAN",
    "ip": "TYPE_MISMATCH_IP_RANGE",
    "binary": "TYPE_MISMATCH_STRING",
}


def validate_policy(text: str, kind: PolicyKind) -> list[Finding]:
    """Every finding for ``text`` used as a ``kind`` policy.  Never raises."""
    try:
        return _validate(text, kind)
    except Exception:  # the editor must always get an answer, even from a bug
        return [
            Finding("ERROR", "INTERNAL_ERROR", "The policy could not be validated.", "", None, None)
        ]


def _validate(text: str, kind: PolicyKind) -> list[Finding]:
    if not isinstance(text, str):
        return [Finding("ERROR", "DATA_TYPE_MISMATCH", "The policy document must be text.", "")]
    findings: list[Finding] = []
    size = policy_size(text)
    if size > kind.max_size:
        findings.append(
            Finding(
                "ERROR",
                "POLICY_SIZE_EXCEEDS_QUOTA",
                f"The policy has {size} characters (excluding whitespace), more than the "
                f"{kind.max_size} allowed for this policy type.",
                "",
            )
        )
    try:
        raw, positions = load(text)
    except JsonSyntaxError as exc:
        findings.append(
            Finding(
                "ERROR",
                "JSON_SYNTAX_ERROR",
                f"Fix the JSON syntax error at index {exc.offset} line {exc.line} column "
                f"{exc.column}: {exc.message}.",
                "",
                exc.line,
                exc.column,
            )
        )
        return findings
    sink = CollectingSink(positions)
    document = Grammar(kind, sink).document(raw)
    findings.extend(sink.findings)
    if document is not None:
        lint = _Lint(raw, document, CollectingSink(positions))
        lint.run()
        findings.extend(lint.sink.findings)
    return findings


class _Lint:
    """The checks beyond the grammar, over statements that passed it."""

    def __init__(self, raw: dict, document: PolicyDocument, sink: CollectingSink) -> None:
        self.raw = raw
        self.document = document
        self.sink = sink
        self.listed = isinstance(raw.get("Statement"), list)

    def note(self, finding_type: str, code: str, message: str, path: tuple) -> None:
        self.sink.note(finding_type, code, message, path)  # type: ignore[arg-type]

    def path(self, statement: Statement) -> tuple:
        return ("Statement", statement.index) if self.listed else ("Statement",)

    def raw_statement(self, statement: Statement) -> dict:
        value = self.raw["Statement"]
        return value[statement.index] if self.listed else value

    def run(self) -> None:
        if not self.document.version_given:
            self.note(
                "WARNING",
                "MISSING_VERSION",
                'Add "Version": "2012-10-17": without it the 2008-10-17 language applies '
                "and policy variables are not substituted.",
                (),
            )
        seen_sids: dict[str, int] = {}
        for statement in self.document.statements:
            self.statement(statement, seen_sids)
        self.redundant()

    def statement(self, statement: Statement, seen_sids: dict[str, int]) -> None:
        path = self.path(statement)
        raw = self.raw_statement(statement)
        if statement.sid is not None:
            if statement.sid == "":
                self.note(
                    "SUGGESTION",
                    "EMPTY_SID_VALUE",
                    "Add a value to the empty string in the Sid element.",
                    path + ("Sid",),
                )
            elif statement.sid in seen_sids:
                self.note(
                    "WARNING",
                    "UNIQUE_SIDS_RECOMMENDED",
                    f"The Sid {statement.sid!r} is also used by statement "
                    f"{seen_sids[statement.sid]}: use unique statement IDs.",
                    path + ("Sid",),
                )
            else:
                seen_sids[statement.sid] = statement.index
        self.empties(raw, path)
        self.actions(raw, path)
        self.security(statement, raw, path)
        self.conditions(raw, path)
        self.old_version_variables(raw, path)

    def empties(self, raw: dict, path: tuple) -> None:
        for key in ("Action", "NotAction"):
            if raw.get(key) == []:
                self.note(
                    "SUGGESTION",
                    "EMPTY_ARRAY_ACTION",
                    "This statement includes no actions and does not affect the policy.",
                    path + (key,),
                )
        for key in ("Resource", "NotResource"):
            if raw.get(key) == []:
                self.note(
                    "SUGGESTION",
                    "EMPTY_ARRAY_RESOURCE",
                    "This statement includes no resources and does not affect the policy.",
                    path + (key,),
                )
        for key in ("Principal", "NotPrincipal"):
            value = raw.get(key)
            if isinstance(value, dict) and (not value or all(v == [] for v in value.values())):
                self.note(
                    "SUGGESTION",
                    "EMPTY_OBJECT_PRINCIPAL",
                    "This statement includes no principals and does not affect the policy.",
                    path + (key,),
                )
        if raw.get("Condition") == {}:
            self.note(
                "SUGGESTION",
                "EMPTY_OBJECT_CONDITION",
                "This condition block is empty and does not affect the policy: remove it or add "
                "conditions.",
                path + ("Condition",),
            )

    def actions(self, raw: dict, path: tuple) -> None:
        for key in ("Action", "NotAction"):
            if key not in raw:
                continue
            for item, where in as_list(raw[key], path + (key,)):
                if not isinstance(item, str):
                    continue
                service, _, name = item.partition(":")
                if service.lower() not in _CATALOGUED_SERVICES or has_wildcard(service):
                    continue
                if has_wildcard(name):
                    if not catalog.actions_matching(item):
                        self.note(
                            "WARNING",
                            "INVALID_ACTION",
                            f"The action pattern {item!r} matches no {service} action.",
                            where,
                        )
                elif not catalog.is_known_action(item):
                    self.note(
                        "WARNING", "INVALID_ACTION", f"The action {item!r} does not exist.", where
                    )

    def security(self, statement: Statement, raw: dict, path: tuple) -> None:
        if statement.effect != "Allow":
            return
        if statement.not_action is not None:
            self.note(
                "SECURITY_WARNING",
                "ALLOW_WITH_NOT_ACTION",
                "Using Allow with NotAction can be overly permissive: it allows every action not "
                "listed, including actions added later. We recommend that you use Action instead.",
                path + ("NotAction",),
            )
        if statement.not_resource is not None:
            self.note(
                "SECURITY_WARNING",
                "ALLOW_WITH_NOT_RESOURCE",
                "Using Allow with NotResource can be overly permissive: it allows every resource "
                "not listed. We recommend that you use Resource instead.",
                path + ("NotResource",),
            )
        if statement.not_principal is not None:
            self.note(
                "SECURITY_WARNING",
                "ALLOW_WITH_NOT_PRINCIPAL",
                "Using Allow with NotPrincipal can be overly permissive. We recommend that you "
                "use Principal instead.",
                path + ("NotPrincipal",),
            )
        self.pass_role(statement, path)

    def pass_role(self, statement: Statement, path: tuple) -> None:
        if any(c.key.lower() == _PASSED_TO_SERVICE for c in statement.conditions):
            return
        if statement.action is not None:
            exact = any(a.lower() == "iam:passrole" for a in statement.action)
            wild = not exact and any(
                has_wildcard(a) and compile_glob(a.lower())("iam:passrole")
                for a in statement.action
            )
            if not exact and not wild:
                return
            action_part = "" if exact else "_IN_ACTION"
        else:
            if any(compile_glob(a.lower())("iam:passrole") for a in statement.not_action or ()):
                return
            action_part = "_AND_NOT_ACTION"
        if statement.not_resource is not None:
            if action_part == "_AND_NOT_ACTION":
                code = "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE"
            else:
                code = (
                    f"PASS_ROLE_WITH_STAR{action_part}_AND_NOT_RESOURCE"
                    if action_part
                    else "PASS_ROLE_WITH_NOT_RESOURCE"
                )
            where = path + ("NotResource",)
        elif statement.resource is None or any("*" in r for r in statement.resource):
            if action_part == "_AND_NOT_ACTION":
                code = "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"
            elif action_part:
                code = "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"
            else:
                code = "PASS_ROLE_WITH_STAR_IN_RESOURCE"
            where = path + ("Resource",)
        else:
            return
        self.note(
            "SECURITY_WARNING",
            code,
            "This statement allows iam:PassRole on a wildcard resource, which lets the principal "
            "pass "
            "any role to a service. Specify role ARNs or add the iam:PassedToService condition "
            "key.",
            where,
        )

    def conditions(self, raw: dict, path: tuple) -> None:
        block = raw.get("Condition")
        if not isinstance(block, dict):
            return
        variables = self.document.version == VERSION_2012
        for operator, keys in block.items():
            split = split_operator(operator)
            if split is None or not isinstance(keys, dict):
                continue
            qualifier, base, if_exists = split
            family = OPERATORS[base]
            where_op = path + ("Condition", operator)
            if base == "Null" and qualifier:
                self.note(
                    "SUGGESTION",
                    "NULL_WITH_QUALIFIER",
                    "Avoid using Null with ForAllValues or ForAnyValue: they always return true "
                    "or false respectively.",
                    where_op,
                )
            for key, value in keys.items():
                where_key = where_op + (key,)
                if value == []:
                    suffix = {"ForAllValues": "_FORALLVALUES", "ForAnyValue": "_FORANYVALUE"}.get(
                        qualifier or "", ""
                    )
                    if if_exists and not suffix:
                        suffix = "_IFEXISTS"
                    self.note(
                        "SUGGESTION",
                        f"EMPTY_ARRAY_CONDITION{suffix}",
                        f"There are no values for the condition key {key}.",
                        where_key,
                    )
                if qualifier == "ForAllValues" and key.lower() in _SINGLE_VALUED:
                    self.note(
                        "SECURITY_WARNING",
                        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                        f"Using ForAllValues with the single-valued condition key {key} can be "
                        "overly permissive: "
                        "it is also true when the key is absent. Remove ForAllValues:.",
                        where_key,
                    )
                for item, where in as_list(value, where_key):
                    self.condition_value(family, base, item, where, variables)

    def condition_value(
        self, family: str, base: str, item: Any, where: tuple, variables: bool
    ) -> None:
        text = item if isinstance(item, str) else None
        if text is None:
            return
        if "${" in text and variables and family not in ("string", "arn"):
            self.note(
                "ERROR",
                "INVALID_VARIABLE_FOR_OPERATOR",
                f"Policy variables can only be used with String and ARN operators, not {base}.",
                where,
            )
            return
        problem = value_problem(family, text)
        if problem:
            self.note(
                "ERROR",
                _FAMILY_CODES[family],
                f"{problem}, as the {base} operator requires.",
                where,
            )
            return
        if base in (
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
        ):
            if has_wildcard(text.replace("${*}", "").replace("${?}", "")):
                self.note(
                    "WARNING",
                    "WILDCARD_WITHOUT_LIKE_OPERATOR",
                    "The condition value includes * or ?, which only act as wildcards with a Like "
                    f"operator (use StringLike instead of {base}).",
                    where,
                )
        if family == "ip":
            network = parse_network(text)
            if network is not None and "/" in text and parse_ip(text) != network.network_address:
                self.note(
                    "SUGGESTION",
                    "IMPROVE_IP_RANGE",
                    f"The bits after the mask in {text} are ignored: use {network}.",
                    where,
                )

    def old_version_variables(self, raw: dict, path: tuple) -> None:
        if self.document.version == VERSION_2012:
            return
        for where, text in _strings(raw, path):
            if "${" in text:
                self.note(
                    "WARNING",
                    "VARIABLE_IN_OLD_VERSION",
                    f"{text!r} looks like a policy variable, but variables are only substituted "
                    "when the "
                    'policy Version is "2012-10-17"; here it is literal text.',
                    where,
                )

    def redundant(self) -> None:
        statements = self.document.statements
        for i, later in enumerate(statements):
            for earlier in statements[:i]:
                if later.same_rule(earlier):
                    self.note(
                        "WARNING",
                        "REDUNDANT_STATEMENT",
                        f"This statement repeats statement {earlier.index}: remove one of them.",
                        self.path(later),
                    )
                    break


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, path + (i,))
