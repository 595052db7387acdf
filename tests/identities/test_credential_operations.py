"""Access keys, login profiles, MFA devices and the password policy."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django_otp.oath import TOTP

from core.errors import (
    AccessDenied,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
    PasswordPolicyViolation,
)
from identities.models import AccessKey, LoginProfile, MFADevice
from identities.operations import account, credentials, mfa, password_policy, users
from tests.factories import USER_PASSWORD, caller_for, make_iam_user

pytestmark = pytest.mark.django_db


def test_second_access_key_is_allowed_third_is_limit_exceeded(alice):
    first = credentials.create_access_key(alice)
    assert first.key.access_key_id.startswith("AKIA") and len(first.key.access_key_id) == 20
    assert len(first.secret_access_key) == 40
    assert first.secret_access_key not in first.key.encrypted_secret
    credentials.create_access_key(alice)
    with pytest.raises(LimitExceeded, match="AccessKeysPerUser: 2"):
        credentials.create_access_key(alice)
    assert AccessKey.objects.filter(user=alice.user).count() == 2


def test_keys_are_listed_without_secrets_and_can_be_deactivated_and_deleted(alice):
    new = credentials.create_access_key(alice)
    key_id = new.key.access_key_id
    credentials.update_access_key(alice, access_key_id=key_id, status="Inactive")
    assert [k.status for k in credentials.list_access_keys(alice)] == ["Inactive"]
    credentials.delete_access_key(alice, access_key_id=key_id)
    assert credentials.list_access_keys(alice) == []


def test_bob_cannot_create_a_key_for_alice(alice, bob):
    with pytest.raises(AccessDenied):
        credentials.create_access_key(bob, user_name="alice")
    assert not AccessKey.objects.exists()


def test_charlie_cannot_touch_alices_keys(alice, charlie):
    key = credentials.create_access_key(alice).key
    with pytest.raises(NoSuchEntity):
        credentials.delete_access_key(charlie, access_key_id=key.access_key_id, user_name="alice")
    with pytest.raises(NoSuchEntity):
        credentials.get_access_key_last_used(charlie, access_key_id=key.access_key_id)
    assert AccessKey.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_third_key_requests_create_at_most_two(alice_account):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from tests.factories import grant

    user = make_iam_user(alice_account.account, "racer")
    grant(user)
    barrier = threading.Barrier(6)
    outcomes = []

    def attempt():
        from django.db import connections

        barrier.wait()
        try:
            credentials.create_access_key(caller_for(user))
            outcomes.append("ok")
        except LimitExceeded:
            outcomes.append("limit")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AccessKey.objects.filter(user=user).count() == 2
    assert sorted(outcomes) == ["limit"] * 4 + ["ok"] * 2


def test_login_profile_lifecycle(alice):
    users.create_user(alice, user_name="web")
    credentials.create_login_profile(alice, user_name="web", password="Orchid-Tunnel-58",
                                     password_reset_required=True)
    with pytest.raises(EntityAlreadyExists):
        credentials.create_login_profile(alice, user_name="web", password="Orchid-Tunnel-59")
    assert credentials.get_login_profile(alice, user_name="web").password_reset_required
    credentials.update_login_profile(alice, user_name="web", password_reset_required=False)
    assert not LoginProfile.objects.get(user__name="web").password_reset_required
    credentials.delete_login_profile(alice, user_name="web")
    with pytest.raises(NoSuchEntity):
        credentials.get_login_profile(alice, user_name="web")


def _codes(seed: bytes) -> tuple[str, str]:
    step = int(time.time()) // 30
    out = []
    for t in (step - 1, step):
        totp = TOTP(seed)
        totp.time = t * 30
        out.append(f"{totp.token():06d}")
    return out[0], out[1]


def test_mfa_device_enables_with_two_consecutive_codes(alice):
    created = mfa.create_virtual_mfa_device(alice, virtual_mfa_device_name="alice-phone")
    import base64

    seed = base64.b32decode(created.base32_seed)
    code1, code2 = _codes(seed)
    with pytest.raises(InvalidAuthenticationCode):
        mfa.enable_mfa_device(alice, serial_number=created.device.serial_number,
                              authentication_code1=code2, authentication_code2=code1)
    mfa.enable_mfa_device(alice, serial_number=created.device.serial_number,
                          authentication_code1=code1, authentication_code2=code2)
    device = MFADevice.objects.get(pk=created.device.pk)
    assert device.user_id == alice.user.pk and device.confirmed
    # The second code cannot be used again to sign in.
    assert not device.verify_token(code2)
    assert [d.serial_number for d in mfa.list_mfa_devices(alice)] == [device.serial_number]
    with pytest.raises(Exception):
        mfa.delete_virtual_mfa_device(alice, serial_number=device.serial_number)
    mfa.deactivate_mfa_device(alice, serial_number=device.serial_number)
    mfa.delete_virtual_mfa_device(alice, serial_number=device.serial_number)
    assert not MFADevice.objects.exists()


def test_password_policy_is_enforced_on_every_password_set(alice):
    password_policy.update_account_password_policy(
        alice, minimum_password_length=14, require_symbols=True, require_numbers=True,
        require_uppercase_characters=True, require_lowercase_characters=True,
        password_reuse_prevention=3, allow_users_to_change_password=True)
    users.create_user(alice, user_name="p")
    with pytest.raises(PasswordPolicyViolation, match="at least 14 characters"):
        credentials.create_login_profile(alice, user_name="p", password="Short-Pass-1")
    with pytest.raises(PasswordPolicyViolation, match="contain a symbol"):
        credentials.create_login_profile(alice, user_name="p", password="LongEnoughPassword1")
    credentials.create_login_profile(alice, user_name="p", password="Long-Enough-Passw0rd")


def test_reuse_prevention_refuses_a_recent_password(alice_account):
    from identities import services
    from tests.factories import grant

    owner = make_iam_user(alice_account.account, "owner")
    grant(owner)
    password_policy.update_account_password_policy(caller_for(owner), password_reuse_prevention=2,
                                                   allow_users_to_change_password=True)
    user = make_iam_user(alice_account.account, "cycler")
    me = caller_for(user)
    account.change_password(me, old_password=USER_PASSWORD, new_password="Second-Password-22")
    user.refresh_from_db()
    with pytest.raises(PasswordPolicyViolation, match="last 2 passwords"):
        account.change_password(caller_for(user), old_password="Second-Password-22",
                                new_password=USER_PASSWORD)
    assert services is not None


def test_change_password_needs_a_policy_unless_the_password_policy_allows_it(bob):
    with pytest.raises(AccessDenied):
        account.change_password(bob, old_password=USER_PASSWORD, new_password="Fresh-Cobalt-Hill-3")
