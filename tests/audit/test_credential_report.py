"""GenerateCredentialReport / GetCredentialReport: AWS's states, errors, columns and values."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest

from audit import credential_report, services
from audit.errors import ReportExpired, ReportInProgress, ReportNotPresent
from audit.models import CredentialReport, Event
from audit.operations import reports
from core.errors import AccessDenied
from identities import services as identity_services
from identities.models import AccessKey, Account, LoginProfile, PasswordPolicy, User
from tests.factories import caller_for, make_iam_user

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=dt_timezone.utc)
AWS_HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,"
              "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
              "access_key_1_last_rotated,access_key_1_last_used_date,"
              "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,"
              "access_key_2_last_rotated,access_key_2_last_used_date,"
              "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
              "cert_1_last_rotated,cert_2_active,cert_2_last_rotated")


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from iamconsole.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _key(user: User, key_id: str, *, created: datetime, status: str = "Active",
         used: datetime | None = None, service: str = "", region: str = "") -> AccessKey:
    key = AccessKey(user=user, access_key_id=key_id, status=status, created_at=created,
                    last_used_at=used, last_used_service=service, last_used_region=region)
    key.set_secret("unused-in-this-test")
    key.save()
    return key


@pytest.fixture
def seeded(alice_account):
    """A root with MFA and a key, and users covering each column's cases."""
    account = alice_account.account
    Account.objects.filter(pk=account.pk).update(created_at=T0)
    root = alice_account.root
    User.objects.filter(pk=root.pk).update(last_login=T0 + timedelta(days=2))
    identity_services.add_virtual_mfa_device(root, name="root-mfa")
    _key(root, "AKIAROOT0000000000001", created=T0 + timedelta(days=1))
    PasswordPolicy.objects.create(account=account, max_password_age=90)

    # amy: console password used once, MFA, two keys (one used, one inactive).
    amy = make_iam_user(account, "amy")
    User.objects.filter(pk=amy.pk).update(
        created_at=T0, password_changed_at=T0 + timedelta(hours=1),
        last_login=T0 + timedelta(days=3, seconds=5))
    identity_services.add_virtual_mfa_device(amy, name="amy-mfa")
    _key(amy, "AKIAAMY00000000000001", created=T0 + timedelta(days=4),
         used=T0 + timedelta(days=5), service="iam", region="us-east-1")
    _key(amy, "AKIAAMY00000000000002", created=T0 + timedelta(days=6), status="Inactive")
    # bert: a password never used, no MFA, no keys.
    bert = make_iam_user(account, "bert")
    User.objects.filter(pk=bert.pk).update(created_at=T0 + timedelta(days=7),
                                           password_changed_at=T0 + timedelta(days=7))
    # cleo: no console password at all, one key never used.
    cleo = make_iam_user(account, "cleo", password=None)
    User.objects.filter(pk=cleo.pk).update(created_at=T0 + timedelta(days=8))
    _key(cleo, "AKIACLEO0000000000001", created=T0 + timedelta(days=8))
    return alice_account


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_report_has_awss_columns_in_order_and_the_root_row_first(seeded):
    text = credential_report.render(seeded.id)
    assert text.splitlines()[0] == AWS_HEADER
    assert text.endswith("\n") and "\r" not in text
    assert [row["user"] for row in _rows(text)] == ["<root_account>", "amy", "bert", "cleo"]


def test_report_values_follow_awss_conventions(seeded):
    acct = seeded.id
    root, amy, bert, cleo = (list(r.values()) for r in _rows(credential_report.render(acct)))
    assert root == [
        "<root_account>", f"arn:aws:iam::{acct}:root", "2024-03-01T12:00:00+00:00",
        "not_supported", "2024-03-03T12:00:00+00:00", "not_supported", "not_supported", "true",
        "true", "2024-03-02T12:00:00+00:00", "N/A", "N/A", "N/A",
        "false", "N/A", "N/A", "N/A", "N/A",
        "false", "N/A", "false", "N/A"]
    assert amy == [
        "amy", f"arn:aws:iam::{acct}:user/amy", "2024-03-01T12:00:00+00:00",
        "true", "2024-03-04T12:00:05+00:00", "2024-03-01T13:00:00+00:00",
        "2024-05-30T13:00:00+00:00", "true",
        "true", "2024-03-05T12:00:00+00:00", "2024-03-06T12:00:00+00:00", "us-east-1", "iam",
        "false", "2024-03-07T12:00:00+00:00", "N/A", "N/A", "N/A",
        "false", "N/A", "false", "N/A"]
    assert bert[3:8] == ["true", "no_information", "2024-03-08T12:00:00+00:00",
                         "2024-06-06T12:00:00+00:00", "false"]
    assert bert[8:18] == ["false", "N/A", "N/A", "N/A", "N/A"] * 2
    assert cleo[3:8] == ["false", "N/A", "N/A", "N/A", "false"]
    assert cleo[8:13] == ["true", "2024-03-09T12:00:00+00:00", "N/A", "N/A", "N/A"]


def test_without_a_rotation_policy_next_rotation_is_not_applicable(seeded):
    PasswordPolicy.objects.filter(account_id=seeded.id).update(max_password_age=None)
    amy = _rows(credential_report.render(seeded.id))[1]
    assert amy["password_next_rotation"] == "N/A"


def test_report_reads_in_a_constant_number_of_queries(seeded, django_assert_num_queries):
    with django_assert_num_queries(4):
        credential_report.render(seeded.id)
    for i in range(5):
        _key(make_iam_user(seeded.account, f"extra{i}"), f"AKIAEXTRA000000000{i:03d}", created=T0)
    with django_assert_num_queries(4):
        credential_report.render(seeded.id)


