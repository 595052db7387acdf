"""Dashboard recommendations (counts in constant queries) and the Users list's security filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.filters import USER_FILTERS, apply_user_filter, parse_days
from audit.recommendations import security_recommendations
from identities import services as identity_services
from identities.models import AccessKey, User
from tests.factories import make_iam_user

pytestmark = pytest.mark.django_db


def _key(user, key_id, *, age_days=0, used_days_ago=None, status="Active"):
    now = timezone.now()
    key = AccessKey(user=user, access_key_id=key_id, status=status,
                    created_at=now - timedelta(days=age_days),
                    last_used_at=None if used_days_ago is None
                    else now - timedelta(days=used_days_ago))
    key.set_secret("unused")
    key.save()
    return key


@pytest.fixture
def account(alice_account):
    acct = alice_account.account
    # mia: console, no MFA, never signed in, a 100-day-old key used yesterday.
    mia = make_iam_user(acct, "mia")
    _key(mia, "AKIAMIA0000000000001", age_days=100, used_days_ago=1)
    # noah: console with MFA, signed in, a fresh key never used.
    noah = make_iam_user(acct, "noah")
    identity_services.add_virtual_mfa_device(noah, name="noah-mfa")
    User.objects.filter(pk=noah.pk).update(last_login=timezone.now())
    _key(noah, "AKIANOAH000000000001", age_days=5)
    # olga: no console; a 200-day-old key unused, and an inactive old one (ignored).
    olga = make_iam_user(acct, "olga", password=None)
    _key(olga, "AKIAOLGA000000000001", age_days=200)
    _key(olga, "AKIAOLGA000000000002", age_days=300, status="Inactive")
    # The root has a key and no MFA.
    _key(alice_account.root, "AKIAROOT000000000001", age_days=1)
    return alice_account


def test_recommendations_count_each_problem(account):
    items = {item["key"]: item for item in security_recommendations(account.id)}
    assert list(items) == ["root_mfa", "root_access_keys", "console_without_mfa",
                           "old_access_keys", "unused_access_keys", "never_signed_in"]
    assert {key: item["count"] for key, item in items.items()} == {
        "root_mfa": 1, "root_access_keys": 1, "console_without_mfa": 1,
        "old_access_keys": 2, "unused_access_keys": 1, "never_signed_in": 1}
    assert not any(item["ok"] for item in items.values())
    assert items["console_without_mfa"]["url"] == "/iam/users/?filter=no_mfa"
    assert items["old_access_keys"]["url"] == "/iam/users/?filter=key_older_than&days=90"
    assert items["root_mfa"]["url"] == "/iam/security-credentials/"
    assert "1 user(s) with console access have no MFA device." == items[
        "console_without_mfa"]["text"]


def test_a_clean_account_is_all_ok(alice_account):
    identity_services.add_virtual_mfa_device(alice_account.root, name="root-mfa")
    items = security_recommendations(alice_account.id)
    assert all(item["ok"] and item["count"] == 0 for item in items)


def test_recommendations_take_two_queries_however_many_users(account, charlie_account,
                                                             django_assert_num_queries):
    with django_assert_num_queries(2):
        security_recommendations(account.id)
    for i in range(10):
        _key(make_iam_user(account.account, f"u{i}"), f"AKIAU{i:015d}", age_days=120)
    with django_assert_num_queries(2):
        items = {i["key"]: i for i in security_recommendations(account.id)}
    assert items["old_access_keys"]["count"] == 12
    # Another account's users never count.
    make_iam_user(charlie_account.account, "stranger")
    assert security_recommendations(account.id)[5]["count"] == 11


def _names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


@pytest.mark.parametrize(("name", "days", "expected"), [
    ("no_mfa", 90, ["mia"]),
    ("key_older_than", 90, ["mia", "olga"]),
    ("key_older_than", 150, ["olga"]),
    ("key_unused", 90, ["olga"]),
    ("key_unused", 3, ["noah", "olga"]),
    ("never_signed_in", 90, ["mia"]),
    ("unknown", 90, ["mia", "noah", "olga"]),
])
def test_user_filters_narrow_the_users_list(account, name, days, expected):
    users = User.objects.filter(account_id=account.id, kind=User.Kind.IAM)
    assert _names(apply_user_filter(users, name, days)) == expected


def test_filters_keep_one_row_per_user_and_clamp_days(account):
    users = User.objects.filter(account_id=account.id, kind=User.Kind.IAM)
    olga = User.objects.get(name="olga")
    _key(olga, "AKIAOLGA000000000003", age_days=400)  # a third key: still one row
    assert apply_user_filter(users, "key_older_than", 90).count() == 2
    assert parse_days("junk") == 90 and parse_days("0") == 1 and parse_days("99999") == 3650
    assert set(USER_FILTERS) == {"no_mfa", "key_older_than", "key_unused", "never_signed_in"}


def test_filters_compose_with_the_users_list_selector(account):
    from identities import selectors

    rows = apply_user_filter(selectors.user_rows(account.id), "key_older_than", 90)
    assert [u.name for u in rows] == ["mia", "olga"]
    assert rows.count() == 2
