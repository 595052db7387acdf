"""In the browser: an administrator reads the event history and downloads a credential report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from identities.operations import users
from tests.browser import field, screenshot
from tests.factories import USER_PASSWORD, attach_managed, caller_for, make_account, make_iam_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_celery(settings):
    from iamconsole.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_admin_filters_events_opens_one_and_downloads_the_credential_report(page, eager_celery):
    account = make_account(email="root@audit-e2e.example", alias="audit-e2e")
    alice = make_iam_user(account.account, "alice")
    attach_managed(alice, "AdministratorAccess")
    admin = caller_for(alice)
    for name in ("dave", "erin"):
        users.create_user(admin, user_name=name)

    page.goto("/signin/audit-e2e/")
    field(page, "IAM user name").fill("alice")
    field(page, "Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.locator(".sidenav").get_by_role("link", name="Event history").click()
    expect(page.get_by_role("heading", name="Event history")).to_be_visible()
    page.get_by_label("Event name").fill("iam:CreateUser")
    page.get_by_role("button", name="Apply filters").click()
    links = page.get_by_test_id("event-link")
    expect(links).to_have_count(2)
    expect(page.get_by_test_id("events-table")).to_contain_text("user/erin")
    screenshot(page, "event-history")

    links.first.click()
    expect(page.get_by_role("heading", name="CreateUser")).to_be_visible()
    expect(page.get_by_test_id("event-record")).to_contain_text('"userName": "erin"')
    screenshot(page, "event-detail")

    page.locator(".sidenav").get_by_role("link", name="Credential report").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Not generated")
    page.get_by_test_id("generate-report").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Generating the credential report")
    expect(page.get_by_test_id("report-state")).to_have_text("Complete")
    expect(page.get_by_test_id("report-preview")).to_contain_text("<root_account>")
    screenshot(page, "credential-report")
    with page.expect_download() as download:
        page.get_by_test_id("download-report").click()
    assert download.value.suggested_filename.startswith(f"credential_report_{account.id}_")
