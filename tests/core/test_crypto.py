"""Secrets at rest: encrypted, bound to their row, decryptable through key rotation."""

from __future__ import annotations

import base64

import pytest

from core import crypto


def test_a_value_decrypts_for_its_own_row_only():
    token = crypto.encrypt("wJalrXUtnFEMI/K7MDENG", bound_to="access-key:AKIA1")
    assert "wJalrXUtnFEMI" not in token
    assert crypto.decrypt(token, bound_to="access-key:AKIA1") == "wJalrXUtnFEMI/K7MDENG"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(token, bound_to="access-key:AKIA2")


def test_tampered_ciphertext_fails_closed():
    token = crypto.encrypt("secret", bound_to="row")
    key_id, _, body = token.partition(":")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(f"{key_id}:{base64.b64encode(bytes(raw)).decode()}", bound_to="row")


def test_old_key_still_decrypts_after_a_new_primary_is_added(settings):
    old_spec = settings.IAM_ENCRYPTION_KEYS
    token = crypto.encrypt("seed", bound_to="mfa:x")
    new_key = base64.b64encode(b"n" * 32).decode()
    settings.IAM_ENCRYPTION_KEYS = f"k9:{new_key},{old_spec}"
    assert crypto.decrypt(token, bound_to="mfa:x") == "seed"
    assert crypto.key_id_of(crypto.encrypt("seed", bound_to="mfa:x")) == "k9"


def test_unknown_key_id_fails_closed():
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt("nokey:AAAA", bound_to="row")
