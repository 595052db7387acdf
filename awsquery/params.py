"""The flat Query form, read into nested Python values by the operation's INPUT shape.

``Tags.member.1.Key=a&Tags.member.1.Value=b`` becomes ``{"Tags": [{"Key": "a",
"Value": "b"}]}``; maps are ``Name.entry.N.key/value``; parameters the model
does not name are ignored, as AWS ignores them. Every constraint the model
states (required, lengths, ranges, enums, patterns) is checked here and
reported the way AWS words it, all failures in one ValidationError.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import lru_cache

from botocore.model import Shape

from core.errors import ValidationError

_LEAF = object()  # the key under which a node keeps its own value
_INTEGER = re.compile(r"-?[0-9]{1,18}")  # ASCII only: "１０" is not a number on the wire
# Characters XML 1.0 cannot carry: nothing that holds them could ever be returned.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SHOWN = 128  # characters of a rejected value quoted back in the message


class _Errors(list):
    def add(self, path: str, value, constraint: str, shape: Shape) -> None:
        sensitive = shape.metadata.get("sensitive")
        if sensitive or value is None:
            shown = "Value" if sensitive else "Value null"
        else:
            text = value if isinstance(value, str) else "[...]" if isinstance(value, (list, dict)) \
                else str(value)
            if len(text) > _SHOWN:
                text = text[:_SHOWN] + "..."
            shown = f"Value '{text}'"
        self.append(f"{shown} at '{path}' failed to satisfy constraint: {constraint}")


def parse(shape: Shape | None, pairs: Iterable[tuple[str, str]]) -> dict:
    """The operation's parameters from the form's ``(name, value)`` pairs."""
    if shape is None:
        return {}
    tree: dict = {}
    for name, value in pairs:
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})
        node[_LEAF] = value
    errors = _Errors()
    result = _structure(shape, tree, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise ValidationError(f"{count} validation {noun} detected: " + "; ".join(errors))
    return result


def _member_path(prefix: str, name: str) -> str:
    camel = name[:1].lower() + name[1:]
    return f"{prefix}.{camel}" if prefix else camel


def _structure(shape: Shape, node: dict, path: str, errors: _Errors) -> dict:
    result: dict = {}
    for name, member in shape.members.items():
        member_path = _member_path(path, name)
        if name not in node:
            if name in shape.required_members:
                errors.add(member_path, None, "Member must not be null", member)
            continue
        value = _value(member, node[name], member_path, errors)
        if value is not None:
            result[name] = value
    return result


def _value(shape: Shape, node: dict, path: str, errors: _Errors):
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, node, path, errors)
    if kind == "list":
        return _list(shape, node, path, errors)
    if kind == "map":
        return _map(shape, node, path, errors)
    raw = node.get(_LEAF)
    if raw is None:
        errors.add(path, "[...]", "Member must be a single value", shape)
        return None
    return _scalar(shape, raw, path, errors)


def _indexed(node: dict, path: str, errors: _Errors, shape: Shape) -> list[dict]:
    """The ``N``-numbered children of ``node``, in numeric order."""
    items = []
    for index, child in node.items():
        if index is _LEAF:
            continue
        if not (isinstance(index, str) and index.isascii() and index.isdigit() and index != "0"):
            errors.add(path, index, "Member must be numbered from 1", shape)
            continue
        items.append((int(index), child))
    return [child for _, child in sorted(items, key=lambda item: item[0])]


def _check_count(shape: Shape, count: int, path: str, errors: _Errors, value) -> None:
    meta = shape.metadata
    if "min" in meta and count < meta["min"]:
        errors.add(path, value, f"Member must have length greater than or equal to {meta['min']}",
                   shape)
    elif "max" in meta and count > meta["max"]:
        errors.add(path, value, f"Member must have length less than or equal to {meta['max']}",
                   shape)


def _list(shape: Shape, node: dict, path: str, errors: _Errors) -> list:
    # botocore sends an empty list as "Name=" and a full one as Name.member.N.
    members = node.get("member", {})
    items = []
    for position, child in enumerate(_indexed(members, path, errors, shape), start=1):
        value = _value(shape.member, child, f"{path}.{position}.member", errors)
        if value is not None:
            items.append(value)
    _check_count(shape, len(items), path, errors, items)
    return items


def _map(shape: Shape, node: dict, path: str, errors: _Errors) -> dict:
    entries = node.get("entry", {})
    result = {}
    for position, child in enumerate(_indexed(entries, path, errors, shape), start=1):
        key_node, value_node = child.get("key"), child.get("value")
        if key_node is None or value_node is None:
            errors.add(f"{path}.{position}", None, "Member must have a key and a value", shape)
            continue
        key = _value(shape.key, key_node, f"{path}.{position}.key", errors)
        value = _value(shape.value, value_node, f"{path}.{position}.value", errors)
        if key is not None and value is not None:
            result[key] = value
    _check_count(shape, len(result), path, errors, result)
    return result


def _scalar(shape: Shape, raw: str, path: str, errors: _Errors):
    kind = shape.type_name
    if kind == "string":
        return _string(shape, raw, path, errors)
    if kind in ("integer", "long"):
        if not _INTEGER.fullmatch(raw):
            errors.add(path, raw, "Member must be a whole number", shape)
            return None
        number = int(raw)
        meta = shape.metadata
        if "min" in meta and number < meta["min"]:
            errors.add(path, raw, f"Member must have value greater than or equal to {meta['min']}",
                       shape)
        elif "max" in meta and number > meta["max"]:
            errors.add(path, raw, f"Member must have value less than or equal to {meta['max']}",
                       shape)
        return number
    if kind == "boolean":
        lowered = raw.lower()
        if lowered not in ("true", "false"):
            errors.add(path, raw, "Member must be true or false", shape)
            return None
        return lowered == "true"
    if kind == "timestamp":
        return _timestamp(shape, raw, path, errors)
    if kind == "blob":
        try:
            return base64.b64decode(raw.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            errors.add(path, raw, "Member must be base64 encoded", shape)
            return None
    if kind in ("float", "double"):
        try:
            return float(raw) if raw.isascii() else float("x")
        except ValueError:
            errors.add(path, raw, "Member must be a number", shape)
            return None
    return raw


def _string(shape: Shape, raw: str, path: str, errors: _Errors) -> str | None:
    meta = shape.metadata
    if "min" in meta and len(raw) < meta["min"]:
        errors.add(path, raw, f"Member must have length greater than or equal to {meta['min']}",
                   shape)
    elif "max" in meta and len(raw) > meta["max"]:
        errors.add(path, raw, f"Member must have length less than or equal to {meta['max']}",
                   shape)
    elif shape.enum and raw not in shape.enum:
        errors.add(path, raw, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]",
                   shape)
    elif (pattern := _pattern(meta.get("pattern"))) is not None and not pattern.fullmatch(raw):
        errors.add(path, raw,
                   f"Member must satisfy regular expression pattern: {meta['pattern']}", shape)
    elif FORBIDDEN.search(raw):
        errors.add(path, FORBIDDEN.sub("?", raw),
                   "Member must not contain control characters", shape)
    else:
        return raw
    return None


def _timestamp(shape: Shape, raw: str, path: str, errors: _Errors) -> datetime | None:
    try:
        if _INTEGER.fullmatch(raw):
            return datetime.fromtimestamp(int(raw), tz=timezone.utc)
        value = datetime.fromisoformat(raw) if raw.isascii() else None
    except (ValueError, OverflowError, OSError):
        value = None
    if value is None:
        errors.add(path, raw, "Member must be an ISO 8601 timestamp", shape)
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@lru_cache(maxsize=512)
def _pattern(source: str | None) -> re.Pattern | None:
    """The model's pattern, when Python can read it.

    botocore's patterns come from Java: ``\\w`` means ASCII word characters
    (hence re.ASCII), and classes like ``\\p{L}`` do not compile here; those
    constraints are left to the operation's own validation.
    """
    if not source:
        return None
    try:
        return re.compile(source, re.ASCII)
    except re.error:
        return None
