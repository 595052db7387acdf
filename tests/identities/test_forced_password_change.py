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
