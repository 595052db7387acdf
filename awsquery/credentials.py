"""From the access key id in a signature to the secret that checks it and the Caller it names.

Long-term keys (AKIA) are rows of ``identities.AccessKey``; temporary ones
(ASIA) belong to STS role sessions and are resolved by ``sts.services``,
which refuses an expired or revoked session at the moment it is presented.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from django.conf import settings

from awsquery import lookups, sigv4
from awsquery.sigv4 import Signed
from core import crypto
from core.caller import Caller
from core.http import client_address
from core.ids import ACCESS_KEY_PREFIX, TEMPORARY_KEY_PREFIX
from core.lru import BoundedCache
from identities.last_used import touch_access_key
from identities.models import AccessKey
from sts.errors import InvalidClientTokenId

log = logging.getLogger(__name__)


# Derived signing keys by (access key id, scope). SigV4 derives a key per day,
# region and service precisely so that it can be kept: a key id's secret never
# changes (a new secret is a new key id), so a kept key stays right, and a
# request whose key is found spares decrypting the secret and four HMACs. The
# access key is still looked up, and refused when inactive, on every request.
_signing_keys: BoundedCache[bytes] = BoundedCache(4096)


class Credential(NamedTuple):
    """A resolved access key: its secret on demand, and how to build the Caller."""

    reveal_secret: Callable[[], str]
    caller: Callable[..., Caller]
    access_key: AccessKey | None = None  # long-term keys only

    def signing_key(self, signed: Signed) -> bytes:
        cache_key = (signed.access_key_id, signed.scope)
        key = _signing_keys.get(cache_key)
        if key is None:
            key = sigv4.signing_key(self.reveal_secret(), signed)
            _signing_keys.put(cache_key, key)
        return key


def resolve(signed: Signed) -> Credential:
    """The credential ``signed.access_key_id`` names, or InvalidClientTokenId."""
    key_id = signed.access_key_id
    if key_id.startswith(TEMPORARY_KEY_PREFIX):
        return _temporary(signed)
    if not key_id.startswith(ACCESS_KEY_PREFIX) or signed.security_token:
        raise InvalidClientTokenId()
    found = lookups.access_key_with_user(key_id)
    if found is None:
        raise InvalidClientTokenId()
    access_key, policy_generation = found
    if access_key.status != AccessKey.Status.ACTIVE:
        raise InvalidClientTokenId()
    user = access_key.user
    return Credential(reveal_secret=lambda: _decrypted(access_key), access_key=access_key,
                      caller=lambda **context: Caller.for_user(
                          user, policy_generation=policy_generation, **context))


def _temporary(signed: Signed) -> Credential:
    if not signed.security_token:
        raise InvalidClientTokenId()
    # Imported here: STS sits above awsquery's other dependencies and is optional
    # for the IAM half of the endpoint.
    from sts import services

    session = services.resolve_temporary_credentials(signed.access_key_id, signed.security_token)
    return Credential(reveal_secret=lambda: session.secret,
                      caller=lambda **context: services.caller_for_session(session, **context))


def _decrypted(access_key: AccessKey) -> str:
    try:
        return access_key.secret
    except crypto.DecryptionFailed:
        log.error("access key %s cannot be decrypted with the configured keys",
                  access_key.access_key_id)
        raise InvalidClientTokenId() from None


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
    touch_access_key(access_key, signed.service, signed.region, now=now)
