"""Console sign-in: the matrix of right and wrong, one error for every failure."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

from audit.models import Event
from identities import services
from identities.models import LoginProfile
from identities.views.signin import SIGNIN_ERROR
from tests.factories import USER_PASSWORD, make_iam_user, sign_in_root, sign_in_user

pytestmark = pytest.mark.django_db


def _error_text(response) -> str:
    """The sign-in error as the user reads it."""
    html = response.content.decode()
    start = html.find('data-testid="signin-error">')
    if start < 0:
        return ""
    start = html.index(">", start) + 1
    return html[start:html.index("</div>", start)].strip()


def test_root_signs_in_with_email_and_sees_the_dashboard(client, alice_account):
    response = sign_in_root(client, alice_account)
    assert response.status_code == 302
    assert response["Location"] == "/iam/"
    page = client.get("/iam/")
    assert page.status_code == 200
    assert "IAM dashboard" in page.content.decode()
    assert alice_account.id in page.content.decode()


def test_root_email_is_matched_without_regard_to_case(client, alice_account):
    response = client.post("/signin", {"kind": "root", "email": "OWNER@Alice.Example",
                                       "password": alice_account.root_password})
    assert response.status_code == 302


def test_iam_user_signs_in_by_account_id(client, alice_account):
    make_iam_user(alice_account.account, "alice")
    response = sign_in_user(client, alice_account.id, "alice")
    assert response.status_code == 302


def test_iam_user_signs_in_by_alias_and_name_in_any_case(client, alice_account):
    make_iam_user(alice_account.account, "alice")
    response = sign_in_user(client, "ALICE-CO", "ALICE")
    assert response.status_code == 302


def test_per_account_sign_in_url_prefills_the_account(client, alice_account):
    page = client.get("/signin/alice-co/")
    html = page.content.decode()
    assert 'value="alice-co"' in html
    assert 'value="iam" checked' in html or 'value="iam"\n' in html or "checked" in html


@pytest.mark.parametrize("case", [
    "root-wrong-password", "root-unknown-email", "wrong-account", "wrong-user",
    "wrong-password", "no-login-profile", "disabled-login-profile",
])
def test_every_wrong_sign_in_gets_the_same_error(client, alice_account, charlie_account, case):
    alice = make_iam_user(alice_account.account, "alice")
    make_iam_user(alice_account.account, "nopass", password=None)
    if case == "disabled-login-profile":
        LoginProfile.objects.filter(user=alice).delete()
        alice.set_unusable_password()
        alice.save()
    attempts = {
        "root-wrong-password": lambda: sign_in_root(client, alice_account, "Wrong-Password-1"),
        "root-unknown-email": lambda: client.post("/signin", {
            "kind": "root", "email": "nobody@example.com", "password": "whatever-1234"}),
        "wrong-account": lambda: sign_in_user(client, charlie_account.id, "alice"),
        "wrong-user": lambda: sign_in_user(client, alice_account.id, "mallory"),
        "wrong-password": lambda: sign_in_user(client, alice_account.id, "alice", "Nope-123456"),
        "no-login-profile": lambda: sign_in_user(client, alice_account.id, "nopass"),
        "disabled-login-profile": lambda: sign_in_user(client, alice_account.id, "alice"),
    }
    response = attempts[case]()
    assert response.status_code == 200
    assert _error_text(response) == SIGNIN_ERROR
    assert "_auth_user_id" not in client.session
    assert client.get("/iam/").status_code == 302


def test_failures_are_recorded_with_the_reason_for_the_administrator(client, alice_account):
    make_iam_user(alice_account.account, "nopass", password=None)
    sign_in_user(client, alice_account.id, "nopass")
    event = Event.objects.get(action="signin:ConsoleLogin", outcome="Failure")
    assert event.account_id == alice_account.id
    assert "no console password" in event.error_message
    assert "password" not in {k for k, v in event.parameters.items() if v not in ("", None)} - {
        "kind", "email", "account", "user_name"}
    assert USER_PASSWORD not in str(event.parameters)


def test_sign_in_rotates_the_session_key(client, alice_account):
    client.get("/signin")
    client.cookies["sessionid"] = "attacker-fixed-session-key"
    sign_in_root(client, alice_account)
    assert client.cookies["sessionid"].value != "attacker-fixed-session-key"


def test_sign_out_deletes_the_session_on_the_server(client, alice_account):
    sign_in_root(client, alice_account)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post("/signout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/iam/").status_code == 302


def test_sign_out_rejects_get(client, alice_account):
    sign_in_root(client, alice_account)
    assert client.get("/signout/").status_code == 405
    assert client.get("/iam/").status_code == 200


def test_next_parameter_cannot_send_the_user_to_another_site(client, alice_account):
    response = client.post("/signin?next=https://evil.example/", {
        "kind": "root", "email": alice_account.root.email,
        "password": alice_account.root_password, "next": "https://evil.example/"})
    assert response["Location"] == "/iam/"


def test_console_pages_send_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/iam/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=/iam/")


def test_sign_up_creates_an_account_whose_root_can_sign_in(client, db):
    response = client.post("/signup/", {
        "email": "founder@newco.example", "account_name": "NewCo",
        "password": "Granite-Meadow-77", "confirm_password": "Granite-Meadow-77"})
    assert response.status_code == 302
    page = client.get("/signin")
    assert "is ready" in page.content.decode()
    assert 'value="founder@newco.example"' in page.content.decode()
    response = client.post("/signin", {"kind": "root", "email": "founder@newco.example",
                                       "password": "Granite-Meadow-77"})
    assert response.status_code == 302


def test_sign_up_refuses_a_common_password_and_creates_nothing(client, db):
    from identities.models import Account

    response = client.post("/signup/", {
        "email": "x@newco.example", "account_name": "NewCo",
        "password": "password123", "confirm_password": "password123"})
    assert response.status_code == 200
    assert "commonly used password" in response.content.decode()
    assert not Account.objects.exists()


def test_successful_sign_in_is_recorded(client, alice_account):
    sign_in_root(client, alice_account)
    event = Event.objects.get(action="signin:ConsoleLogin", outcome="Success")
    assert event.principal_arn == f"arn:aws:iam::{alice_account.id}:root"
    assert event.via == "console"


def test_create_account_refuses_a_duplicate_root_email(db, alice_account):
    from core.errors import EntityAlreadyExists

    with pytest.raises(EntityAlreadyExists):
        services.create_account(email="Owner@alice.example", password="Another-Good-Pass-1")
