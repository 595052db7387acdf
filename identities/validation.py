"""AWS's rules for names, paths, tags and list parameters, with AWS's wording."""

from __future__ import annotations

import re

from core.errors import InvalidInput, LimitExceeded, ValidationError

# The character class AWS allows in user, group, role and policy names.
_NAME = re.compile(r"^[\w+=,.@-]+$", re.ASCII)
# "/" alone, or "/" + printable ASCII (no spaces) + "/".
_PATH = re.compile(r"^(/|/[\x21-\x7e]*/)$")
_TAG_CHARS = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)

MAX_TAGS = 50


def name(value: str, *, field: str = "userName", max_length: int = 64) -> str:
    """A user, group, role or policy name: 1 to ``max_length`` of [\\w+=,.@-]."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to "
                              "satisfy constraint: Member must have length greater than or equal to 1")
    if len(value) > max_length:
        raise ValidationError(f"1 validation error detected: Value '{value[:80]}' at '{field}' failed to "
                              f"satisfy constraint: Member must have length less than or equal to {max_length}")
    if not _NAME.match(value):
        raise ValidationError(f"1 validation error detected: Value '{value[:80]}' at '{field}' failed to "
                              "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+")
    return value


def path(value: str | None, *, field: str = "path") -> str:
    """An IAM path: "/" or "/division/team/", at most 512 characters."""
    if value is None or value == "":
        return "/"
    if len(value) > 512 or not _PATH.match(value):
        raise ValidationError(
            f"1 validation error detected: Value '{value[:80]}' at '{field}' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"
        )
    return value


def path_prefix(value: str | None) -> str:
    if value is None or value == "":
        return "/"
    if len(value) > 512 or not value.startswith("/") or any(not ("\x21" <= c <= "\x7e") for c in value):
        raise ValidationError("1 validation error detected: Value at 'pathPrefix' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*")
    return value


def tags(value, *, existing: list[dict] | None = None) -> list[dict]:
    """Merge ``value`` (a list of {"Key","Value"}) into ``existing``, AWS's rules applied."""
    merged = [dict(tag) for tag in (existing or [])]
    seen_in_request: set[str] = set()
    for tag in value or []:
        key = tag.get("Key") if isinstance(tag, dict) else None
        val = tag.get("Value", "") if isinstance(tag, dict) else None
        if not isinstance(key, str) or not (1 <= len(key) <= 128) or not _TAG_CHARS.match(key):
            raise InvalidInput("Tag keys are 1 to 128 letters, digits, spaces and _.:/=+-@.")
        if key.lower().startswith("aws:"):
            raise InvalidInput("Tag keys starting with 'aws:' are reserved for AWS use.")
        if not isinstance(val, str) or len(val) > 256 or not _TAG_CHARS.match(val):
            raise InvalidInput("Tag values are 0 to 256 letters, digits, spaces and _.:/=+-@.")
        if key.lower() in seen_in_request:
            raise InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen_in_request.add(key.lower())
        for existing_tag in merged:
            if existing_tag["Key"].lower() == key.lower():
                existing_tag["Key"], existing_tag["Value"] = key, val
                break
        else:
            merged.append({"Key": key, "Value": val})
    if len(merged) > MAX_TAGS:
        raise LimitExceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    return merged


def untag(existing: list[dict], keys: list[str]) -> list[dict]:
    lowered = {k.lower() for k in keys}
    return [tag for tag in existing if tag["Key"].lower() not in lowered]


def max_items(value, *, default: int = 100) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not (1 <= value <= 1000):
        raise ValidationError("1 validation error detected: Value at 'maxItems' failed to satisfy "
                              "constraint: Member must have value between 1 and 1000")
    return value
