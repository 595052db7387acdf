"""The Users and User groups pages: what each persona sees and may do."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identities.models import AccessKey, Group, GroupMembership, LoginProfile, User
from identities.operations import credentials, groups, users
from tests.factories import caller_for, grant, make_iam_user, sign_in_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, alice_account):
    alice = make_iam_user(alice_account.account, "alice")
    grant(alice)
    sign_in_user(client, alice_account.id, "alice")
    return client


@pytest.fixture
def bob_client(client, alice_account):
    make_iam_user(alice_account.account, "bob")
    sign_in_user(client, alice_account.id, "bob")
    return client


def test_users_list_shows_columns_and_filters_by_name_or_key(admin_client, alice_account):
    make_iam_user(alice_account.account, "searchme")
    admin = caller_for(User.objects.get(name="alice"))
    key = credentials.create_access_key(admin, user_name="searchme").key
    html = admin_client.get("/iam/users/").content.decode()
    assert "Users <span class=\"counter\">(2)</span>" in html
    # The heading's hyphen does not break (U+2011) when the heading wraps.
    assert "searchme" in html and "Console last sign\u2011in" in html
    by_key = admin_client.get(f"/iam/users/?q={key.access_key_id}").content.decode()
    assert 'href="/iam/users/searchme/"' in by_key
    assert 'href="/iam/users/alice/"' not in by_key


def test_users_list_denies_without_policy(bob_client):
    response = bob_client.get("/iam/users/")
    assert response.status_code == 403
    assert "iam:ListUsers" in response.content.decode()


def test_users_list_hides_other_accounts(admin_client, charlie_account):
    make_iam_user(charlie_account.account, "charlies-user")
    assert "charlies-user" not in admin_client.get("/iam/users/").content.decode()
    assert admin_client.get("/iam/users/charlies-user/").status_code == 404


def test_create_user_wizard_creates_user_with_password_and_group(admin_client, alice_account):
    admin = caller_for(User.objects.get(name="alice"))
    groups.create_group(admin, group_name="devs")
    response = admin_client.post("/iam/create-user/", {
        "user_name": "newbie", "path": "/", "console_access": "on", "password_kind": "auto",
        "password_reset_required": "on", "permissions_option": "groups", "groups": ["devs"],
        "tag_key_0": "team", "tag_value_0": "web"})
    assert response.status_code == 302
    assert response["Location"] == "/iam/users/newbie/password/"
    shown = admin_client.get("/iam/users/newbie/password/")
    html = shown.content.decode()
    assert "This is the only time you can view and download this password." in html
    assert "no-store" in shown["Cache-Control"]
    user = User.objects.get(name="newbie")
    assert LoginProfile.objects.get(user=user).password_reset_required
    assert GroupMembership.objects.filter(user=user, group__name="devs").exists()
    assert user.tags == [{"Key": "team", "Value": "web"}]
    again = admin_client.get("/iam/users/newbie/password/")
    assert again.status_code == 302  # shown once only


def test_create_user_wizard_is_all_or_nothing(admin_client):
    response = admin_client.post("/iam/create-user/", {
        "user_name": "halfway", "console_access": "on", "password_kind": "custom",
        "password": "short", "permissions_option": "groups"})
    assert response.status_code == 200
    assert "at least 8 characters" in response.content.decode()
    assert not User.objects.filter(name="halfway").exists()


def test_create_user_is_refused_for_bob_and_nothing_changes(bob_client):
    response = bob_client.post("/iam/create-user/", {"user_name": "x", "permissions_option": "groups"})
    assert response.status_code == 403
    assert not User.objects.filter(name="x").exists()


def test_user_detail_tabs_show_what_the_user_has(admin_client, alice_account):
    admin = caller_for(User.objects.get(name="alice"))
    users.create_user(admin, user_name="detail", tags=[{"Key": "k", "Value": "v"}])
    groups.create_group(admin, group_name="ops")
    groups.add_user_to_group(admin, group_name="ops", user_name="detail")
    credentials.create_access_key(admin, user_name="detail")
    html = admin_client.get("/iam/users/detail/").content.decode()
    assert f"arn:aws:iam::{alice_account.id}:user/detail" in html
    assert "No permissions policies" in html
    assert "ops" in admin_client.get("/iam/users/detail/?tab=groups").content.decode()
    assert ">k<" in admin_client.get("/iam/users/detail/?tab=tags").content.decode()
    creds = admin_client.get("/iam/users/detail/?tab=security_credentials").content.decode()
    assert AccessKey.objects.get(user__name="detail").access_key_id in creds


def test_delete_user_needs_the_typed_name_and_removes_dependents(admin_client):
    admin = caller_for(User.objects.get(name="alice"))
    users.create_user(admin, user_name="gone")
    credentials.create_login_profile(admin, user_name="gone", password="Walnut-Breeze-Cloud-6")
    credentials.create_access_key(admin, user_name="gone")
    groups.create_group(admin, group_name="g")
    groups.add_user_to_group(admin, group_name="g", user_name="gone")
    admin_client.post("/iam/users/gone/delete/", {"confirm": "wrong"})
    assert User.objects.filter(name="gone").exists()
    response = admin_client.post("/iam/users/gone/delete/", {"confirm": "gone"})
    assert response.status_code == 302
    assert not User.objects.filter(name="gone").exists()
    assert Group.objects.filter(name="g").exists()


def test_delete_rejects_get(admin_client):
    admin = caller_for(User.objects.get(name="alice"))
    users.create_user(admin, user_name="stay")
    assert admin_client.get("/iam/users/stay/delete/").status_code == 405
    assert User.objects.filter(name="stay").exists()


def test_access_key_created_for_a_user_is_shown_once(admin_client):
    admin = caller_for(User.objects.get(name="alice"))
    users.create_user(admin, user_name="prog")
    response = admin_client.post("/iam/users/prog/access-keys/")
    assert response["Location"] == "/iam/access-key-created/"
    page = admin_client.get("/iam/access-key-created/")
    key = AccessKey.objects.get(user__name="prog")
    assert key.secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert admin_client.get("/iam/access-key-created/").status_code == 302


def test_group_pages_create_add_members_and_delete(admin_client):
    response = admin_client.post("/iam/create-group/", {"group_name": "team", "users": ["alice"]})
    assert response.status_code == 302
    assert GroupMembership.objects.filter(group__name="team", user__name="alice").exists()
    html = admin_client.get("/iam/groups/").content.decode()
    assert 'href="/iam/groups/team/"' in html
    admin_client.post("/iam/groups/team/delete/", {"confirm": "team"})
    assert not Group.objects.filter(name="team").exists()


def test_users_list_and_detail_use_a_constant_number_of_queries(admin_client, alice_account):
    admin = caller_for(User.objects.get(name="alice"))
    group = groups.create_group(admin, group_name="many")

    def add_users(start: int, stop: int) -> None:
        for index in range(start, stop):
            user = make_iam_user(alice_account.account, f"u{index:03d}", password=None)
            GroupMembership.objects.create(group=group, user=user)
            if index % 3 == 0:
                credentials.create_access_key(admin, user_name=user.name)

    def measure() -> tuple[int, int]:
        admin_client.get("/iam/users/")
        with CaptureQueriesContext(connection) as listing:
            admin_client.get("/iam/users/?sort=-last_activity")
        with CaptureQueriesContext(connection) as detail:
            admin_client.get("/iam/users/u000/?tab=security_credentials")
        return len(listing), len(detail)

    add_users(0, 10)
    few = measure()
    add_users(10, 200)
    many = measure()
    assert few == many, (few, many)


def test_tags_tab_adds_changes_and_removes_a_tag(admin_client):
    admin = caller_for(User.objects.get(name="alice"))
    users.create_user(admin, user_name="tagged")
    admin_client.post("/iam/users/tagged/tags/", {"key": "team", "value": "web"})
    admin_client.post("/iam/users/tagged/tags/", {"key": "TEAM", "value": "api"})
    assert User.objects.get(name="tagged").tags == [{"Key": "TEAM", "Value": "api"}]
    admin_client.post("/iam/users/tagged/tags/", {"remove": "TEAM"})
    assert User.objects.get(name="tagged").tags == []
    admin_client.post("/iam/users/tagged/tags/", {"key": "aws:reserved", "value": "x"})
    assert "reserved for AWS use" in admin_client.get("/iam/users/tagged/?tab=tags").content.decode()
