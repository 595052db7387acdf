"""AWS STS's rules for request parameters, with AWS's wording (ValidationError)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InvalidInput, ValidationError
from identities import validation as iam_validation
from policies.engine import policy_size
from sts.errors import PackedPolicyTooLarge

_SESSION_NAME = re.compile(r"^[\w+=,.@-]*$", re.ASCII)
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]*$", re.ASCII)
_SERIAL = re.compile(r"^[\w+=/:,.@-]*$", re.ASCII)
_TOKEN_CODE = re.compile(r"^[0-9]{6}$")
_ACCESS_KEY_ID = re.compile(r"^[A-Za-z0-9]{16,128}$")
# arn:aws:iam::<account>:role<path><name>
ROLE_ARN = re.compile(
    r"^arn:aws:iam::(?P<account>[0-9]{12}):role"
    r"(?P<path>/|/[\x21-\x7e]*/)(?P<name>[\w+=,.@-]{1,64})$",
    re.ASCII,
)

MIN_DURATION = 900
MAX_ROLE_DURATION = 43200
CHAINED_MAX_DURATION = 3600
MAX_SESSION_TOKEN_DURATION = 129600
MAX_POLICY_ARNS = 10
MAX_SESSION_TAGS = 50
# The packed (binary) form of session policies and tags has its own limit;
# this counts what goes into it: policy characters without whitespace, the
# managed policy ARNs, and the session tags.
PACKED_LIMIT = 2048


def _length_error(value, field: str, bound: str, limit: int) -> ValidationError:
    shown = f"Value '{str(value)[:80]}' " if value is not None else "Value "
    return ValidationError(f"1 validation error detected: {shown}at '{field}' failed to satisfy "
                           f"constraint: Member must have {bound} {limit}")


def bounded_string(value, field: str, *, minimum: int, maximum: int,
                   pattern: re.Pattern | None = None, pattern_text: str = "") -> str:
    if not isinstance(value, str) or len(value) < minimum:
        raise _length_error(value, field, "length greater than or equal to", minimum)
    if len(value) > maximum:
        raise _length_error(value, field, "length less than or equal to", maximum)
    if pattern is not None and not pattern.match(value):
        raise ValidationError(f"1 validation error detected: Value '{value[:80]}' at '{field}' "
                              "failed to satisfy constraint: Member must satisfy regular "
                              f"expression pattern: {pattern_text}")
    return value


def session_name(value) -> str:
    return bounded_string(value, "roleSessionName", minimum=2, maximum=64,
                          pattern=_SESSION_NAME, pattern_text="[\\w+=,.@-]*")


def external_id(value) -> str:
    return bounded_string(value, "externalId", minimum=2, maximum=1224,
                          pattern=_EXTERNAL_ID, pattern_text="[\\w+=,.@:\\/-]*")


def source_identity(value) -> str:
    bounded_string(value, "sourceIdentity", minimum=2, maximum=64,
                   pattern=_SESSION_NAME, pattern_text="[\\w+=,.@-]*")
    if value.lower().startswith("aws:"):
        raise ValidationError("SourceIdentity cannot start with the prefix 'aws:'.")
    return value


def access_key_id(value) -> str:
    return bounded_string(value, "accessKeyId", minimum=16, maximum=128,
                          pattern=_ACCESS_KEY_ID, pattern_text="[\\w]*")


def duration(value, *, minimum: int = MIN_DURATION, maximum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError("1 validation error detected: Value at 'durationSeconds' failed "
                              "to satisfy constraint: Member must be an integer")
    if value < minimum:
        raise _length_error(value, "durationSeconds", "value greater than or equal to", minimum)
    if value > maximum:
        raise _length_error(value, "durationSeconds", "value less than or equal to", maximum)
    return value


def role_arn(value) -> re.Match | None:
    """The parts of a role ARN; None for a well-formed ARN that names no role.

    A value that is not an ARN at all is a ValidationError, as in AWS; one that
    is an ARN of something else is simply not a role anyone may assume.
    """
    bounded_string(value, "roleArn", minimum=20, maximum=2048)
    if len(value.split(":", 5)) != 6 or not value.startswith("arn:"):
        raise ValidationError(f"{value[:200]} is invalid")
    return ROLE_ARN.match(value)


@dataclass(frozen=True)
class MfaParameters:
    serial_number: str
    token_code: str


def mfa(serial_number, token_code) -> MfaParameters | None:
    """SerialNumber and TokenCode come together or not at all."""
    if serial_number is None and token_code is None:
        return None
    if serial_number is None or token_code is None:
        missing = "serialNumber" if serial_number is None else "tokenCode"
        raise ValidationError(f"1 validation error detected: Value null at '{missing}' failed to "
                              "satisfy constraint: Member must not be null when the other MFA "
                              "parameter is given")
    bounded_string(serial_number, "serialNumber", minimum=9, maximum=256, pattern=_SERIAL,
                   pattern_text="[\\w+=/:,.@-]*")
    if not isinstance(token_code, str) or not _TOKEN_CODE.match(token_code):
        raise _length_error(None, "tokenCode", "length equal to", 6)
    return MfaParameters(serial_number, token_code)


def well_formed_mfa(serial_number, token_code) -> bool:
    try:
        return mfa(serial_number, token_code) is not None
    except ValidationError:
        return False


def session_tags(tags, transitive_keys) -> tuple[list[dict], list[str]]:
    """Session tags (AWS's tag rules, at most 50) and the transitive keys among them."""
    if tags is not None and len(tags) > MAX_SESSION_TAGS:
        raise _length_error(None, "tags", "length less than or equal to", MAX_SESSION_TAGS)
    clean = iam_validation.tags(tags or [])
    keys = list(transitive_keys or [])
    if len(keys) > MAX_SESSION_TAGS:
        raise _length_error(None, "transitiveTagKeys", "length less than or equal to",
                            MAX_SESSION_TAGS)
    known = {tag["Key"].lower(): tag["Key"] for tag in clean}
    transitive = []
    for key in keys:
        if not isinstance(key, str) or key.lower() not in known:
            raise ValidationError(f"The transitive tag key {str(key)[:128]} is not one of the "
                                  "session tags in this request.")
        if known[key.lower()] not in transitive:
            transitive.append(known[key.lower()])
    return clean, transitive


def policy_arns(values) -> list[str]:
    from policies.services import parse_policy_arn

    arns = list(values or [])
    if len(arns) > MAX_POLICY_ARNS:
        raise _length_error(None, "policyArns", "length less than or equal to", MAX_POLICY_ARNS)
    out = []
    for item in arns:
        arn = item.get("arn") if isinstance(item, dict) else item
        try:
            out.append(parse_policy_arn(arn).text)
        except InvalidInput as error:
            raise ValidationError(error.message) from error
    return out


def packed_size(policy: str | None, arns: list[str], tags: list[dict],
                transitive: list[str]) -> int | None:
    """PackedPolicySize (percent of the limit); PackedPolicyTooLarge above 100.

    None when the request has no session policy and no tags, as AWS leaves the
    element out then.
    """
    if policy is None and not arns and not tags:
        return None
    if policy is not None and not isinstance(policy, str):
        raise ValidationError("1 validation error detected: Value at 'policy' failed to "
                              "satisfy constraint: Member must be a string")
    used = (policy_size(policy) if policy else 0) + sum(len(arn) for arn in arns)
    used += sum(len(t["Key"]) + len(t["Value"]) for t in tags) + sum(len(k) for k in transitive)
    percent = -(-used * 100 // PACKED_LIMIT)
    if percent > 100:
        raise PackedPolicyTooLarge(
            f"Packed policy consumes {percent}% of allotted space, please use smaller policy.")
    return percent
