"""A user switches into a role in another account, works as it, and switches back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.caller import Caller
from identities.models import Role, User
from identities.operations.roles import create_role
from policies.models import ManagedPolicy, PolicyAttachment
from tests.e2e.conftest import field, screenshot
from tests.factories import USER_PASSWORD, make_account, make_iam_user
from tests.sts.conftest import allow, doc, give, trust

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_switch_role_to_another_account_and_back(page):
    home = make_account(email="root@home.example", alias="home-co", account_id="210000000001")
    prod = make_account(email="root@prod.example", alias="prod-co", account_id="210000000002")
    dev = make_iam_user(home.account, "dev")
    give(dev, doc(allow("sts:AssumeRole", "arn:aws:iam::210000000002:role/Auditor")))
    create_role(Caller.for_user(prod.root), role_name="Auditor",
                assume_role_policy_document=doc(trust("arn:aws:iam::210000000001:root")))
    PolicyAttachment.objects.create(role=Role.objects.get(name="Auditor"),
                                    policy=ManagedPolicy.objects.get(account__isnull=True,
                                                                     name="IAMReadOnlyAccess"))
    make_iam_user(prod.account, "prod-operator")

    page.goto("/signin/home-co/")
    field(page, "IAM user name").fill("dev")
    field(page, "Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_test_id("account-menu").click()
    page.get_by_role("link", name="Switch role").click()
    page.get_by_label("Account ID or alias").fill("prod-co")
    page.get_by_label("IAM role name").fill("Auditor")
    page.get_by_label("Display name - optional").fill("Prod auditor")
    page.get_by_text("Orange").click()
    page.get_by_role("button", name="Switch role").click()

    expect(page.get_by_test_id("role-label")).to_have_text("Prod auditor")
    expect(page.get_by_test_id("role-label")).to_have_class("role-label role-orange")

    # Allowed: reading the other account's users.
    page.locator(".sidenav").get_by_role("link", name="Users").click()
    expect(page.get_by_role("link", name="prod-operator")).to_be_visible()
    screenshot(page, "switch-role")

    # Refused: creating one.
    page.get_by_role("link", name="Create user").click()
    page.locator("#id_user_name").fill("intruder")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_test_id("access-denied")).to_contain_text(
        "assumed-role/Auditor/dev is not authorized to perform: iam:CreateUser")
    assert not User.objects.filter(name="intruder").exists()

    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Switch back").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Back to dev")
    expect(page.get_by_test_id("role-label")).to_have_count(0)
    # The account menu remembers the role for next time.
    page.get_by_test_id("account-menu").click()
    expect(page.get_by_role("button", name="Prod auditor")).to_be_visible()
