"""After a journey that handles every kind of secret, none of them is found in the
event history, the logs, or any page except the one page that shows it once."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP

from audit.models import Event
from identities.models import AccessKey
from tests.factories import USER_PASSWORD, attach_managed, make_iam_user, sign_in_user

pytestmark = pytest.mark.django_db

SHOWN_ONCE = ("/iam/access-key-created/", "/password/")


def _codes(secret: str) -> tuple[str, str]:
    seed = base64.b32decode(secret)
    step = int(time.time()) // 30
    out = []
    for t in (step - 1, step):
        totp = TOTP(seed)
        totp.time = t * 30
        out.append(f"{totp.token():06d}")
    return out[0], out[1]


def test_no_secret_leaks_anywhere(alice_account, caplog):
    caplog.set_level(logging.DEBUG)
    admin = make_iam_user(alice_account.account, "admin")
    attach_managed(admin, "AdministratorAccess")
    client = Client()
    pages: list[tuple[str, bytes]] = []

    def visit(method: str, url: str, data=None):
        response = getattr(client, method)(url, data or {})
        pages.append((url, response.content))
        return response

    sign_in_user(client, alice_account.id, "admin")
    new_user_password = "Saffron-Glacier-Tempo-61"
    visit("post", "/iam/create-user/", {
        "user_name": "leaky", "console_access": "on", "password_kind": "custom",
        "password": new_user_password, "permissions_option": "groups"})
    visit("get", "/iam/users/leaky/password/")
    visit("post", "/iam/users/leaky/access-keys/")
    visit("get", "/iam/access-key-created/")
    key = AccessKey.objects.get(user__name="leaky")
    secret_key = key.secret

    assign = visit("get", "/iam/security-credentials/mfa/assign/")
    seed = client.session["iam_pending_mfa_seed"]
    code1, code2 = _codes(seed)
    visit("post", "/iam/security-credentials/mfa/assign/",
          {"device_name": "admin-phone", "code1": code1, "code2": code2})
    changed = "Velvet-Orchard-Lamp-29"
    visit("post", "/iam/security-credentials/password/", {
        "old_password": USER_PASSWORD, "new_password": changed, "confirm_password": changed})
    for url in ("/iam/", "/iam/users/", "/iam/users/leaky/?tab=security_credentials",
                "/iam/security-credentials/"):
        visit("get", url)
    assert assign.status_code == 200

    secrets = {"user password": new_user_password, "admin password": USER_PASSWORD,
               "changed password": changed, "secret access key": secret_key,
               "TOTP seed": seed, "MFA code": code2}
    events = json.dumps([{"p": e.parameters, "m": e.error_message, "r": e.resources}
                         for e in Event.objects.all()])
    logs = caplog.text
    found = []
    for label, value in secrets.items():
        if value in events:
            found.append(f"{label} in the event history")
        if value in logs:
            found.append(f"{label} in the logs")
        for url, body in pages:
            allowed = (label == "user password" and url.endswith("/password/")) or (
                label == "secret access key" and url == "/iam/access-key-created/") or (
                label == "TOTP seed" and url.endswith("/mfa/assign/"))
            # A six-digit code may occur in a page by chance (ids, times): codes are
            # checked in events and logs only.
            if label != "MFA code" and value.encode() in body and not allowed:
                found.append(f"{label} on {url}")
    assert found == []
    assert Event.objects.count() > 10
