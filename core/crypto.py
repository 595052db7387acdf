"""Secrets at rest: AES-256-GCM with a key id stored beside each value.

Access-key secrets and TOTP seeds must be recoverable (SigV4 and TOTP need
them), so they are encrypted rather than hashed. The associated data binds a
ciphertext to its row: a value copied into another row fails to decrypt.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionFailed(Exception):
    """The value was tampered with, moved to another row, or its key is gone."""


@lru_cache(maxsize=8)
def _parse_keys(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    primary = ""
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, _, encoded = item.partition(":")
        raw = base64.b64decode(encoded)
        if len(raw) != 32 or not key_id:
            raise ImproperlyConfigured("IAM_ENCRYPTION_KEYS needs id:base64 of 32 bytes")
        keys[key_id] = AESGCM(raw)
        primary = primary or key_id
    if not keys:
        raise ImproperlyConfigured("IAM_ENCRYPTION_KEYS is empty")
    return primary, keys


def _keys() -> tuple[str, dict[str, AESGCM]]:
    return _parse_keys(settings.IAM_ENCRYPTION_KEYS)


def encrypt(plaintext: str, *, bound_to: str) -> str:
    """Encrypt with the primary key; ``bound_to`` names the row it belongs to."""
    key_id, keys = _keys()
    nonce = os.urandom(12)
    sealed = keys[key_id].encrypt(nonce, plaintext.encode(), bound_to.encode())
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, bound_to: str) -> str:
    """Decrypt a value made by :func:`encrypt` for the same row."""
    _, keys = _keys()
    key_id, _, encoded = token.partition(":")
    aead = keys.get(key_id)
    if aead is None:
        raise DecryptionFailed(f"no key {key_id!r} to decrypt with")
    try:
        blob = base64.b64decode(encoded)
        return aead.decrypt(blob[:12], blob[12:], bound_to.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("ciphertext does not belong to this row") from exc


def key_id_of(token: str) -> str:
    return token.partition(":")[0]
