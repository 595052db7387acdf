"""Derived signing keys are kept per key id and scope; every request is still checked."""

from __future__ import annotations

import pytest
from botocore.credentials import Credentials

from identities.models import AccessKey
from tests.api.helpers import make_key, signed_parts, wsgi

pytestmark = pytest.mark.django_db(transaction=True)

WHO_AM_I = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}


def _call(holder) -> int:
    headers, body = signed_parts(holder, WHO_AM_I, service="sts")
    return wsgi("POST", "/", headers=headers, body=body)[0]


class _Impostor:
    """The right key id with the wrong secret."""

    def __init__(self, holder):
        self.credentials = Credentials(holder.access_key_id, "not-the-secret")


def test_a_kept_key_still_refuses_a_wrong_signature(make_account):
    holder = make_key(make_account().root)
    assert _call(holder) == 200  # the signing key for today's scope is now kept

    assert _call(_Impostor(holder)) == 403
    assert _call(holder) == 200


def test_a_kept_key_does_not_outlive_the_access_key(make_account):
    holder = make_key(make_account().root)
    assert _call(holder) == 200

    AccessKey.objects.filter(access_key_id=holder.access_key_id).update(status="Inactive")
    assert _call(holder) == 403
    AccessKey.objects.filter(access_key_id=holder.access_key_id).delete()
    assert _call(holder) == 403


def test_the_secret_is_decrypted_once_per_scope(make_account, monkeypatch):
    from awsquery import credentials

    holder = make_key(make_account().root)
    decrypted = []
    real = credentials._decrypted
    monkeypatch.setattr(credentials, "_decrypted",
                        lambda key: decrypted.append(key.access_key_id) or real(key))

    for _ in range(3):
        assert _call(holder) == 200

    assert decrypted == [holder.access_key_id]
