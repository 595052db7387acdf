"""Browser journeys: sign up, sign in, dashboard, sign out; a forced password change."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import field, screenshot
from tests.factories import USER_PASSWORD, make_account, make_iam_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_sign_in_as_root_see_dashboard_sign_out(page):
    page.goto("/signup/")
    field(page, "Root user email address").fill("founder@journey.example")
    field(page, "AWS account name").fill("Journey")
    field(page, "Root user password").fill("Velvet-Canyon-Drift-5")
    field(page, "Confirm root user password").fill("Velvet-Canyon-Drift-5")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_test_id("flash")).to_contain_text("is ready")
    expect(field(page, "Root user email address")).to_have_value("founder@journey.example")
    field(page, "Password").fill("Velvet-Canyon-Drift-5")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="IAM dashboard")).to_be_visible()
    expect(page.get_by_test_id("count-users")).to_have_text("0")
    expect(page.get_by_text("Add MFA for root user")).to_be_visible()
    expect(page.locator(".sidenav").get_by_text("Users", exact=True)).to_be_visible()
    screenshot(page, "dashboard")

    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("flash")).to_contain_text("You have signed out.")
    page.goto("/iam/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_iam_user_first_sign_in_changes_the_forced_password(page):
    account = make_account(email="root@first.example", alias="first-co")
    make_iam_user(account.account, "newbie", reset_required=True)

    page.goto("/signin/first-co/")
    expect(field(page, "Account ID (12 digits) or account alias")).to_have_value("first-co")
    expect(field(page, "Root user email address")).to_be_hidden()
    field(page, "IAM user name").fill("newbie")
    field(page, "Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    page.goto("/iam/")
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    field(page, "Old password").fill(USER_PASSWORD)
    field(page, "New password").fill("Meadow-Falcon-Quill-3")
    field(page, "Retype new password").fill("Meadow-Falcon-Quill-3")
    page.get_by_role("button", name="Confirm password change").click()

    # The user has no policy yet: the console opens on AWS's access-denied sentence.
    expect(page.get_by_test_id("dashboard-denied")).to_contain_text(
        "is not authorized to perform: iam:GetAccountSummary")
    screenshot(page, "access-denied")


def test_wrong_password_shows_the_generic_error(page):
    make_account(email="root@wrong.example")
    page.goto("/signin")
    field(page, "Root user email address").fill("root@wrong.example")
    field(page, "Password").fill("Not-The-Password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signin-error")).to_have_text(
        "Your authentication information is incorrect. Please try again.")
    screenshot(page, "signin")
