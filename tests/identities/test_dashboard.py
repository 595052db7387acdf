"""The dashboard and the account alias: who may, who is refused, and what they see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Event
from identities import services
from identities.models import Account
from tests.factories import make_iam_user, sign_in_root, sign_in_user

pytestmark = pytest.mark.django_db


def test_it_works_for_root(client, alice_account):
    make_iam_user(alice_account.account, "u1")
    make_iam_user(alice_account.account, "u2", password=None)
    sign_in_root(client, alice_account)
    html = client.get("/iam/").content.decode()
    assert 'data-testid="count-users">2<' in html
    assert 'data-testid="count-groups">0<' in html
    assert "http://testserver/signin/alice-co/" in html
    assert "Add MFA for root user" in html
    assert "1 user(s) with console access have no MFA device." in html


def test_recommendations_turn_green_when_followed(client, alice_account):
    from tests.identities.test_signin_mfa import SEED, code_for

    services.add_virtual_mfa_device(alice_account.root, name="root-account-mfa-device", seed=SEED)
    sign_in_root(client, alice_account)
    client.post("/signin/mfa/", {"code": code_for()})
    html = client.get("/iam/").content.decode()
    assert "The root user has MFA." in html
    assert "Every user with console access has MFA." in html


def test_it_denies_without_policy(client, alice_account):
    make_iam_user(alice_account.account, "bob")
    sign_in_user(client, alice_account.id, "bob")
    response = client.get("/iam/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="count-users"' not in html
    assert (f"User: arn:aws:iam::{alice_account.id}:user/bob is not authorized to perform: "
            "iam:GetAccountSummary on resource: *") in html
    assert Event.objects.filter(action="iam:GetAccountSummary", outcome="AccessDenied").exists()


def test_root_sets_and_removes_the_alias(client, alice_account):
    sign_in_root(client, alice_account)
    response = client.post("/iam/account-alias/", {"alias": "alice-prod"})
    assert response.status_code == 302
    assert Account.objects.get(pk=alice_account.id).alias == "alice-prod"
    assert "Account alias alice-prod created." in client.get("/iam/").content.decode()
    client.post("/iam/account-alias/", {"alias": ""})
    assert Account.objects.get(pk=alice_account.id).alias is None


@pytest.mark.parametrize("alias", ["ab", "Upper-case", "double--hyphen", "-edge", "123456789012"])
def test_invalid_aliases_are_refused_with_a_clear_message(client, alice_account, alias):
    sign_in_root(client, alice_account)
    client.post("/iam/account-alias/", {"alias": alias})
    assert Account.objects.get(pk=alice_account.id).alias == "alice-co"
    html = client.get("/iam/").content.decode()
    assert "account alias" in html.lower() and "flash-danger" in html


def test_an_alias_taken_by_another_account_is_refused(client, alice_account, charlie_account):
    sign_in_root(client, alice_account)
    client.post("/iam/account-alias/", {"alias": "charlie-co"})
    assert Account.objects.get(pk=alice_account.id).alias == "alice-co"
    assert "already exists" in client.get("/iam/").content.decode()


def test_bob_cannot_change_the_alias_and_nothing_changes(client, alice_account):
    make_iam_user(alice_account.account, "bob")
    sign_in_user(client, alice_account.id, "bob")
    response = client.post("/iam/account-alias/", {"alias": "bobs-alias"})
    assert response.status_code == 403
    assert Account.objects.get(pk=alice_account.id).alias == "alice-co"


def test_it_hides_other_accounts(client, alice_account, charlie_account):
    make_iam_user(charlie_account.account, "c1")
    sign_in_root(client, alice_account)
    html = client.get("/iam/").content.decode()
    assert charlie_account.id not in html
    assert 'data-testid="count-users">0<' in html


def test_it_rejects_get_on_the_alias_action(client, alice_account):
    sign_in_root(client, alice_account)
    assert client.get("/iam/account-alias/").status_code == 405


def test_dashboard_uses_a_constant_number_of_queries(client, alice_account):
    sign_in_root(client, alice_account)
    client.get("/iam/")
    with CaptureQueriesContext(connection) as few:
        client.get("/iam/")
    for index in range(30):
        make_iam_user(alice_account.account, f"user{index}")
    with CaptureQueriesContext(connection) as many:
        client.get("/iam/")
    assert len(many) == len(few)
