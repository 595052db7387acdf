"""A deliberately plain evaluator: a straight reading of AWS's rules with no
indexes, caches, regexes or compilation, to check the engine against.

It supports the subset of the language the property tests generate.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from policies.engine import Principal, Request

NEGATED = {
    "StringNotEquals",
    "StringNotLike",
    "NumericNotEquals",
    "NotIpAddress",
    "ArnNotLike",
    "ArnNotEquals",
    "StringNotEqualsIgnoreCase",
}


def glob(pattern: str, text: str) -> bool:
    """* matches any run, ? one character; everything else itself."""
    if not pattern:
        return not text
    head = pattern[0]
    if head == "*":
        return any(glob(pattern[1:], text[i:]) for i in range(len(text) + 1))
    if not text:
        return False
    if head == "?" or head == text[0]:
        return glob(pattern[1:], text[1:])
    return False


def arn_glob(pattern: str, text: str) -> bool:
    """Wildcards stay inside a colon-separated segment, but a * that ends a segment
    (or the pattern) may run on past colons."""
    if not pattern:
        return not text
    head = pattern[0]
    if head == "*":
        free = len(pattern) == 1 or pattern[1] == ":"
        for i in range(len(text) + 1):
            if not free and ":" in text[:i]:
                break
            if arn_glob(pattern[1:], text[i:]):
                return True
        return False
    if not text:
        return False
    if head == "?":
        return text[0] != ":" and arn_glob(pattern[1:], text[1:])
    return head == text[0] and arn_glob(pattern[1:], text[1:])


def context_values(request: Request, key: str) -> list[str] | None:
    found = None
    for k, v in request.context.items():
        if k.lower() == key.lower():
            found = [v] if isinstance(v, str) else list(v)
    if found is None:
        p = request.principal
        derived = {
            "aws:username": p.username,
            "aws:principalarn": p.role_arn or p.arn,
            "aws:principaltype": p.kind,
            "aws:principalaccount": p.account,
        }
        derived.update({f"aws:principaltag/{tag.lower()}": value for tag, value in p.tags})
        value = derived.get(key.lower())
        found = [value] if value else None
    return found or None


def substitute(text: str, request: Request, enabled: bool) -> str | None:
    """Replace ${key} and ${key, 'default'}; None when a variable has no value."""
    if not enabled:
        return text
    text = text.replace("${*}", "\0star").replace("${?}", "\0q").replace("${$}", "$")
    missing = False

    def repl(m: re.Match) -> str:
        nonlocal missing
        key, default = m.group(1).strip(), m.group(2)
        values = context_values(request, key)
        if (
            values is not None
            and len(values) == 1
            and isinstance(request.context.get(key, ""), str)
        ):
            return values[0].replace("*", "\0star").replace("?", "\0q")
        if default is not None:
            return default
        missing = True
        return ""

    out = re.sub(r"\$\{([^},']+?)(?:,\s*'([^']*)')?\}", repl, text)
    return None if missing else out


def _literal(match, pattern: str, text: str) -> bool:
    # Replace each marked literal with a private character and require text to
    # hold the real character there: escape by mapping both sides.
    mapping = {"\0star": "\x01", "\0q": "\x02"}
    for marker, private in mapping.items():
        pattern = pattern.replace(marker, private)
    translated = text.replace("*", "\x01").replace("?", "\x02")
    return match(pattern, translated)


def number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def value_matches(
    base: str, policy_value: str, request_value: str, request: Request, enabled: bool
) -> bool:
    if base.startswith("String") or base.startswith("Arn"):
        resolved = substitute(policy_value, request, enabled)
        if resolved is None:
            return False
        if base in ("StringLike", "StringNotLike"):
            return _literal(glob, resolved, request_value)
        if base.startswith("Arn"):
            return _literal(arn_glob, resolved, request_value)
        resolved = resolved.replace("\0star", "*").replace("\0q", "?")
        if "IgnoreCase" in base:
            return resolved.lower() == request_value.lower()
        return resolved == request_value
    if base.startswith("Numeric"):
        a, b = number(request_value), number(policy_value)
        if a is None or b is None:
            return False
        op = base[len("Numeric") :].replace("Not", "")
        return {
            "Equals": a == b,
            "LessThan": a < b,
            "LessThanEquals": a <= b,
            "GreaterThan": a > b,
            "GreaterThanEquals": a >= b,
        }[op]
    if base == "Bool":
        return policy_value.lower() == request_value.lower()
    if base in ("IpAddress", "NotIpAddress"):
        try:
            return ipaddress.ip_address(request_value) in ipaddress.ip_network(
                policy_value, strict=False
            )
        except (ValueError, TypeError):
            return False
    raise NotImplementedError(base)


def condition_holds(
    operator: str, key: str, values: list[str], request: Request, enabled: bool
) -> bool:
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    present = context_values(request, key)
    if base == "Null":
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return any(
            (v == "true" and present is None) or (v == "false" and present is not None)
            for v in values
        )
    negated = base in NEGATED
    if present is None:
        if if_exists or qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated
    hits = [any(value_matches(base, p, r, request, enabled) for p in values) for r in present]
    if qualifier == "ForAllValues":
        return all(h != negated for h in hits)
    if qualifier == "ForAnyValue":
        return any(h != negated for h in hits)
    return not any(hits) if negated else any(hits)


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def statement_applies(statement: dict, request: Request, enabled: bool) -> bool:
    action = request.action.lower()
    if "Action" in statement:
        if not any(glob(a.lower(), action) for a in as_list(statement["Action"])):
            return False
    elif any(glob(a.lower(), action) for a in as_list(statement["NotAction"])):
        return False

    def resource_hit(patterns: list[str]) -> bool:
        for pattern in patterns:
            resolved = substitute(pattern, request, enabled)
            if resolved is not None and _literal(arn_glob, resolved, request.resource):
                return True
        return False

    if "Resource" in statement and not resource_hit(as_list(statement["Resource"])):
        return False
    if "NotResource" in statement and resource_hit(as_list(statement["NotResource"])):
        return False
    for operator, block in statement.get("Condition", {}).items():
        for key, values in block.items():
            if not condition_holds(
                operator,
                key,
                [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(values)],
                request,
                enabled,
            ):
                return False
    return True


def names(principal: Principal) -> list[str]:
    out = [principal.arn]
    if principal.role_arn:
        out.append(principal.role_arn)
    if not principal.is_root:
        out.append(f"arn:aws:iam::{principal.account}:root")
    return out


def principal_strength(statement: dict, principal: Principal) -> str | None:
    """How a resource-policy statement names the caller: direct, role, any, account."""

    def listed(block: Any) -> list[str]:
        if block == "*":
            return ["*"]
        out = []
        for item in as_list(block.get("AWS", [])):
            out.append(f"arn:aws:iam::{item}:root" if re.fullmatch(r"\d{12}", item) else item)
        return out

    if "Principal" in statement:
        entries = listed(statement["Principal"])
        if "*" in entries:
            return "any"
        if principal.arn in entries:
            return "direct"
        if principal.role_arn and principal.role_arn in entries:
            return "role"
        if not principal.is_root and f"arn:aws:iam::{principal.account}:root" in entries:
            return "account"
        return None
    entries = listed(statement["NotPrincipal"])
    if "*" in entries:
        return None
    return "any" if any(n not in entries for n in names(principal)) else None


def evaluate(
    request: Request,
    identity: list[str],
    resource: list[str],
    boundary: str | None,
    session: list[str],
) -> str:
    def statements(text: str) -> tuple[list[dict], bool]:
        doc = json.loads(text)
        body = doc["Statement"]
        return (body if isinstance(body, list) else [body]), doc.get("Version") == "2012-10-17"

    def scan(texts: list[str]) -> tuple[bool, bool]:
        allow = deny = False
        for text in texts:
            body, enabled = statements(text)
            for s in body:
                if statement_applies(s, request, enabled):
                    allow |= s["Effect"] == "Allow"
                    deny |= s["Effect"] == "Deny"
        return allow, deny

    r_allow_kinds: set[str] = set()
    r_deny = False
    for text in resource:
        body, enabled = statements(text)
        for s in body:
            how = principal_strength(s, request.principal)
            if how and statement_applies(s, request, enabled):
                if s["Effect"] == "Deny":
                    r_deny = True
                else:
                    r_allow_kinds.add(how)

    owner = request.resource_account
    same = owner is None or owner == request.principal.account or owner == "aws"
    if request.principal.is_root:
        if r_deny:
            return "ExplicitDeny"
        if same or r_allow_kinds:
            return "Allow"
        return "ImplicitDeny"

    i_allow, i_deny = scan(identity)
    b_allow, b_deny = scan([boundary]) if boundary else (True, False)
    s_allow, s_deny = scan(session) if session else (True, False)
    if i_deny or r_deny or b_deny or s_deny:
        return "ExplicitDeny"
    identity_side = i_allow and b_allow and s_allow
    if same:
        if identity_side or "direct" in r_allow_kinds:
            return "Allow"
        if r_allow_kinds & {"role", "any"} and b_allow and s_allow:
            return "Allow"
        return "ImplicitDeny"
    return "Allow" if identity_side and r_allow_kinds else "ImplicitDeny"
