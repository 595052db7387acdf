"""AWS Query responses: a result dict written as XML by the operation's OUTPUT shape.

Lists are ``<member>`` elements, maps ``<entry><key/><value/></entry>``,
timestamps ISO 8601 in UTC with ``Z``, booleans lowercase. Policy documents
(botocore's ``policyDocumentType``) are URL-encoded, as IAM sends them and as
boto3 and the AWS CLI decode them. Whatever was stored, the output is
well-formed: text is escaped and characters XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import quote
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape

from awsquery.params import FORBIDDEN
from awsquery.shapes import result_wrapper

POLICY_DOCUMENT = "policyDocumentType"
_PLAIN = re.compile(r"[^&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]*")


def text(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return value
    return escape(FORBIDDEN.sub("", value))


def timestamp(value) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not timezone.utc and value.tzinfo is not None and value.utcoffset():
            value = value.astimezone(timezone.utc)
        # The first 19 characters of any datetime's isoformat are YYYY-MM-DDTHH:MM:SS.
        return value.isoformat(timespec="seconds")[:19] + "Z"
    return text(str(value))


def response(operation: OperationModel, namespace: str, result: dict | None,
             request_id: str) -> bytes:
    """``<{Op}Response>`` with its ``<{Op}Result>`` (when the model has one) and metadata."""
    name = operation.name
    parts = [f'<{name}Response xmlns="{namespace}">']
    wrapper = result_wrapper(operation)
    if wrapper:
        parts.append(f"<{wrapper}>")
        _writer(operation.output_shape)(result or {}, parts)
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


# One writer per output shape, built on first use: a response of a hundred users
# then costs a dict lookup per value instead of walking botocore's shape objects.
# Scalars have a formatter (value -> text), so that a structure writes each of
# its scalar members as one string; lists, maps and structures a writer.
_writers: WeakKeyDictionary = WeakKeyDictionary()


def _writer(shape: Shape) -> Callable[[object, list[str]], None]:
    writer = _writers.get(shape)
    if writer is None:
        format_ = _formatter(shape)
        if format_ is not None:
            writer = _writers[shape] = lambda value, parts: parts.append(format_(value))
        else:
            writer = _writers[shape] = _build(shape)
    return writer


def _string(value) -> str:
    return text(value if type(value) is str else str(value))


def _formatter(shape: Shape) -> Callable[[object], str] | None:
    """How a scalar shape's value is written; None for structures, lists and maps."""
    kind = shape.type_name
    if kind in ("structure", "list", "map"):
        return None
    if kind == "boolean":
        return lambda value: "true" if value else "false"
    if kind in ("integer", "long"):
        return lambda value: str(int(value))
    if kind == "timestamp":
        return timestamp
    if kind == "blob":
        return _blob
    if shape.name == POLICY_DOCUMENT:
        return lambda value: quote(FORBIDDEN.sub("", str(value)), safe="")
    return _string


def _build(shape: Shape) -> Callable[[object, list[str]], None]:
    kind = shape.type_name
    if kind == "structure":
        # Members in the model's order; keys the model does not know are not sent.
        # Their writers are looked up on first use, so that recursive shapes end.
        plan: list = []  # built whole, then published: threads never see half of it

        def structure(values, parts):
            members = plan[0] if plan else None
            if members is None:
                members = []
                for name, member in shape.members.items():
                    format_ = _formatter(member)
                    members.append((name, f"<{name}>", f"</{name}>", format_,
                                    None if format_ else _writer(member)))
                plan[:] = [members]
            plain = _PLAIN.fullmatch
            for name, opening, closing, format_, write in members:
                value = values.get(name)
                if value is None:
                    continue
                if format_ is _string and type(value) is str and plain(value):
                    parts.append(opening + value + closing)  # most values: nothing to escape
                elif format_ is not None:
                    parts.append(opening + format_(value) + closing)
                else:
                    parts.append(opening)
                    write(value, parts)
                    parts.append(closing)
        return structure
    if kind == "list":
        member = shape.member

        def listing(values, parts):
            write = _writer(member)
            for value in values:
                if value is not None:
                    parts.append("<member>")
                    write(value, parts)
                    parts.append("</member>")
        return listing
    # A map.
    key_shape, value_shape = shape.key, shape.value

    def mapping(values, parts):
        for key, value in values.items():
            parts.append("<entry><key>")
            _writer(key_shape)(key, parts)
            parts.append("</key><value>")
            _writer(value_shape)(value, parts)
            parts.append("</value></entry>")
    return mapping


def _blob(value) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return base64.b64encode(raw).decode("ascii")
