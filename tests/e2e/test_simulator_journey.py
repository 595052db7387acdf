"""An administrator asks the policy simulator why; a refused user follows "why was I
denied"; anyone finds a user by access key id from the top bar's search box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from identities.operations.credentials import create_access_key
from tests.e2e.conftest import field, screenshot
from tests.factories import USER_PASSWORD, attach_managed, caller_for, make_account, make_iam_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def csp_violations(page) -> list[str]:
    """Console errors about the Content Security Policy, collected as the page runs."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text)
            if "Content Security Policy" in message.text else None)
    return seen


def sign_in(page, account: str, user: str) -> None:
    page.goto(f"/signin/{account}/")
    field(page, "IAM user name").fill(user)
    field(page, "Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-menu")).to_be_visible()


def test_admin_simulates_a_self_service_user_creating_another_users_key(page):
    account = make_account(email="root@sim1.example", alias="sim-one")
    attach_managed(make_iam_user(account.account, "alice"), "AdministratorAccess")
    attach_managed(make_iam_user(account.account, "carol"), "IAMManageOwnCredentialsWithMFA")
    dave = make_iam_user(account.account, "dave")
    for name in ("erin", "frank", "grace"):
        make_iam_user(account.account, name)

    violations = csp_violations(page)
    sign_in(page, "sim-one", "alice")
    page.locator(".sidenav").get_by_role("link", name="Policy simulator").click()
    expect(page.get_by_role("heading", name="Policy simulator")).to_be_visible()
    page.get_by_label("Find a user, group or role").fill("car")
    page.locator("#principal-list").get_by_text("carol", exact=True).click()
    page.get_by_label("Filter actions").fill("accesskey")
    page.locator("#action-list").get_by_text("CreateAccessKey", exact=True).click()
    expect(page.get_by_text("(1 selected)")).to_be_visible()
    page.get_by_label("Resources, one ARN per line").fill(dave.arn)
    page.get_by_role("button", name="Run simulation").first.click()

    # Without MFA in the request the policy's MFA guard denies, and says which key it wanted.
    result = page.get_by_test_id("simulation-result")
    expect(result).to_have_attribute("data-decision", "explicitDeny")
    expect(page.get_by_test_id("missing-context")).to_contain_text("aws:MultiFactorAuthPresent")

    page.get_by_label("Value of aws:MultiFactorAuthPresent").fill("true")
    page.get_by_role("button", name="Run simulation").first.click()
    expect(result).to_have_attribute("data-decision", "implicitDeny")
    expect(result.get_by_text("Denied (implicit)")).to_be_visible()
    expect(page.get_by_test_id("near-miss")).to_contain_text(
        "AllowManageOwnAccessKeys in IAMManageOwnCredentialsWithMFA allows it on "
        "arn:aws:iam::*:user/${aws:username}")
    highlighted = page.locator('[data-state="near"]')
    expect(highlighted).to_contain_text('"Sid": "AllowManageOwnAccessKeys"')
    expect(highlighted).to_be_visible()
    screenshot(page, "simulator")
    assert violations == []


def test_a_refused_user_follows_why_was_i_denied_to_the_simulator(page):
    account = make_account(email="root@sim2.example", alias="sim-two")
    attach_managed(make_iam_user(account.account, "helpdesk"), "IAMReadOnlyAccess")

    sign_in(page, "sim-two", "helpdesk")
    page.goto("/iam/create-policy/")
    expect(page.get_by_test_id("access-denied")).to_contain_text("iam:CreatePolicy")
    page.get_by_test_id("why-denied").click()

    expect(page).to_have_url(re.compile(r"/iam/policy-simulator/\?principal="))
    result = page.get_by_test_id("simulation-result")
    expect(result).to_have_attribute("data-action", "iam:CreatePolicy")
    expect(result).to_have_attribute("data-resource", f"arn:aws:iam::{account.id}:policy/*")
    expect(result).to_have_attribute("data-decision", "implicitDeny")
    expect(page.locator("#principal-list").get_by_label("helpdesk")).to_be_checked()


def test_find_a_user_by_access_key_id_from_the_search_box(page):
    account = make_account(email="root@sim3.example", alias="sim-three")
    attach_managed(make_iam_user(account.account, "alice"), "AdministratorAccess")
    for name in ("deploy-bot", "dana", "devon"):
        make_iam_user(account.account, name)
    key = create_access_key(caller_for(account.root), user_name="deploy-bot").key

    violations = csp_violations(page)
    sign_in(page, "sim-three", "alice")
    search = page.get_by_role("combobox", name="Search IAM")
    search.click()
    search.press_sequentially(key.access_key_id[:12], delay=20)
    listbox = page.get_by_role("listbox", name="Search results")
    expect(listbox.get_by_role("option", name=re.compile("deploy-bot"))).to_be_visible()
    search.press("ArrowDown")
    expect(search).to_have_attribute("aria-activedescendant", "search-option-users-1")
    expect(listbox.get_by_text(f"Access key {key.access_key_id}")).to_be_visible()
    screenshot(page, "search")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/iam/users/deploy-bot/$"))

    # Escape closes the list without leaving the page.
    search = page.get_by_role("combobox", name="Search IAM")
    search.fill("users")
    expect(page.get_by_role("listbox", name="Search results")).to_be_visible()
    search.press("Escape")
    expect(page.get_by_role("listbox", name="Search results")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/iam/users/deploy-bot/$"))
    assert violations == []
