"""AWS Query responses: a result dict written as XML by the operation's OUTPUT shape.

Lists are ``<member>`` elements, maps ``<entry><key/><value/></entry>``,
timestamps ISO 8601 in UTC with ``Z``, booleans lowercase. Policy documents
(botocore's ``policyDocumentType``) are URL-encoded, as IAM sends them and as
boto3 and the AWS CLI decode them. Whatever was stored, the output is
well-formed: text is escaped and characters XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from urllib.parse import quote
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape

from awsquery.params import FORBIDDEN
from awsquery.shapes import result_wrapper

POLICY_DOCUMENT = "policyDocumentType"


def text(value: str) -> str:
    return escape(FORBIDDEN.sub("", value))


def timestamp(value) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def response(operation: OperationModel, namespace: str, result: dict | None,
             request_id: str) -> bytes:
    """``<{Op}Response>`` with its ``<{Op}Result>`` (when the model has one) and metadata."""
    name = operation.name
    parts = [f'<{name}Response xmlns="{namespace}">']
    wrapper = result_wrapper(operation)
    if wrapper:
        parts.append(f"<{wrapper}>")
        _members(operation.output_shape, result or {}, parts)
        parts.append(f"</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{text(request_id)}</RequestId></ResponseMetadata>")
    parts.append(f"</{name}Response>")
    return "".join(parts).encode("utf-8")


def error(namespace: str, *, code: str, message: str, sender_fault: bool, request_id: str) -> bytes:
    return (
        f'<ErrorResponse xmlns="{namespace}"><Error>'
        f"<Type>{'Sender' if sender_fault else 'Receiver'}</Type>"
        f"<Code>{text(code)}</Code><Message>{text(message)}</Message>"
        f"</Error><RequestId>{text(request_id)}</RequestId></ErrorResponse>"
    ).encode("utf-8")


def _members(shape: Shape, values: dict, parts: list[str]) -> None:
    # Members in the model's order; keys the model does not know are not sent.
    for name, member in shape.members.items():
        value = values.get(name)
        if value is None:
            continue
        parts.append(f"<{name}>")
        _value(member, value, parts)
        parts.append(f"</{name}>")


def _value(shape: Shape, value, parts: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        _members(shape, value, parts)
    elif kind == "list":
        for item in value:
            if item is None:
                continue
            parts.append("<member>")
            _value(shape.member, item, parts)
            parts.append("</member>")
    elif kind == "map":
        for key, item in value.items():
            parts.append("<entry><key>")
            _value(shape.key, key, parts)
            parts.append("</key><value>")
            _value(shape.value, item, parts)
            parts.append("</value></entry>")
    elif kind == "boolean":
        parts.append("true" if value else "false")
    elif kind in ("integer", "long"):
        parts.append(str(int(value)))
    elif kind == "timestamp":
        parts.append(text(timestamp(value)))
    elif kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        parts.append(base64.b64encode(raw).decode("ascii"))
    elif shape.name == POLICY_DOCUMENT:
        parts.append(quote(FORBIDDEN.sub("", str(value)), safe=""))
    else:
        parts.append(text(str(value)))
