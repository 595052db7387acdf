"""An administrator onboards a user who then looks after their own credentials."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from identities.models import AccessKey, MFADevice
from tests.e2e.conftest import field, screenshot
from tests.factories import USER_PASSWORD, attach_managed, make_account, make_iam_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def totp_at_step(secret_base32: str, step: int) -> str:
    import base64

    totp = TOTP(base64.b32decode(secret_base32))
    totp.time = step * 30
    return f"{totp.token():06d}"


def sign_in(page, account: str, user: str, password: str) -> None:
    page.goto(f"/signin/{account}/")
    field(page, "IAM user name").fill(user)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_onboards_a_user_who_sets_up_mfa_and_rotates_keys(page):
    account = make_account(email="root@journey4.example", alias="journey4")
    alice = make_iam_user(account.account, "alice")
    attach_managed(alice, "AdministratorAccess")

    # The administrator drafts a policy: the editor's findings update as they type.
    sign_in(page, "journey4", "alice", USER_PASSWORD)
    page.goto("/iam/create-policy/")
    editor = page.get_by_label("Policy editor")
    editor.fill('{\n    "Version": "2012-10-17",\n    "Statement": [{\n        "Effect": "Allow",\n'
                '        "NotAction": "iam:*",\n        "Resource": "*"\n    }]\n}')
    expect(page.get_by_test_id("findings")).to_contain_text("Security warning")
    page.locator("#id_policy_name").fill("EverythingButIam")
    screenshot(page, "policy-editor")

    # Then creates a self-service group and a user in it.
    page.goto("/iam/create-group/")
    field(page, "User group name").fill("self-service")
    page.get_by_label("Filter policies").fill("IAM")
    page.locator("#group-policy-choices").get_by_text("IAMUserChangePassword").click()
    page.locator("#group-policy-choices").get_by_text("IAMManageOwnCredentialsWithMFA").click()
    page.get_by_role("button", name="Create user group").click()
    expect(page.get_by_test_id("flash")).to_contain_text("self-service user group created")

    page.goto("/iam/create-user/")
    page.locator("#id_user_name").fill("carol")
    page.get_by_role("button", name="Next").click()
    page.get_by_text("self-service", exact=True).click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    expect(page.locator('[data-review-of="user_name"]')).to_have_text("carol")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", name="Retrieve password")).to_be_visible()
    password = page.get_by_test_id("shown-password").text_content().strip()

    # Every column filled for one row (a path, groups, keys): at 1,366 px the
    # list's twelve columns still fit beside the navigation, without scrolling sideways.
    from identities.operations import credentials, groups, users
    from tests.factories import caller_for

    admin = caller_for(alice)
    users.create_user(admin, user_name="dave-from-platform-engineering",
                      path="/engineering/platform/")
    groups.add_user_to_group(admin, group_name="self-service",
                             user_name="dave-from-platform-engineering")
    for _ in range(2):
        credentials.create_access_key(admin, user_name="dave-from-platform-engineering")
    page.goto("/iam/users/")
    expect(page.get_by_role("link", name="carol")).to_be_visible()
    screenshot(page, "users-list")
    overflow = page.evaluate("() => { const table = document.querySelector('#users-form table');"
                             " return table.scrollWidth - table.parentElement.clientWidth; }")
    assert overflow <= 0, f"the users list is {overflow} px wider than its panel"
    page.get_by_role("link", name="carol").click()
    expect(page.get_by_test_id("user-arn")).to_have_text(
        f"arn:aws:iam::{account.id}:user/carol")
    page.locator(".tabs").get_by_role("link", name="Groups").click()
    expect(page.get_by_role("link", name="self-service")).to_be_visible()
    page.locator(".tabs").get_by_role("link", name="Permissions").click()
    screenshot(page, "user-detail")
    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Sign out", exact=True).click()

    # Carol's first sign-in: the forced password change.
    sign_in(page, "journey4", "carol", password)
    new_password = "Harbor-Violet-Engine-71"
    field(page, "Old password").fill(password)
    field(page, "New password").fill(new_password)
    field(page, "Retype new password").fill(new_password)
    page.get_by_role("button", name="Confirm password change").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Your password has been changed.")

    # Without MFA the self-service policy allows only the MFA setup.
    page.goto("/iam/security-credentials/")
    expect(page.locator("#access-keys .section-denied")).to_contain_text("explicit deny")
    page.get_by_role("link", name="Assign MFA device").click()
    secret = page.get_by_test_id("mfa-secret").text_content().strip()
    step = int(time.time()) // 30
    page.locator("#code1").fill(totp_at_step(secret, step - 1))
    page.locator("#code2").fill(totp_at_step(secret, step))
    page.get_by_role("button", name="Add MFA").click()
    expect(page.get_by_test_id("flash")).to_contain_text("MFA device assigned")
    assert MFADevice.objects.get(user__name="carol").confirmed

    # Sign out and in again, now with MFA (the next code: the current one was used).
    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in(page, "journey4", "carol", new_password)
    field(page, "MFA code").fill(totp_at_step(secret, int(time.time()) // 30 + 1))
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="IAM dashboard")).to_be_visible()

    # Access keys: create one, then rotate it.
    page.goto("/iam/security-credentials/")
    page.get_by_test_id("create-access-key").click()
    first_id = page.get_by_test_id("new-access-key-id").text_content().strip()
    secret_key = page.get_by_test_id("new-secret-access-key").text_content().strip()
    assert AccessKey.objects.get(access_key_id=first_id).secret == secret_key
    page.get_by_role("link", name="Done").click()
    page.get_by_test_id("create-access-key").click()
    second_id = page.get_by_test_id("new-access-key-id").text_content().strip()
    page.get_by_role("link", name="Done").click()
    first_row = page.get_by_test_id("access-key-row").filter(has_text=first_id)
    first_row.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_test_id("flash")).to_contain_text("is inactive")
    first_row = page.get_by_test_id("access-key-row").filter(has_text=first_id)
    first_row.get_by_label(f"Type {first_id} to confirm deletion").fill(first_id)
    first_row.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"Access key {first_id} deleted.")
    assert list(AccessKey.objects.filter(user__name="carol").values_list("access_key_id", flat=True)) == [second_id]
    screenshot(page, "security-credentials")
