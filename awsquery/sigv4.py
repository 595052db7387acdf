"""Verifying AWS Signature Version 4: the Authorization header and presigned URLs.

The canonical request is rebuilt from what arrived, never from what the
client claims: method, the path URI-encoded, the query string decoded and
re-encoded per RFC 3986 and sorted, the signed headers lowercased, trimmed and
sorted, and the SHA-256 of the body actually received. The string to sign
binds it to the date and the credential scope; the signature is compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone
from typing import NamedTuple
from urllib.parse import quote, unquote

from awsquery.errors import (
    IncompleteSignature,
    MissingAuthenticationToken,
    RequestExpired,
    SignatureDoesNotMatch,
)

ALGORITHM = "AWS4-HMAC-SHA256"
CLOCK_SKEW = timedelta(minutes=15)
MAX_PRESIGN_EXPIRES = 604800  # seven days, AWS's limit
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_AUTH_PARAMETER = re.compile(r"\s*([A-Za-z]+)\s*=\s*([^,\s]*)\s*")
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
QUERY_AUTH_PARAMETERS = frozenset({
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
})


def _now() -> datetime:
    """The server clock; a seam for tests at the edges of the 15-minute window."""
    return datetime.now(timezone.utc)


class Signed(NamedTuple):
    """What a request says about its own signature, before it is checked.

    A named tuple rather than a frozen dataclass: one is built per request,
    and a frozen dataclass sets each field through object.__setattr__.
    """

    access_key_id: str
    date: str  # YYYYMMDD of the credential scope
    region: str
    service: str
    amz_date: str  # YYYYMMDDTHHMMSSZ
    signed_headers: tuple[str, ...]
    signature: str
    presigned: bool
    expires: int  # seconds a presigned URL stays valid; 0 for the header form
    security_token: str | None
    signed_at: datetime | None = None  # amz_date, parsed (read() sets it)

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def read(headers, query: dict[str, str]) -> Signed:
    """The signature parameters, from the Authorization header or the presigned query."""
    authorization = headers.get("Authorization")
    if authorization is not None:
        return _from_header(authorization, headers)
    if "X-Amz-Signature" in query or "X-Amz-Credential" in query:
        return _from_query(query)
    raise MissingAuthenticationToken()


def _from_header(authorization: str, headers) -> Signed:
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{algorithm}'.")
    fields: dict[str, str] = {}
    for item in rest.split(","):
        match = _AUTH_PARAMETER.fullmatch(item)
        if match is None:
            raise IncompleteSignature(
                f"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
                f"parameters. Authorization={authorization[:200]}")
        fields[match.group(1)] = match.group(2)
    missing = [name for name in ("Credential", "SignedHeaders", "Signature")
               if not fields.get(name)]
    if missing:
        raise IncompleteSignature(
            f"Authorization header requires '{missing[0]}' parameter. "
            f"Authorization={authorization[:200]}")
    amz_date = headers.get("X-Amz-Date")
    if not amz_date:
        raise IncompleteSignature(
            "Authorization header requires existence of a 'X-Amz-Date' header.")
    signed_headers = tuple(fields["SignedHeaders"].split(";"))
    if "host" not in signed_headers or "x-amz-date" not in signed_headers:
        raise IncompleteSignature("The 'Host' and 'X-Amz-Date' headers must be signed.")
    return _signed(fields["Credential"], amz_date, signed_headers, fields["Signature"],
                   presigned=False, expires=0, token=headers.get("X-Amz-Security-Token"))


def _from_query(query: dict[str, str]) -> Signed:
    required = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders",
                "X-Amz-Signature")
    missing = [name for name in required if not query.get(name)]
    if missing:
        raise IncompleteSignature(f"AWS query-string parameters must include '{missing[0]}'. "
                                  "Re-examine the query-string parameters.")
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{query['X-Amz-Algorithm']}'.")
    raw_expires = query.get("X-Amz-Expires", "")
    if not (raw_expires.isascii() and raw_expires.isdigit()) or len(raw_expires) > 7:
        raise IncompleteSignature("X-Amz-Expires must be a number of seconds.")
    expires = int(raw_expires)
    if not 1 <= expires <= MAX_PRESIGN_EXPIRES:
        raise IncompleteSignature(
            f"X-Amz-Expires must be between 1 and {MAX_PRESIGN_EXPIRES} seconds.")
    signed_headers = tuple(query["X-Amz-SignedHeaders"].split(";"))
    if "host" not in signed_headers:
        raise IncompleteSignature("The 'Host' header must be signed.")
    return _signed(query["X-Amz-Credential"], query["X-Amz-Date"], signed_headers,
                   query["X-Amz-Signature"], presigned=True, expires=expires,
                   token=query.get("X-Amz-Security-Token"))


def _signed(credential: str, amz_date: str, signed_headers: tuple[str, ...], signature: str, *,
            presigned: bool, expires: int, token: str | None) -> Signed:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts):
        raise IncompleteSignature(
            f"Credential should be scoped to a valid region, service and date. "
            f"Credential={credential[:200]}")
    access_key_id, date, region, service, _ = parts
    signed_at = _parse_amz_date(amz_date)
    if signed_at is None or amz_date[:8] != date:
        raise IncompleteSignature(
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{date}' != '{amz_date[:8]}', from '{amz_date}'.")
    if list(signed_headers) != sorted(set(signed_headers)) or not all(signed_headers):
        raise IncompleteSignature("SignedHeaders must be lowercase, sorted and without repeats.")
    return Signed(access_key_id=access_key_id, date=date, region=region, service=service,
                  amz_date=amz_date, signed_headers=signed_headers, signature=signature.lower(),
                  presigned=presigned, expires=expires, security_token=token or None,
                  signed_at=signed_at)


def _parse_amz_date(value: str) -> datetime | None:
    """``YYYYMMDDTHHMMSSZ`` as an aware UTC datetime, or None.

    By hand rather than strptime, which costs more than the rest of the
    signature check on every request.
    """
    if not (len(value) == 16 and value.isascii() and value[8] == "T" and value[15] == "Z"
            and value[:8].isdigit() and value[9:15].isdigit()):
        return None
    try:
        return datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[9:11]),
                        int(value[11:13]), int(value[13:15]), tzinfo=timezone.utc)
    except ValueError:  # month 13, hour 25...
        return None


def check_time(signed: Signed, now: datetime | None = None) -> None:
    """Refuse a request signed too long ago or too far ahead, or a presigned URL past its life."""
    now = now or _now()
    moment = signed.signed_at or _parse_amz_date(signed.amz_date)  # read() refused any other
    if moment - now > CLOCK_SKEW:
        raise RequestExpired(
            f"Signature not yet current: {signed.amz_date} is still later than "
            f"{(now + CLOCK_SKEW).strftime(_AMZ_DATE)} ({now.strftime(_AMZ_DATE)} + 15 min.)")
    if signed.presigned:
        if now > moment + timedelta(seconds=signed.expires):
            raise RequestExpired("Request has expired.")
    elif now - moment > CLOCK_SKEW:
        raise RequestExpired(
            f"Signature expired: {signed.amz_date} is now earlier than "
            f"{(now - CLOCK_SKEW).strftime(_AMZ_DATE)} ({now.strftime(_AMZ_DATE)} - 15 min.)")


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def canonical_query(query_string: str, *, drop_signature: bool) -> str:
    if not query_string:  # a POST's: its parameters are in the body
        return ""
    pairs = []
    for item in query_string.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        key, value = unquote(key), unquote(value)
        if drop_signature and key == "X-Amz-Signature":
            continue
        pairs.append((_encode(key), _encode(value)))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def payload_hash(headers, body: bytes) -> str:
    """The body's SHA-256; a client's x-amz-content-sha256 must agree with it."""
    actual = hashlib.sha256(body).hexdigest()
    claimed = headers.get("X-Amz-Content-SHA256")
    if claimed is None or claimed.lower() == actual:
        return actual
    if claimed == UNSIGNED_PAYLOAD and not body:
        return UNSIGNED_PAYLOAD
    # A body that the signature does not cover would let anyone who saw one
    # request replay its signature with other parameters.
    raise SignatureDoesNotMatch("The provided 'x-amz-content-sha256' header does not match "
                                "what was computed.")


def canonical_request(*, method: str, path: str, query_string: str, headers, body: bytes,
                      signed: Signed) -> str:
    lines = []
    for name in signed.signed_headers:
        values = headers.get(name)
        if values is None:
            raise SignatureDoesNotMatch(f"The header '{name}' is signed but was not sent.")
        lines.append(f"{name}:{' '.join(values.split())}")
    return "\n".join([
        method.upper(),
        "/" if path in ("/", "") else quote(path, safe="/~"),
        canonical_query(query_string, drop_signature=signed.presigned),
        "\n".join(lines) + "\n",
        ";".join(signed.signed_headers),
        payload_hash(headers, body),
    ])


def signing_key(secret: str, signed: Signed) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (signed.date, signed.region, signed.service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def verify(signing_key_: bytes, signed: Signed, canonical: str) -> None:
    """Refuse unless ``signed.signature`` is the request's, under ``signing_key_``
    (what ``signing_key`` derives from the secret for the request's scope)."""
    string_to_sign = "\n".join([
        ALGORITHM, signed.amz_date, signed.scope,
        hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    ])
    expected = hmac.new(signing_key_, string_to_sign.encode("utf-8"),
                        hashlib.sha256).hexdigest()
    # Bytes, because compare_digest refuses non-ASCII text and a header may carry any.
    if not hmac.compare_digest(expected.encode("ascii"),
                               signed.signature.encode("utf-8", "surrogateescape")):
        raise SignatureDoesNotMatch()