def test_generate_then_get_goes_started_complete_with_the_task_eager(
        seeded, eager, django_capture_on_commit_callbacks, alice):
    admin = caller_for(alice)
    with pytest.raises(ReportNotPresent) as missing:
        reports.get_credential_report(admin)
    assert (missing.value.code, missing.value.status) == ("ReportNotPresent", 410)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        started = reports.generate_credential_report(admin)
    assert (started.state, started.description) == (
        "STARTED", "No report exists. Starting a new report generation task")
    assert len(callbacks) == 1
    assert reports.generate_credential_report(admin).state == "COMPLETE"
    got = reports.get_credential_report(admin)
    assert got.report_format == "text/csv"
    assert got.content.decode().splitlines()[0] == AWS_HEADER
    assert b"alice" in got.content and got.generated_time is not None
    actions = list(Event.objects.filter(principal_arn=alice.arn)
                   .values_list("action", "outcome").order_by("pk"))
    assert actions[-4:] == [("iam:GetCredentialReport", "ReportNotPresent"),
                            ("iam:GenerateCredentialReport", "Success"),
                            ("iam:GenerateCredentialReport", "Success"),
                            ("iam:GetCredentialReport", "Success")]


def test_in_progress_until_the_worker_builds_it(seeded, alice, django_capture_on_commit_callbacks):
    admin = caller_for(alice)
    # No callbacks run: the task is queued but no worker has claimed it yet.
    assert reports.generate_credential_report(admin).state == "STARTED"
    assert reports.generate_credential_report(admin).state == "INPROGRESS"
    with pytest.raises(ReportInProgress) as waiting:
        reports.get_credential_report(admin)
    assert waiting.value.status == 404
    assert services.build_credential_report(seeded.id) is True
    assert services.build_credential_report(seeded.id) is False  # a second delivery: no-op
    assert reports.get_credential_report(admin).content


def test_a_report_expires_after_four_hours(seeded, alice, monkeypatch):
    admin = caller_for(alice)
    reports.generate_credential_report(admin)
    services.build_credential_report(seeded.id)
    generated = CredentialReport.objects.get(account_id=seeded.id).generated_at
    monkeypatch.setattr(services, "now", lambda: generated + timedelta(hours=4))
    assert reports.get_credential_report(admin).content  # exactly four hours: still valid
    monkeypatch.setattr(services, "now", lambda: generated + timedelta(hours=4, seconds=1))
    with pytest.raises(ReportExpired) as expired:
        reports.get_credential_report(admin)
    assert (expired.value.code, expired.value.status) == ("ReportExpired", 410)
    assert reports.generate_credential_report(admin).state == "STARTED"


def test_a_report_whose_worker_died_is_started_again(seeded, alice, monkeypatch):
    admin = caller_for(alice)
    reports.generate_credential_report(admin)
    requested = CredentialReport.objects.get(account_id=seeded.id).requested_at
    monkeypatch.setattr(services, "now", lambda: requested + timedelta(minutes=11))
    assert reports.generate_credential_report(admin).state == "STARTED"


def test_bob_is_refused_and_charlie_sees_only_his_own_report(seeded, bob, charlie, alice):
    with pytest.raises(AccessDenied):
        reports.generate_credential_report(caller_for(bob))
    with pytest.raises(AccessDenied):
        reports.get_credential_report(caller_for(bob))
    assert not CredentialReport.objects.exists()
    reports.generate_credential_report(caller_for(alice))
    services.build_credential_report(seeded.id)
    with pytest.raises(ReportNotPresent):
        reports.get_credential_report(caller_for(charlie))


def test_console_page_generates_shows_state_and_downloads(seeded, alice_client, eager,
                                                          django_capture_on_commit_callbacks):
    page = alice_client.get("/iam/credential-report/")
    assert page.status_code == 200 and "Not generated" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post("/iam/credential-report/generate/")
    assert response.status_code == 302
    html = alice_client.get("/iam/credential-report/").content.decode()
    assert "Complete" in html and "Download credential report" in html and "amy" in html
    download = alice_client.get("/iam/credential-report/download/")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert download.content.decode().splitlines()[0] == AWS_HEADER
    assert "attachment;" in download["Content-Disposition"]


def test_console_page_while_in_progress_refreshes_itself(seeded, alice_client):
    alice_client.post("/iam/credential-report/generate/")  # no worker: stays STARTED
    page = alice_client.get("/iam/credential-report/")
    assert "In progress" in page.content.decode() and page["Refresh"] == "3"
    download = alice_client.get("/iam/credential-report/download/", follow=True)
    assert "still being generated" in download.content.decode()


def test_console_pages_deny_bob_and_reject_get_on_generate(bob_client, alice_client):
    assert bob_client.get("/iam/credential-report/").status_code == 403
    assert bob_client.post("/iam/credential-report/generate/").status_code == 403
    assert bob_client.get("/iam/credential-report/download/").status_code == 403
    assert not CredentialReport.objects.exists()
    assert alice_client.get("/iam/credential-report/generate/").status_code == 405


def test_login_profile_creation_time_is_the_fallback_for_password_last_changed(seeded):
    bert = User.objects.get(name="bert")
    User.objects.filter(pk=bert.pk).update(password_changed_at=None)
    LoginProfile.objects.filter(user=bert).update(created_at=T0)
    row = _rows(credential_report.render(seeded.id))[2]
    assert row["password_last_changed"] == "2024-03-01T12:00:00+00:00"
