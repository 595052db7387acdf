"""Repeated failures are refused until the window passes, the right password included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from identities import throttle
from identities.models import SignInThrottle
from identities.views.signin import SIGNIN_ERROR
from tests.factories import make_iam_user, sign_in_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(settings):
    settings.IAM_SIGNIN_MAX_FAILURES_PER_IDENTITY = 3
    settings.IAM_SIGNIN_MAX_FAILURES_PER_ADDRESS = 1000
    settings.IAM_SIGNIN_WINDOW_SECONDS = 900
    return settings


def _fail(client, account_id, times):
    for _ in range(times):
        response = sign_in_user(client, account_id, "alice", "Wrong-Guess-123")
        assert SIGNIN_ERROR in response.content.decode()


def test_right_password_after_the_limit_is_refused_until_the_window_passes(
        client, alice_account, limited, monkeypatch):
    make_iam_user(alice_account.account, "alice")
    _fail(client, alice_account.id, 3)
    response = sign_in_user(client, alice_account.id, "alice")
    assert response.status_code == 200
    assert SIGNIN_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session

    later = timezone.now() + timedelta(seconds=901)
    monkeypatch.setattr(throttle, "_now", lambda: later)
    assert sign_in_user(client, alice_account.id, "alice").status_code == 302


def test_failures_below_the_limit_do_not_block(client, alice_account, limited):
    make_iam_user(alice_account.account, "alice")
    _fail(client, alice_account.id, 2)
    assert sign_in_user(client, alice_account.id, "alice").status_code == 302


def test_the_limit_counts_the_identity_not_the_spelling(client, alice_account, limited):
    make_iam_user(alice_account.account, "alice")
    _fail(client, alice_account.id, 2)
    sign_in_user(client, "alice-co", "ALICE", "Wrong-Guess-123")
    assert sign_in_user(client, alice_account.id, "alice").status_code == 200


def test_address_limit_blocks_guessing_across_many_users(client, alice_account, settings):
    settings.IAM_SIGNIN_MAX_FAILURES_PER_IDENTITY = 1000
    settings.IAM_SIGNIN_MAX_FAILURES_PER_ADDRESS = 4
    make_iam_user(alice_account.account, "alice")
    for name in ["u1", "u2", "u3", "u4"]:
        sign_in_user(client, alice_account.id, name, "Wrong-Guess-123")
    assert sign_in_user(client, alice_account.id, "alice").status_code == 200


def test_throttled_attempts_are_recorded(client, alice_account, limited):
    from audit.models import Event

    make_iam_user(alice_account.account, "alice")
    _fail(client, alice_account.id, 4)
    assert Event.objects.filter(action="signin:ConsoleLogin", outcome="Throttled").count() == 1


def test_purge_forgets_only_windows_that_have_passed(alice_account, limited, monkeypatch):
    throttle.record_failure("identity:old:x")
    later = timezone.now() + timedelta(seconds=901)
    monkeypatch.setattr(throttle, "_now", lambda: later)
    throttle.record_failure("identity:new:y")
    assert throttle.purge_expired() == 1
    assert list(SignInThrottle.objects.values_list("key", flat=True)) == ["identity:new:y"]
