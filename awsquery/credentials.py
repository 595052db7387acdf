"""From the access key id in a signature to the secret that checks it and the Caller it names.

Long-term keys (AKIA) are rows of ``identities.AccessKey``; temporary ones
(ASIA) belong to STS role sessions and are resolved by ``sts.services``,
which refuses an expired or revoked session at the moment it is presented.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Q

from awsquery.errors import InvalidClientTokenId
from awsquery.sigv4 import Signed
from core import crypto
from core.caller import Caller
from core.http import client_address
from core.ids import ACCESS_KEY_PREFIX, TEMPORARY_KEY_PREFIX
from identities.models import AccessKey, User

log = logging.getLogger(__name__)

# "Last used" is bookkeeping, not audit: one write per key per minute is enough
# and keeps a busy key from turning every request into a row update.
LAST_USED_GRANULARITY = timedelta(seconds=60)


@dataclass(frozen=True)
class Credential:
    """A resolved access key: the secret to verify with, and how to build the Caller."""

    secret: str
    caller: Callable[..., Caller]
    access_key: AccessKey | None = None  # long-term keys only


def resolve(signed: Signed) -> Credential:
    """The credential ``signed.access_key_id`` names, or InvalidClientTokenId."""
    key_id = signed.access_key_id
    if key_id.startswith(TEMPORARY_KEY_PREFIX):
        return _temporary(signed)
    if not key_id.startswith(ACCESS_KEY_PREFIX) or signed.security_token:
        raise InvalidClientTokenId()
    access_key = _access_key_with_user(key_id)
    if access_key is None or access_key.status != AccessKey.Status.ACTIVE:
        raise InvalidClientTokenId()
    try:
        secret = access_key.secret
    except crypto.DecryptionFailed:
        log.error("access key %s cannot be decrypted with the configured keys", key_id)
        raise InvalidClientTokenId() from None
    user = access_key.user
    return Credential(secret=secret, access_key=access_key,
                      caller=lambda **context: Caller.for_user(user, **context))


def _access_key_with_user(key_id: str) -> AccessKey | None:
    """The key and its user in one indexed query, as model instances.

    Every API request starts here, so the SQL is built once per process from
    the models' metadata instead of compiled by the ORM each time (a tenth of
    the CPU); values pass through the same field converters the ORM applies.
    """
    sql, key_fields, user_fields = _key_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_id])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(key_fields)
    key = AccessKey.from_db(connection.alias, [f.attname for f, _, _ in key_fields],
                            _converted(row[:split], key_fields))
    key.user = User.from_db(connection.alias, [f.attname for f, _, _ in user_fields],
                            _converted(row[split:], user_fields))
    return key


@lru_cache(maxsize=1)
def _key_query() -> tuple[str, list, list]:
    quote = connection.ops.quote_name

    def columns(model, alias: str) -> list:
        fields = []
        for field in model._meta.concrete_fields:
            column = field.get_col(alias)
            converters = (connection.ops.get_db_converters(column)
                          + field.get_db_converters(connection))
            fields.append((field, column, converters))
        return fields

    key_fields, user_fields = columns(AccessKey, "k"), columns(User, "u")
    selected = ", ".join([f"k.{quote(f.column)}" for f, _, _ in key_fields]
                         + [f"u.{quote(f.column)}" for f, _, _ in user_fields])
    sql = (f"SELECT {selected} FROM {quote(AccessKey._meta.db_table)} k "
           f"JOIN {quote(User._meta.db_table)} u "
           f"ON u.{quote(User._meta.pk.column)} = k.{quote(AccessKey._meta.get_field('user').column)} "
           f"WHERE k.{quote(AccessKey._meta.get_field('access_key_id').column)} = %s")
    return sql, key_fields, user_fields


def _converted(values, fields) -> list:
    result = []
    for value, (_, column, converters) in zip(values, fields):
        for convert in converters:
            value = convert(value, column, connection)
        result.append(value)
    return result


def _temporary(signed: Signed) -> Credential:
    if not signed.security_token:
        raise InvalidClientTokenId()
    # Imported here: STS sits above awsquery's other dependencies and is optional
    # for the IAM half of the endpoint.
    from sts import services

    session = services.resolve_temporary_credentials(signed.access_key_id, signed.security_token)
    return Credential(secret=session.secret,
                      caller=lambda **context: services.caller_for_session(session, **context))


def context(request, signed: Signed) -> dict:
    """The request context every Caller from the API carries."""
    return {
        "via": "api",
        "source_ip": client_address(request, settings.IAM_TRUSTED_PROXIES),
        "user_agent": request.headers.get("User-Agent", "")[:512],
        "access_key_id": signed.access_key_id,
        "secure_transport": request.is_secure(),
    }


def note_use(access_key: AccessKey | None, signed: Signed, now: datetime) -> None:
    """Record when, where and for which service a long-term key was last used."""
    if access_key is None:
        return
    threshold = now - LAST_USED_GRANULARITY
    if access_key.last_used_at is not None and access_key.last_used_at >= threshold:
        return
    # Conditional, so that workers racing on one key write once between them.
    (AccessKey.objects
     .filter(pk=access_key.pk)
     .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=threshold))
     .update(last_used_at=now, last_used_service=signed.service[:16],
             last_used_region=signed.region[:32]))
