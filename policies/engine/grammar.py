"""The IAM JSON policy grammar: text in, ``PolicyDocument`` out.

``parse_policy`` refuses what IAM refuses (``MalformedPolicyDocument`` /
``LimitExceeded``).  The grammar walk reports each problem to a sink (see
``problems.py``) so that ``validate_policy`` runs exactly the same rules and keeps
going after the first error.  Value *types* that IAM itself accepts - a malformed
date under ``DateLessThan``, an unknown action - are not refused here; the
validator flags them and the evaluator treats them as matching nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .arn import is_account_id, root_arn
from .document import (
    VERSION_2008,
    VERSION_2012,
    VERSIONS,
    Condition,
    PolicyDocument,
    PolicyKind,
    PrincipalBlock,
    Statement,
    policy_size,
    split_operator,
)
from .jsonsource import JsonNumber, JsonSyntaxError, Positions, load_fast
from .problems import LIMIT_EXCEEDED, MALFORMED, PolicyError, StrictSink

_TOP_KEYS = ("Version", "Id", "Statement")
_STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
_PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
_IAM_SID = re.compile(r"[0-9A-Za-z]*")
_UNIQUE_ID = re.compile(r"A[A-Z0-9]{15,127}")


def parse_policy(text: str, kind: PolicyKind) -> PolicyDocument:
    """Parse and check a policy as IAM does; raise ``PolicyError`` for anything IAM
    would refuse.  Never raises anything else for any ``str``."""
    if not isinstance(text, str):
        raise PolicyError("The policy document must be a string of JSON text.")
    try:
        check_size(text, kind)
        raw, positions = read_json(text)
        document = Grammar(kind, StrictSink(positions)).document(raw)
    except PolicyError:
        raise
    except Exception as exc:  # a bug must still surface as the documented error type
        raise PolicyError("The policy document could not be read.") from exc
    if document is None:  # pragma: no cover - the strict sink raises first
        raise PolicyError("The policy document is not valid.")
    return document


def check_size(text: str, kind: PolicyKind) -> None:
    if policy_size(text) > kind.max_size:
        raise PolicyError(
            f"Cannot exceed quota for {kind.quota_name}: {kind.max_size}",
            code=LIMIT_EXCEEDED,
            issue_code="POLICY_SIZE_EXCEEDS_QUOTA",
        )


def read_json(text: str) -> tuple[Any, Positions]:
    try:
        return load_fast(text)
    except JsonSyntaxError as exc:
        raise PolicyError(
            f"Syntax error in policy: {exc.message} at line {exc.line}, column {exc.column}.",
            code=MALFORMED,
            line=exc.line,
            column=exc.column,
            issue_code="JSON_SYNTAX_ERROR",
        ) from None


def as_list(value: Any, path: tuple) -> Iterator[tuple[Any, tuple]]:
    """Yield (item, path) for a string-or-list element."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield item, path + (i,)
    else:
        yield value, path


