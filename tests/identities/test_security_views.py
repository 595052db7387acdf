"""Security findings in the console: dashboard links, the users list filters, Access Advisor."""

from __future__ import annotations

import pytest

from identities import services
from tests.factories import attach_managed, make_iam_user, sign_in_user

pytestmark = pytest.mark.django_db


def test_dashboard_recommendation_links_to_the_filtered_users_list(client, alice_account):
    admin = make_iam_user(alice_account.account, "boss")
    attach_managed(admin, "AdministratorAccess")
    make_iam_user(alice_account.account, "nomfa")
    sign_in_user(client, alice_account.id, "boss")
    html = client.get("/iam/").content.decode()
    assert "/iam/users/?filter=no_mfa" in html
    listing = client.get("/iam/users/?filter=no_mfa").content.decode()
    assert 'data-testid="filter-chip"' in listing and "Console access without MFA" in listing
    assert 'href="/iam/users/nomfa/"' in listing


def test_users_list_filter_keeps_only_matching_users(client, alice_account):
    admin = make_iam_user(alice_account.account, "boss")
    attach_managed(admin, "AdministratorAccess")
    secured = make_iam_user(alice_account.account, "secured")
    services.add_virtual_mfa_device(secured, name="secured-phone")
    sign_in_user(client, alice_account.id, "boss")
    listing = client.get("/iam/users/?filter=no_mfa").content.decode()
    assert 'href="/iam/users/secured/"' not in listing


def test_access_advisor_tab_shows_the_services(client, alice_account):
    admin = make_iam_user(alice_account.account, "boss")
    attach_managed(admin, "AdministratorAccess")
    sign_in_user(client, alice_account.id, "boss")
    html = client.get("/iam/users/boss/?tab=access_advisor").content.decode()
    assert "Access Advisor" in html and "sts" in html.lower() and "iam" in html.lower()
    assert client.get("/iam/groups/").status_code == 200
