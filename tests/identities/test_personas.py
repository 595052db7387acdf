"""The personas against AWS managed policies: read-only, self-service with and without MFA."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import AccessDenied
from identities.models import AccessKey, User
from identities.operations import account, credentials, groups, users
from tests.factories import USER_PASSWORD, attach_managed, caller_for, make_iam_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(alice_account):
    user = make_iam_user(alice_account.account, "reader")
    attach_managed(user, "IAMReadOnlyAccess")
    return user


@pytest.fixture
def selfie(alice_account):
    user = make_iam_user(alice_account.account, "selfie")
    attach_managed(user, "IAMManageOwnCredentialsWithMFA")
    attach_managed(user, "IAMUserChangePassword")
    return user


def with_mfa(user: User):
    return caller_for(user, mfa_authenticated_at=timezone.now() - timedelta(minutes=5))


def test_read_only_user_reads_everything_and_changes_nothing(reader, alice_account):
    make_iam_user(alice_account.account, "other")
    me = caller_for(reader)
    assert {u.name for u in users.list_users(me).items} == {"reader", "other"}
    assert users.get_user(me, user_name="other").name == "other"
    with pytest.raises(AccessDenied):
        users.create_user(me, user_name="nope")
    with pytest.raises(AccessDenied):
        credentials.create_access_key(me, user_name="other")
    with pytest.raises(AccessDenied):
        groups.create_group(me, group_name="nope")
    assert not User.objects.filter(name="nope").exists()
    assert not AccessKey.objects.exists()


def test_self_service_user_manages_own_keys_with_mfa(selfie):
    me = with_mfa(selfie)
    created = credentials.create_access_key(me)
    credentials.update_access_key(me, access_key_id=created.key.access_key_id, status="Inactive")
    credentials.delete_access_key(me, access_key_id=created.key.access_key_id)
    assert not AccessKey.objects.exists()


def test_self_service_user_cannot_touch_another_users_keys(selfie, alice_account):
    victim = make_iam_user(alice_account.account, "victim")
    me = with_mfa(selfie)
    with pytest.raises(AccessDenied) as refused:
        credentials.create_access_key(me, user_name="victim")
    assert "arn:aws:iam::111122223333:user/victim" in str(refused.value)
    with pytest.raises(AccessDenied):
        credentials.list_access_keys(me, user_name="victim")
    assert not AccessKey.objects.filter(user=victim).exists()


def test_without_mfa_the_self_service_user_can_only_set_up_mfa(selfie):
    me = caller_for(selfie)
    with pytest.raises(AccessDenied) as refused:
        credentials.create_access_key(me)
    assert "explicit deny in an identity-based policy" in str(refused.value)
    assert not AccessKey.objects.exists()
    # Listing own MFA devices is in the policy's NotAction list: allowed without MFA.
    from identities.operations import mfa

    assert mfa.list_mfa_devices(me) == []


def test_self_service_user_changes_own_password_only_with_mfa(selfie):
    with pytest.raises(AccessDenied):
        account.change_password(caller_for(selfie), old_password=USER_PASSWORD,
                                new_password="Sunlit-Granary-Path-4")
    account.change_password(with_mfa(selfie), old_password=USER_PASSWORD,
                            new_password="Sunlit-Granary-Path-4")
    selfie.refresh_from_db()
    assert selfie.check_password("Sunlit-Granary-Path-4")


def test_iam_user_change_password_policy_alone_scopes_to_own_user(alice_account):
    from policies.authz import authorize

    user = make_iam_user(alice_account.account, "changer")
    attach_managed(user, "IAMUserChangePassword")
    me = caller_for(user)
    authorize(me, "iam:ChangePassword", user.arn)
    with pytest.raises(AccessDenied):
        authorize(me, "iam:ChangePassword", f"arn:aws:iam::{alice_account.id}:user/someone")
