"""Identifiers in AWS's formats: account ids, unique ids, access key ids."""

from __future__ import annotations

import secrets

# AWS unique ids use upper-case letters and digits 2-7 (base32) after a
# four-letter prefix that tells the kind of entity.
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

USER_PREFIX = "AIDA"
GROUP_PREFIX = "AGPA"
ROLE_PREFIX = "AROA"
POLICY_PREFIX = "ANPA"
ACCESS_KEY_PREFIX = "AKIA"
TEMPORARY_KEY_PREFIX = "ASIA"


def unique_id(prefix: str, length: int = 21) -> str:
    """A unique id such as ``AIDA...`` (21 characters, like AWS's)."""
    body = "".join(secrets.choice(_ID_ALPHABET) for _ in range(length - len(prefix)))
    return prefix + body


def access_key_id(prefix: str = ACCESS_KEY_PREFIX) -> str:
    """An access key id: 20 characters, ``AKIA`` or ``ASIA`` first."""
    return unique_id(prefix, 20)


def secret_access_key() -> str:
    """A 40-character secret in AWS's alphabet."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(secrets.choice(alphabet) for _ in range(40))


def account_id() -> str:
    """A random 12-digit account id that does not start with 0."""
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def request_id() -> str:
    """A request id in the UUID shape AWS returns."""
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
