"""identities.last_used: each row is written at most once a minute, even by racing workers."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest

from identities import last_used
from identities.models import AccessKey, Role, User
from tests.factories import make_iam_user

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 5, 1, 9, 0, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def key(alice_account) -> AccessKey:
    user = make_iam_user(alice_account.account, "prog", password=None)
    key = AccessKey(user=user, access_key_id="AKIAPROG000000000001")
    key.set_secret("unused")
    key.save()
    return key


@pytest.fixture
def role(alice_account) -> Role:
    return Role.objects.create(account=alice_account.account, name="deployer",
                               role_id="AROADEPLOYER00000001", trust_policy="{}")


def test_access_key_is_written_once_per_minute(key, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert last_used.touch_access_key(key, "iam", "us-east-1", now=T0)
    # Within the minute the caller's copy is recent: no query at all.
    with django_assert_num_queries(0):
        assert not last_used.touch_access_key(key, "sts", "eu-west-1",
                                              now=T0 + timedelta(seconds=59))
    stored = AccessKey.objects.get(pk=key.pk)
    assert (stored.last_used_at, stored.last_used_service, stored.last_used_region) == (
        T0, "iam", "us-east-1")
    # Exactly one minute later is still within the minute; a moment after is not.
    fresh = AccessKey.objects.get(pk=key.pk)
    assert not last_used.touch_access_key(fresh, "sts", "eu-west-1",
                                          now=T0 + timedelta(seconds=60))
    later = T0 + timedelta(seconds=60, microseconds=1)
    assert last_used.touch_access_key(fresh, "sts", "eu-west-1", now=later)
    stored.refresh_from_db()
    assert (stored.last_used_at, stored.last_used_service) == (later, "sts")


def test_a_stale_copy_still_cannot_write_twice_in_a_minute(key, django_assert_num_queries):
    """Two workers holding the same old row: the conditional UPDATE lets one through."""
    worker_a = AccessKey.objects.get(pk=key.pk)
    worker_b = AccessKey.objects.get(pk=key.pk)
    assert last_used.touch_access_key(worker_a, "iam", "us-east-1", now=T0)
    with django_assert_num_queries(1):
        assert not last_used.touch_access_key(worker_b, "sts", "eu-west-1",
                                              now=T0 + timedelta(seconds=30))
    assert AccessKey.objects.get(pk=key.pk).last_used_service == "iam"


def test_role_last_used_is_written_once_per_minute(role):
    assert last_used.touch_role(role, "us-east-1", now=T0)
    other = Role.objects.get(pk=role.pk)
    other.last_used_at = None  # a copy read before the first write
    assert not last_used.touch_role(other, "eu-west-1", now=T0 + timedelta(seconds=10))
    assert last_used.touch_role(other, "eu-west-1", now=T0 + timedelta(minutes=2))
    stored = Role.objects.get(pk=role.pk)
    assert (stored.last_used_at, stored.last_used_region) == (T0 + timedelta(minutes=2),
                                                              "eu-west-1")


def test_user_activity_moves_last_login_at_most_once_a_minute(alice_account):
    user = make_iam_user(alice_account.account, "amy")
    writes = [s for s in range(0, 185, 5)
              if last_used.touch_user_activity(user, now=T0 + timedelta(seconds=s))]
    # Every write is more than a minute after the one before; the other 34 calls write nothing.
    assert writes == [0, 65, 130]
    assert User.objects.get(pk=user.pk).last_login == T0 + timedelta(seconds=130)


def test_values_are_cut_to_the_columns(key):
    last_used.touch_access_key(key, "x" * 40, "r" * 80, now=T0)
    stored = AccessKey.objects.get(pk=key.pk)
    assert len(stored.last_used_service) == 16 and len(stored.last_used_region) == 32
