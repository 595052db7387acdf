"""An event as CloudTrail shows it: the JSON record, and the export's CSV row.

Field names follow CloudTrail's record contents (``eventTime``, ``eventSource``,
``userIdentity``, ``requestParameters`` ...) so that tools written for
CloudTrail's JSON read these too. Parameters were redacted when recorded.
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Any

from audit.models import Event
from policies.engine import catalog

REGION = "us-east-1"  # IAM and STS are global services; CloudTrail logs them here.
EVENT_VERSION = "1.08"

CSV_COLUMNS = [
    "event_time", "event_id", "event_source", "event_name", "read_only",
    "user_identity_type", "principal_arn", "user_name", "access_key_id",
    "source_ip_address", "user_agent", "via", "outcome", "error_code", "error_message",
    "resources", "request_id",
]

_IDENTITY_TYPES = {"Root": "Root", "IAMUser": "IAMUser", "AssumedRole": "AssumedRole",
                   "System": "AWSService"}
_RESOURCE_TYPES = {"user": "AWS::IAM::User", "group": "AWS::IAM::Group",
                   "role": "AWS::IAM::Role", "policy": "AWS::IAM::Policy",
                   "mfa": "AWS::IAM::MFADevice", "root": "AWS::IAM::Account",
                   "event": "AWS::IAM::Event"}
_ARN = re.compile(r"^arn:aws:(?P<service>[a-z]+)::(?P<account>\d{12}|aws)?:(?P<rest>.+)$")


def event_source(action: str) -> str:
    prefix = action.partition(":")[0] or "iam"
    return f"{prefix}.amazonaws.com"


def event_name(action: str) -> str:
    return action.partition(":")[2] or action


def is_read_only(action: str) -> bool:
    """CloudTrail's readOnly: List and Read actions change nothing."""
    if not catalog.is_known_action(action):
        return False
    return catalog.access_level(action) in (catalog.LIST, catalog.READ)


def user_name(event: Event) -> str:
    """What CloudTrail's "User name" column shows: the user, the role session, or root."""
    parsed = _ARN.match(event.principal_arn or "")
    if not parsed:
        return ""
    rest = parsed["rest"]
    if rest == "root":
        return "root"
    return rest.rsplit("/", 1)[-1]


def resource_label(arn: str) -> str:
    """The short form a table shows ("user/dave"); the full ARN stays in its title."""
    parsed = _ARN.match(arn or "")
    return parsed["rest"] if parsed else arn


def user_identity(event: Event) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": _IDENTITY_TYPES.get(event.principal_type, event.principal_type or "Unknown"),
        "arn": event.principal_arn,
        "accountId": event.account_id,
    }
    if event.access_key_id:
        identity["accessKeyId"] = event.access_key_id
    parsed = _ARN.match(event.principal_arn or "")
    if event.principal_type == "IAMUser":
        identity["userName"] = user_name(event)
    elif event.principal_type == "AssumedRole" and parsed:
        # assumed-role/ROLE/SESSION: the issuer is the role (its path is not in the ARN).
        parts = parsed["rest"].split("/")
        if len(parts) >= 3:
            identity["sessionContext"] = {"sessionIssuer": {
                "type": "Role", "accountId": event.account_id, "userName": parts[1]}}
    return identity


def resources(event: Event) -> list[dict[str, str]]:
    found = []
    for arn in event.resources:
        entry = {"ARN": arn}
        parsed = _ARN.match(arn)
        if parsed:
            if parsed["account"]:
                entry["accountId"] = parsed["account"]
            kind = parsed["rest"].split("/", 1)[0]
            if parsed["service"] == "iam" and kind in _RESOURCE_TYPES:
                entry["type"] = _RESOURCE_TYPES[kind]
        found.append(entry)
    return found


def cloudtrail_record(event: Event) -> dict[str, Any]:
    """The event as one CloudTrail record (what the detail page and JSON lines show)."""
    signin = event.action.startswith(("signin:", "signup:"))
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": user_identity(event),
        "eventTime": iso_time(event.time),
        "eventSource": event_source(event.action),
        "eventName": event_name(event.action),
        "awsRegion": REGION,
        "sourceIPAddress": event.source_ip,
        "userAgent": event.user_agent,
    }
    if not event.succeeded:
        record["errorCode"] = event.outcome
        record["errorMessage"] = event.error_message
    record.update({
        "requestParameters": _camel_keys(event.parameters) or None,
        "responseElements": None,
        "requestID": event.request_id,
        "eventID": str(event.event_id),
        "readOnly": is_read_only(event.action),
        "resources": resources(event),
        "eventType": "AwsConsoleSignIn" if signin else "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": event.account_id,
        "eventCategory": "Management",
    })
    if event.via == "console":
        record["sessionCredentialFromConsole"] = "true"
    return record


def csv_row(event: Event) -> list[str]:
    """One export row, in CSV_COLUMNS order."""
    failed = not event.succeeded
    return [
        iso_time(event.time), str(event.event_id), event_source(event.action),
        event_name(event.action), "true" if is_read_only(event.action) else "false",
        _IDENTITY_TYPES.get(event.principal_type, event.principal_type),
        event.principal_arn, user_name(event), event.access_key_id, event.source_ip,
        event.user_agent, event.via, "Failure" if failed else "Success",
        event.outcome if failed else "", event.error_message,
        ";".join(event.resources), event.request_id,
    ]


def iso_time(value: datetime) -> str:
    """CloudTrail's timestamps: UTC, seconds, a Z."""
    return value.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _camel_keys(parameters: Any) -> Any:
    """``user_name`` -> ``userName``, as CloudTrail spells request parameters."""
    if isinstance(parameters, dict):
        return {_camel(str(k)): _camel_keys(v) for k, v in parameters.items()}
    if isinstance(parameters, list):
        return [_camel_keys(v) for v in parameters]
    return parameters


def _camel(name: str) -> str:
    if "_" not in name:
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