def _text(value: Any) -> str | None:
    """A condition value as IAM compares it: numbers and booleans as their text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, JsonNumber):
        return value.text
    return None


class Grammar:
    """The policy grammar, reporting each violation to ``sink``.  Methods return
    None for an element they could not build; the strict sink never lets them."""

    def __init__(self, kind: PolicyKind, sink: Any) -> None:
        self.kind = kind
        self.sink = sink
        self.iam = kind is not PolicyKind.RESOURCE

    def error(self, code: str, message: str, path: tuple) -> None:
        self.sink.error(code, message, path)

    def document(self, raw: Any) -> PolicyDocument | None:
        if not isinstance(raw, dict):
            self.error("DATA_TYPE_MISMATCH", "The policy must be a JSON object", ())
            return None
        for key in raw:
            if key not in _TOP_KEYS:
                self.error(
                    "INVALID_POLICY_ELEMENT", f"The element {key!r} is not a policy element", (key,)
                )
        version = raw.get("Version")
        version_given = "Version" in raw
        if version_given and version not in VERSIONS:
            self.error(
                "INVALID_VERSION",
                f'The policy Version {version!r} is not valid: use "2012-10-17" or "2008-10-17"',
                ("Version",),
            )
            version = VERSION_2012
        if not version_given:
            version = VERSION_2008
        doc_id = raw.get("Id")
        if doc_id is not None and not isinstance(doc_id, str):
            self.error("DATA_TYPE_MISMATCH", "Id must be a string", ("Id",))
            doc_id = None
        statements = [s for s in self.statements(raw) if s is not None]
        return PolicyDocument(self.kind, version, version_given, doc_id, tuple(statements))

    def statements(self, raw: dict) -> Iterator[Statement | None]:
        if "Statement" not in raw:
            self.error("MISSING_STATEMENT", "The policy must contain a Statement", ())
            return
        value = raw["Statement"]
        if isinstance(value, dict):
            yield self.statement(value, ("Statement",), 0)
        elif isinstance(value, list):
            if not value:
                self.error(
                    "MISSING_STATEMENT",
                    "The Statement list is empty: add a statement",
                    ("Statement",),
                )
            for i, item in enumerate(value):
                yield self.statement(item, ("Statement", i), i)
        else:
            self.error(
                "DATA_TYPE_MISMATCH",
                "Statement must be an object or a list of objects",
                ("Statement",),
            )

    def statement(self, raw: Any, path: tuple, index: int) -> Statement | None:
        if not isinstance(raw, dict):
            self.error("DATA_TYPE_MISMATCH", "Each statement must be a JSON object", path)
            return None
        ok = True

        def fail(code: str, message: str, where: tuple) -> None:
            nonlocal ok
            ok = False
            self.error(code, message, where)

        for key in raw:
            if key not in _STATEMENT_KEYS:
                fail(
                    "INVALID_POLICY_ELEMENT",
                    f"The element {key!r} is not a statement element",
                    path + (key,),
                )
        sid = raw.get("Sid")
        if "Sid" in raw:
            if not isinstance(sid, str):
                fail("DATA_TYPE_MISMATCH", "Sid must be a string", path + ("Sid",))
                sid = None
            elif self.iam and not _IAM_SID.fullmatch(sid):
                fail(
                    "INVALID_SID",
                    "Statement IDs (SID) must be alpha-numeric: use only A-Z, a-z and 0-9",
                    path + ("Sid",),
                )
        effect = raw.get("Effect")
        if "Effect" not in raw:
            fail(
                "MISSING_EFFECT",
                'The statement has no Effect: add "Effect": "Allow" or "Deny"',
                path,
            )
        elif effect not in ("Allow", "Deny"):
            fail(
                "INVALID_EFFECT",
                f'Effect must be "Allow" or "Deny", not {effect!r}',
                path + ("Effect",),
            )

        principal, not_principal = self.principals(raw, path, fail)
        action, not_action = self.pair(raw, path, "Action", "NotAction", fail, self.action_value)
        if action is None and not_action is None and "Action" not in raw and "NotAction" not in raw:
            fail("MISSING_ACTION", "The statement has no Action or NotAction element", path)
        if self.kind is PolicyKind.TRUST:
            self.trust_rules(raw, path, fail)
        resource, not_resource = self.pair(
            raw, path, "Resource", "NotResource", fail, self.resource_value
        )
        if "Resource" not in raw and "NotResource" not in raw and not self.kind.is_resource_policy:
            fail("MISSING_RESOURCE", "The statement has no Resource or NotResource element", path)
        conditions = (
            self.conditions(raw.get("Condition"), path + ("Condition",), fail)
            if "Condition" in raw
            else ()
        )
        if not ok:
            return None
        return Statement(
            index=index,
            sid=sid,
            effect=effect,
            principal=principal,
            not_principal=not_principal,
            action=action,
            not_action=not_action,
            resource=resource,
            not_resource=not_resource,
            conditions=conditions,
        )

    def trust_rules(self, raw: dict, path: tuple, fail: Any) -> None:
        """A role trust policy is about assuming the role it is on: IAM refuses a
        Resource element and actions of other services."""
        for key in ("Resource", "NotResource"):
            if key in raw:
                fail(
                    "INVALID_POLICY_ELEMENT",
                    f"Has prohibited field {key}: a role trust policy applies to its role",
                    path + (key,),
                )
        for item, where in as_list(raw.get("Action", []), path + ("Action",)):
            if isinstance(item, str) and item != "*" and not item.lower().startswith("sts:"):
                fail(
                    "INVALID_ACTION",
                    f"AssumeRole policy may only specify STS AssumeRole actions, not {item!r}",
                    where,
                )

    def pair(
        self, raw: dict, path: tuple, name: str, not_name: str, fail: Any, check: Any
    ) -> tuple:
        if name in raw and not_name in raw:
            fail(
                "UNSUPPORTED_ELEMENT_COMBINATION",
                f"A statement cannot contain both {name} and {not_name}",
                path + (not_name,),
            )
            return None, None
        out: list[tuple[str, ...] | None] = [None, None]
        for slot, key in enumerate((name, not_name)):
            if key not in raw:
                continue
            values = []
            for item, where in as_list(raw[key], path + (key,)):
                if not isinstance(item, str):
                    fail("DATA_TYPE_MISMATCH", f"{key} values must be strings", where)
                    continue
                problem = check(item)
                if problem:
                    fail(problem[0], problem[1], where)
                    continue
                values.append(item)
            out[slot] = tuple(values)
        return out[0], out[1]

    @staticmethod
    def action_value(item: str) -> tuple[str, str] | None:
        if item == "*":
            return None
        prefix, sep, name = item.partition(":")
        if not sep or not prefix or not name:
            return (
                "INVALID_ACTION",
                f"The action {item!r} must be prefaced by a service, e.g. iam:CreateUser",
            )
        return None

    @staticmethod
    def resource_value(item: str) -> tuple[str, str] | None:
        if item == "*" or item.startswith("arn:"):
            return None
        return ("INVALID_ARN_PREFIX", f'The resource {item!r} must be in ARN format or "*"')

    def principals(
        self, raw: dict, path: tuple, fail: Any
    ) -> tuple[PrincipalBlock | None, PrincipalBlock | None]:
        has_p, has_np = "Principal" in raw, "NotPrincipal" in raw
        if not self.kind.is_resource_policy:
            for key in ("Principal", "NotPrincipal"):
                if key in raw:
                    fail(
                        "UNSUPPORTED_PRINCIPAL",
                        f"A {key} element is not allowed in an identity-based policy",
                        path + (key,),
                    )
            return None, None
        if has_p and has_np:
            fail(
                "UNSUPPORTED_ELEMENT_COMBINATION",
                "A statement cannot contain both Principal and NotPrincipal",
                path + ("NotPrincipal",),
            )
            return None, None
        if not has_p and not has_np:
            fail(
                "MISSING_PRINCIPAL",
                "The statement has no Principal: a resource-based policy must name one",
                path,
            )
            return None, None
        if has_np and self.kind is PolicyKind.TRUST:
            fail(
                "INVALID_POLICY_ELEMENT",
                "NotPrincipal cannot be used in a role trust policy",
                path + ("NotPrincipal",),
            )
            return None, None
        key = "Principal" if has_p else "NotPrincipal"
        block = self.principal_block(raw[key], path + (key,), fail)
        return (block, None) if has_p else (None, block)

    def principal_block(self, raw: Any, path: tuple, fail: Any) -> PrincipalBlock | None:
        if raw == "*":
            return PrincipalBlock(wildcard=True)
        if not isinstance(raw, dict):
            fail(
                "DATA_TYPE_MISMATCH",
                'A principal must be "*" or an object such as {"AWS": "..."}',
                path,
            )
            return None
        wildcard = False
        parts: dict[str, list[str]] = {k: [] for k in _PRINCIPAL_KEYS}
        for key, value in raw.items():
            if key not in _PRINCIPAL_KEYS:
                fail(
                    "INVALID_PRINCIPAL_KEY",
                    f"The principal type {key!r} is not valid: use AWS, Service, Federated or "
                    "CanonicalUser",
                    path + (key,),
                )
                continue
            for item, where in as_list(value, path + (key,)):
                if not isinstance(item, str) or not item:
                    fail("DATA_TYPE_MISMATCH", "Principal values must be non-empty strings", where)
                    continue
                if key == "AWS" and item == "*":
                    wildcard = True
                    continue
                if "*" in item or "?" in item:
                    fail(
                        "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                        f"Invalid principal {item!r}: wildcards are not allowed inside a "
                        'principal; use "*" alone',
                        where,
                    )
                    continue
                if key == "AWS":
                    if is_account_id(item):
                        item = root_arn(item)
                    elif not item.startswith("arn:") and not _UNIQUE_ID.fullmatch(item):
                        fail(
                            "INVALID_PRINCIPAL_FORMAT",
                            f"Invalid principal {item!r}: use an account id or an ARN",
                            where,
                        )
                        continue
                parts[key].append(item)
        return PrincipalBlock(
            wildcard=wildcard,
            aws=tuple(parts["AWS"]),
            service=tuple(parts["Service"]),
            federated=tuple(parts["Federated"]),
            canonical_user=tuple(parts["CanonicalUser"]),
        )

    def conditions(self, raw: Any, path: tuple, fail: Any) -> tuple[Condition, ...]:
        if not isinstance(raw, dict):
            fail("DATA_TYPE_MISMATCH", "Condition must be an object of operators", path)
            return ()
        out: list[Condition] = []
        for operator, block in raw.items():
            where = path + (operator,)
            split = split_operator(operator)
            if split is None:
                fail("INVALID_OPERATOR", f"The condition operator {operator!r} is not valid", where)
                continue
            qualifier, base, if_exists = split
            if base == "Null" and if_exists:
                fail(
                    "NULL_WITH_IF_EXISTS",
                    "The Null condition operator cannot be used with IfExists",
                    where,
                )
                continue
            if not isinstance(block, dict):
                fail(
                    "DATA_TYPE_MISMATCH",
                    f"The {operator} block must be an object of condition keys",
                    where,
                )
                continue
            seen: dict[str, str] = {}
            for key, value in block.items():
                key_path = where + (key,)
                prefix, sep, rest = key.partition(":")
                if not sep or not prefix or not rest:
                    fail(
                        "INVALID_CONDITION_KEY_FORMAT",
                        f"The condition key {key!r} is not valid: use the format service:keyname",
                        key_path,
                    )
                    continue
                if key.lower() in seen:
                    fail(
                        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                        f"The condition key {key!r} appears more than once in {operator} with "
                        "different case",
                        key_path,
                    )
                    continue
                seen[key.lower()] = key
                values = []
                for item, item_path in as_list(value, key_path):
                    text = _text(item)
                    if text is None:
                        fail(
                            "DATA_TYPE_MISMATCH",
                            "Condition values must be strings, numbers or booleans",
                            item_path,
                        )
                        continue
                    values.append(text)
                out.append(Condition(operator, base, qualifier, if_exists, key, tuple(values)))
        return tuple(out)
