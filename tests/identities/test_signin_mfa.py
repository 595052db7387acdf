"""The MFA step: no access before the code, wrong, replayed and late codes refused."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP

from identities import services
from identities.views.signin import PENDING
from tests.factories import make_iam_user, sign_in_root, sign_in_user

pytestmark = pytest.mark.django_db

SEED = bytes(range(20))


def code_for(seed: bytes = SEED, at: float | None = None) -> str:
    totp = TOTP(seed)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def alice_with_mfa(alice_account):
    alice = make_iam_user(alice_account.account, "alice")
    services.add_virtual_mfa_device(alice, name="alice-phone", seed=SEED)
    return alice


def test_password_step_alone_grants_no_page(client, alice_account, alice_with_mfa):
    response = sign_in_user(client, alice_account.id, "alice")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/mfa/")
    assert "_auth_user_id" not in client.session
    assert client.get("/iam/").status_code == 302


def test_right_code_signs_in(client, alice_account, alice_with_mfa):
    sign_in_user(client, alice_account.id, "alice")
    response = client.post("/signin/mfa/", {"code": code_for()})
    assert response.status_code == 302
    assert response["Location"] == "/iam/"
    assert client.session["iam_mfa_at"]
    assert PENDING not in client.session


def test_wrong_code_is_refused(client, alice_account, alice_with_mfa):
    sign_in_user(client, alice_account.id, "alice")
    wrong = f"{(int(code_for()) + 1) % 1_000_000:06d}"
    response = client.post("/signin/mfa/", {"code": wrong})
    assert response.status_code == 200
    assert "The MFA code is not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_cannot_be_used_twice(client, alice_account, alice_with_mfa):
    code = code_for()
    sign_in_user(client, alice_account.id, "alice")
    assert client.post("/signin/mfa/", {"code": code}).status_code == 302
    client.post("/signout/")
    sign_in_user(client, alice_account.id, "alice")
    response = client.post("/signin/mfa/", {"code": code})
    assert response.status_code == 200
    assert "The MFA code is not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pending_step_expires(client, alice_account, alice_with_mfa, settings):
    sign_in_user(client, alice_account.id, "alice")
    session = client.session
    pending = session[PENDING]
    pending["at"] -= settings.IAM_MFA_PENDING_SECONDS + 1
    session[PENDING] = pending
    session.save()
    response = client.post("/signin/mfa/", {"code": code_for()})
    assert response.status_code == 302
    assert response["Location"] == "/signin"
    assert "_auth_user_id" not in client.session
    assert "timed out" in client.get("/signin").content.decode()


def test_pending_step_just_inside_the_limit_still_works(client, alice_account, alice_with_mfa,
                                                        settings):
    sign_in_user(client, alice_account.id, "alice")
    session = client.session
    pending = session[PENDING]
    pending["at"] -= settings.IAM_MFA_PENDING_SECONDS - 5
    session[PENDING] = pending
    session.save()
    assert client.post("/signin/mfa/", {"code": code_for()}).status_code == 302


def test_root_with_mfa_gets_the_mfa_step(client, alice_account):
    services.add_virtual_mfa_device(alice_account.root, name="root-account-mfa-device", seed=SEED)
    response = sign_in_root(client, alice_account)
    assert response["Location"].startswith("/signin/mfa/")


def test_mfa_page_without_a_password_step_goes_back_to_sign_in(client, db):
    response = client.get("/signin/mfa/")
    assert response.status_code == 302
    assert response["Location"] == "/signin"


def test_seed_is_encrypted_at_rest(alice_with_mfa):
    from identities.models import MFADevice

    stored = MFADevice.objects.get(user=alice_with_mfa).encrypted_seed
    assert SEED.hex() not in stored
    assert MFADevice.objects.get(user=alice_with_mfa).seed == SEED
