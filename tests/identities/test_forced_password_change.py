"""A password reset required at sign-in comes before every other page."""

from __future__ import annotations

import pytest

from identities.models import LoginProfile
from tests.factories import USER_PASSWORD, make_iam_user, sign_in_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Quartz-Harbor-Signal-8"


@pytest.fixture
def newbie(alice_account):
    return make_iam_user(alice_account.account, "newbie", reset_required=True)


def _console_urls():
    """Every routed console URL (the sign-in flow's own pages excepted)."""
    from django.urls import get_resolver

    urls = []
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", [pattern]):
            route = str(sub.pattern)
            if route.startswith("iam/") and "<" not in route:
                urls.append("/" + route)
    return urls


def test_console_has_routes_to_check():
    assert "/iam/" in _console_urls()


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_console_url_redirects_to_the_password_change(client, alice_account, newbie, method):
    sign_in_user(client, alice_account.id, "newbie")
    for url in _console_urls():
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/signin/change-password/", url


def test_after_the_change_the_console_opens_and_the_new_password_works(client, alice_account,
                                                                       newbie):
    sign_in_user(client, alice_account.id, "newbie")
    response = client.post("/signin/change-password/", {
        "old_password": USER_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert not LoginProfile.objects.get(user=newbie).password_reset_required
    # Still signed in, and no longer redirected (no policy: the dashboard says why).
    page = client.get("/iam/")
    assert page.status_code == 200
    assert "is not authorized to perform: iam:GetAccountSummary" in page.content.decode()
    client.post("/signout/")
    assert sign_in_user(client, alice_account.id, "newbie", NEW_PASSWORD).status_code == 302
    client.post("/signout/")
    assert sign_in_user(client, alice_account.id, "newbie", USER_PASSWORD).status_code == 200


def test_the_new_password_must_differ_and_meet_the_rules(client, alice_account, newbie):
    sign_in_user(client, alice_account.id, "newbie")
    for new, expected in [(USER_PASSWORD, "differ from the current password"),
                          ("short1", "at least 8 characters"),
                          ("newbie-is-me-1", "not contain the account id, alias or user name")]:
        response = client.post("/signin/change-password/", {
            "old_password": USER_PASSWORD, "new_password": new, "confirm_password": new})
        assert response.status_code == 200
        assert expected in response.content.decode()
    assert LoginProfile.objects.get(user=newbie).password_reset_required


def test_the_old_password_must_be_right(client, alice_account, newbie):
    sign_in_user(client, alice_account.id, "newbie")
    response = client.post("/signin/change-password/", {
        "old_password": "Not-The-Old-One-1", "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert "The old password is incorrect." in response.content.decode()
    newbie.refresh_from_db()
    assert newbie.check_password(USER_PASSWORD)


def _expire(user, days: int, *, hard: bool):
    from datetime import timedelta

    from django.utils import timezone

    from identities.models import PasswordPolicy

    PasswordPolicy.objects.create(account=user.account, max_password_age=days, hard_expiry=hard)
    user.password_changed_at = timezone.now() - timedelta(days=days)
    user.save(update_fields=["password_changed_at"])


def test_an_expired_password_must_be_changed_at_sign_in(client, alice_account):
    user = make_iam_user(alice_account.account, "oldpass")
    _expire(user, 90, hard=False)
    sign_in_user(client, alice_account.id, "oldpass")
    assert client.get("/iam/")["Location"] == "/signin/change-password/"
    client.post("/signin/change-password/", {"old_password": USER_PASSWORD,
                                             "new_password": NEW_PASSWORD,
                                             "confirm_password": NEW_PASSWORD})
    assert client.get("/iam/").status_code == 200


def test_a_hard_expired_password_needs_an_administrator(client, alice_account):
    user = make_iam_user(alice_account.account, "stale")
    _expire(user, 30, hard=True)
    response = sign_in_user(client, alice_account.id, "stale")
    assert response.status_code == 200
    assert "requires an administrator to reset it" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_password_younger_than_the_maximum_age_is_fine(client, alice_account):
    user = make_iam_user(alice_account.account, "fresh")
    _expire(user, 90, hard=True)
    user.password_changed_at = user.password_changed_at + __import__("datetime").timedelta(days=2)
    user.save(update_fields=["password_changed_at"])
    assert sign_in_user(client, alice_account.id, "fresh").status_code == 302
