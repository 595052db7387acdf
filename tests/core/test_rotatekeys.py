"""Key rotation: old values decrypt during it, every value ends under the new key."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import call_command

from core import crypto
from identities import services
from identities.models import AccessKey, MFADevice
from identities.operations import credentials
from tests.factories import caller_for, grant, make_iam_user

pytestmark = pytest.mark.django_db


def test_rotatekeys_moves_every_secret_to_the_new_primary_key(alice_account, settings):
    user = make_iam_user(alice_account.account, "keyed")
    grant(user)
    created = credentials.create_access_key(caller_for(user))
    device = services.add_virtual_mfa_device(user, name="phone", seed=b"s" * 20)
    old_key_id = crypto.key_id_of(created.key.encrypted_secret)

    new_key = base64.b64encode(b"N" * 32).decode()
    settings.IAM_ENCRYPTION_KEYS = f"k-new:{new_key},{settings.IAM_ENCRYPTION_KEYS}"
    assert AccessKey.objects.get(pk=created.key.pk).secret == created.secret_access_key

    out = StringIO()
    call_command("rotatekeys", stdout=out)
    assert "identities.AccessKey: re-encrypted 1, undecryptable 0, left under old keys 0" in out.getvalue()
    key = AccessKey.objects.get(pk=created.key.pk)
    assert crypto.key_id_of(key.encrypted_secret) == "k-new" != old_key_id
    assert key.secret == created.secret_access_key
    assert MFADevice.objects.get(pk=device.pk).seed == b"s" * 20

    # With the old key gone, everything still decrypts.
    settings.IAM_ENCRYPTION_KEYS = f"k-new:{new_key}"
    assert AccessKey.objects.get(pk=created.key.pk).secret == created.secret_access_key


def test_a_ciphertext_moved_to_another_row_fails_closed(alice_account):
    user = make_iam_user(alice_account.account, "swapper")
    grant(user)
    first = credentials.create_access_key(caller_for(user)).key
    second = credentials.create_access_key(caller_for(user)).key
    AccessKey.objects.filter(pk=second.pk).update(encrypted_secret=first.encrypted_secret)
    with pytest.raises(crypto.DecryptionFailed):
        AccessKey.objects.get(pk=second.pk).secret
