"""Console sessions: lifetime, idle timeout, ended by credential changes, listed and
ended by their owner, ended everywhere by an administrator; re-authentication;
required MFA enrolment."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from audit.models import Event
from identities import sessions, throttle
from identities.models import AccessKey, Account, ConsoleSession
from tests.factories import (
    USER_PASSWORD,
    attach_managed,
    make_iam_user,
    sign_in_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(alice_account):
    alice = make_iam_user(alice_account.account, "alice")
    attach_managed(alice, "AdministratorAccess")
    client = Client()
    sign_in_user(client, alice_account.id, "alice")
    return client


def _age_session(client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_idle_sessions_end_with_a_message(client, alice_account, settings):
    make_iam_user(alice_account.account, "idle")
    sign_in_user(client, alice_account.id, "idle")
    key = client.session.session_key
    _age_session(client, sessions.LAST_SEEN, settings.IAM_SESSION_IDLE_SECONDS + 1)
    response = client.get("/iam/")
    assert response["Location"] == "/signin"
    assert "period of inactivity" in client.get("/signin").content.decode()
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_just_inside_the_idle_limit_goes_on(client, alice_account, settings):
    make_iam_user(alice_account.account, "busy")
    sign_in_user(client, alice_account.id, "busy")
    _age_session(client, sessions.LAST_SEEN, settings.IAM_SESSION_IDLE_SECONDS - 5)
    assert client.get("/iam/").status_code == 200


def test_sessions_end_at_their_absolute_lifetime(client, alice_account, settings):
    make_iam_user(alice_account.account, "long")
    sign_in_user(client, alice_account.id, "long")
    _age_session(client, sessions.SIGNED_IN_AT, settings.IAM_SESSION_MAX_AGE + 1)
    assert client.get("/iam/")["Location"] == "/signin"


def test_a_password_change_ends_the_users_other_sessions(alice_account):
    user = make_iam_user(alice_account.account, "twice")
    attach_managed(user, "IAMUserChangePassword")
    laptop, phone = Client(), Client()
    sign_in_user(laptop, alice_account.id, "twice")
    sign_in_user(phone, alice_account.id, "twice")
    laptop.post("/iam/security-credentials/password/", {
        "old_password": USER_PASSWORD, "new_password": "Copper-Lantern-Sky-8",
        "confirm_password": "Copper-Lantern-Sky-8"})
    assert laptop.get("/iam/security-credentials/").status_code == 200
    assert phone.get("/iam/security-credentials/")["Location"].startswith("/signin")
    assert ConsoleSession.objects.filter(user=user).count() == 1


def test_an_administrator_signs_a_user_out_everywhere(admin_client, alice_account):
    make_iam_user(alice_account.account, "victim")
    victim = Client()
    sign_in_user(victim, alice_account.id, "victim")
    admin_client.post("/iam/users/victim/sessions/", {"do": "signout"})
    assert victim.get("/iam/")["Location"].startswith("/signin")
    assert Event.objects.filter(action="iam:RevokeConsoleSessions", outcome="Success").exists()


def test_users_see_and_end_their_own_other_sessions(alice_account):
    make_iam_user(alice_account.account, "multi")
    first, second = Client(), Client()
    sign_in_user(first, alice_account.id, "multi")
    sign_in_user(second, alice_account.id, "multi")
    html = first.get("/iam/security-credentials/").content.decode()
    assert html.count('data-testid="console-session"') == 2 and "This session" in html
    first.post("/iam/security-credentials/sessions/", {"all": "1"})
    assert first.get("/iam/security-credentials/").status_code == 200
    assert second.get("/iam/")["Location"].startswith("/signin")


def test_credential_changes_need_a_recent_sign_in(client, alice_account):
    user = make_iam_user(alice_account.account, "stale")
    attach_managed(user, "AdministratorAccess")
    sign_in_user(client, alice_account.id, "stale")
    _age_session(client, sessions.AUTHENTICATED_AT, 16 * 60)
    response = client.post("/iam/security-credentials/access-keys/")
    assert response["Location"].startswith("/signin/reauthenticate/")
    assert not AccessKey.objects.exists()
    old_key = client.session.session_key
    wrong = client.post("/signin/reauthenticate/", {"password": "not-it"})
    assert "Your authentication information is incorrect" in wrong.content.decode()
    client.post("/signin/reauthenticate/", {"password": USER_PASSWORD})
    assert client.session.session_key != old_key
    client.post("/iam/security-credentials/access-keys/")
    assert AccessKey.objects.filter(user=user).count() == 1


def test_required_mfa_holds_users_at_enrolment(client, alice_account):
    Account.objects.filter(pk=alice_account.id).update(require_mfa_for_console=True)
    make_iam_user(alice_account.account, "nomfa")
    sign_in_user(client, alice_account.id, "nomfa")
    assert client.get("/iam/")["Location"] == "/iam/security-credentials/mfa/assign/"
    assert client.get("/iam/users/")["Location"] == "/iam/security-credentials/mfa/assign/"
    assert client.get("/iam/security-credentials/mfa/assign/").status_code in (200, 403)
    assert client.post("/signout/").status_code == 302


def test_root_turns_on_required_mfa(admin_client, alice_account):
    admin_client.post("/iam/account-settings/require-mfa/", {"required": "on"})
    assert Account.objects.get(pk=alice_account.id).require_mfa_for_console


def test_an_administrator_unlocks_a_locked_user(admin_client, alice_account, settings):
    settings.IAM_SIGNIN_MAX_FAILURES_PER_IDENTITY = 2
    make_iam_user(alice_account.account, "locked")
    other = Client()
    for _ in range(2):
        sign_in_user(other, alice_account.id, "locked", "Wrong-Guess-42")
    assert sign_in_user(other, alice_account.id, "locked").status_code == 200
    admin_client.post("/iam/users/locked/sessions/", {"do": "unlock"})
    assert sign_in_user(other, alice_account.id, "locked").status_code == 302
    assert Event.objects.filter(action="iam:UnlockSignIn", outcome="Success").exists()
    assert throttle.is_blocked(throttle.identity_key(alice_account.id, "locked")) is False


def test_reserved_words_cannot_be_aliases(db):
    from core.errors import ValidationError
    from identities.services import validate_alias

    with pytest.raises(ValidationError):
        validate_alias("mfa")
