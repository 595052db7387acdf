"""Condition operators, compiled once per condition into ``check(ctx) -> bool``.

The rules, from AWS's "Condition operators" and "Conditions with multiple context
keys or values" pages:

* several values for one key are OR-ed; several keys or operators are AND-ed;
* a negated operator (``StringNotEquals``, ``NotIpAddress``, ``ArnNotLike`` ...) with
  several values is a NOR: it matches when the request value equals none of them;
* a key absent from the request makes a condition false, except that a negated
  operator is then *true*; ``...IfExists`` makes an absent key true; ``Null`` tests
  presence itself;
* ``ForAllValues:`` is true when every request value matches (and on an absent or
  empty key); ``ForAnyValue:`` when at least one does (false on an absent key).
  The negation of a negated operator applies per request value;
* key names are case-insensitive; values are case-sensitive except ``*IgnoreCase``.

A policy value that cannot be read for its operator (a date that is not a date)
matches nothing; ``validate_policy`` reports it.  Policy variables are substituted in
String and ARN operators only (AWS: "You can't use a policy variable with other
operators").
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator as op
import re
from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from .document import Condition
from .matching import compile_pieces
from .variables import Template, parse_template

Check = Callable[[Any], bool]
#: "does this request value match any of the policy values": (value, ctx) -> bool
Positive = Callable[[str, Any], bool]

NEGATED = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
        "ArnNotEquals",
        "ArnNotLike",
    }
)
_VARIABLE_FAMILIES = ("string", "arn")

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_EPOCH = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_COMPARE = {
    "Equals": op.eq,
    "NotEquals": op.eq,  # negated afterwards
    "LessThan": op.lt,
    "LessThanEquals": op.le,
    "GreaterThan": op.gt,
    "GreaterThanEquals": op.ge,
}


def parse_number(text: str) -> int | float | None:
    if _INTEGER.fullmatch(text):
        return int(text)
    if _NUMBER.fullmatch(text):
        return float(text)
    return None


@lru_cache(maxsize=4096)
def parse_date(text: str) -> float | None:
    """ISO 8601 (date, or date and time with an optional zone; UTC when none) or
    epoch seconds -> epoch seconds."""
    if _EPOCH.fullmatch(text):
        return float(text)
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def parse_bool(text: str) -> bool | None:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


@lru_cache(maxsize=4096)
def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.split("/", 1)[0] if "/" in text else text)
    except ValueError:
        return None


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def parse_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def operator_suffix(base: str) -> str:
    for prefix in ("Numeric", "Date"):
        if base.startswith(prefix):
            return base[len(prefix) :]
    return base


def compile_condition(condition: Condition, variables_enabled: bool) -> Check:
    """Compile one condition key test into ``check(ctx) -> bool``.

    ``ctx`` is a ``context.ContextView``: ``ctx.get(key)`` gives a tuple of values or
    None, ``ctx.single(key)`` the value a policy variable takes.
    """
    key = condition.key.lower()
    base = condition.base
    qualifier = condition.qualifier
    if base == "Null":
        return _null_check(key, condition.values, qualifier)
    negated = base in NEGATED
    use_variables = variables_enabled and condition.family in _VARIABLE_FAMILIES
    positive = _positive(condition, use_variables)
    if condition.if_exists or qualifier == "ForAllValues":
        missing = True
    elif qualifier == "ForAnyValue":
        missing = False
    else:
        missing = negated

    if qualifier is None:

        def check(ctx: Any) -> bool:
            values = ctx.get(key)
            if values is None:
                return missing
            for value in values:
                if positive(value, ctx):
                    return not negated
            return negated

    elif qualifier == "ForAllValues":

        def check(ctx: Any) -> bool:
            values = ctx.get(key)
            if values is None:
                return missing
            for value in values:
                if positive(value, ctx) == negated:
                    return False
            return True

    else:

        def check(ctx: Any) -> bool:
            values = ctx.get(key)
            if values is None:
                return missing
            for value in values:
                if positive(value, ctx) != negated:
                    return True
            return False

    return check


def _null_check(key: str, values: tuple[str, ...], qualifier: str | None) -> Check:
    # Access Analyzer: "When you use the Null condition operator with ForAllValues,
    # the statement always returns true. ... with ForAnyValue, ... always false."
    if qualifier == "ForAllValues":
        return lambda ctx: True
    if qualifier == "ForAnyValue":
        return lambda ctx: False
    wanted = {parse_bool(v) for v in values} - {None}
    want_absent = True in wanted
    want_present = False in wanted

    def check(ctx: Any) -> bool:
        absent = ctx.get(key) is None
        return (absent and want_absent) or (not absent and want_present)

    return check


def _positive(condition: Condition, use_variables: bool) -> Positive:
    family = condition.family
    values = condition.values
    if family == "string":
        return _string_positive(condition.base, values, use_variables)
    if family == "arn":
        return _pattern_positive(values, use_variables, arn_aware=True, ignore_case=False)
    if family == "numeric":
        return _ordered_positive(values, parse_number, _COMPARE[operator_suffix(condition.base)])
    if family == "date":
        return _ordered_positive(values, parse_date, _COMPARE[operator_suffix(condition.base)])
    if family == "bool":
        wanted = frozenset(v.lower() for v in values)
        return lambda value, ctx: value.lower() in wanted
    if family == "binary":
        decoded = frozenset(b for b in (parse_base64(v) for v in values) if b is not None)
        return lambda value, ctx: parse_base64(value) in decoded
    if family == "ip":
        networks = tuple(n for n in (parse_network(v) for v in values) if n is not None)

        def in_networks(value: str, ctx: Any) -> bool:
            address = parse_ip(value)
            if address is None:
                return False
            for network in networks:
                if address.version == network.version and address in network:
                    return True
            return False

        return in_networks
    raise ValueError(f"unknown operator family {family!r}")  # pragma: no cover


def _string_positive(base: str, values: tuple[str, ...], use_variables: bool) -> Positive:
    if base in ("StringLike", "StringNotLike"):
        return _pattern_positive(values, use_variables, arn_aware=False, ignore_case=False)
    ignore_case = base.endswith("IgnoreCase")
    templates = [parse_template(v, variables=use_variables) for v in values]
    if not any(t.variables for t in templates):
        # ${*} and friends still mean their literal character here.
        texts = ["".join(text for text, _ in t.static()) for t in templates]
        if ignore_case:
            lowered = frozenset(t.lower() for t in texts)
            return lambda value, ctx: value.lower() in lowered
        exact = frozenset(texts)
        return lambda value, ctx: value in exact

    def positive(value: str, ctx: Any) -> bool:
        probe = value.lower() if ignore_case else value
        for template in templates:
            text = template.resolve_text(ctx.single)
            if text is None:
                continue
            if (text.lower() if ignore_case else text) == probe:
                return True
        return False

    return positive


def _pattern_positive(
    values: tuple[str, ...], use_variables: bool, *, arn_aware: bool, ignore_case: bool
) -> Positive:
    templates = [parse_template(v, variables=use_variables) for v in values]
    static = [compile_pieces(t.static(), arn_aware) for t in templates if not t.variables]
    dynamic: list[Template] = [t for t in templates if t.variables]
    if not dynamic:
        if len(static) == 1:
            only = static[0]
            return lambda value, ctx: bool(only(value))
        return lambda value, ctx: any(m(value) for m in static)

    def positive(value: str, ctx: Any) -> bool:
        for matcher in static:
            if matcher(value):
                return True
        for template in dynamic:
            pieces = template.resolve(ctx.single)
            if pieces is not None and compile_pieces(pieces, arn_aware)(value):
                return True
        return False

    return positive


def _ordered_positive(
    values: tuple[str, ...], parse: Callable[[str], Any], compare: Callable[[Any, Any], bool]
) -> Positive:
    parsed = tuple(p for p in (parse(v) for v in values) if p is not None)

    def positive(value: str, ctx: Any) -> bool:
        number = parse(value)
        if number is None:
            return False
        for wanted in parsed:
            if compare(number, wanted):
                return True
        return False

    return positive


def value_problem(family: str, value: str) -> str | None:
    """Why ``value`` cannot be read for an operator of ``family`` (for the validator)."""
    if family == "numeric" and parse_number(value) is None:
        return f"{value!r} is not a number"
    if family == "date" and parse_date(value) is None:
        return f"{value!r} is not an ISO 8601 date or epoch time"
    if family in ("bool", "null") and parse_bool(value) is None:
        return f"{value!r} is not a Boolean value (true or false)"
    if family == "ip" and parse_network(value) is None:
        return f"{value!r} is not an IP address or CIDR range"
    if family == "binary" and parse_base64(value) is None:
        return f"{value!r} is not a base64-encoded value"
    return None
