"""GenerateCredentialReport / GetCredentialReport through boto3."""

from __future__ import annotations

import csv
import io

import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import client


def test_report_is_generated_then_downloaded_with_aws_columns(live_server, alice, monkeypatch):
    from iamconsole.celery import app

    # The report task runs in-process here; a real worker runs it in tests/audit.
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    iam = client("iam", live_server.url, alice)
    with pytest.raises(ClientError) as missing:
        iam.get_credential_report()
    assert missing.value.response["Error"]["Code"] == "ReportNotPresent"
    assert iam.generate_credential_report()["State"] in ("STARTED", "INPROGRESS", "COMPLETE")
    report = iam.get_credential_report()
    rows = list(csv.reader(io.StringIO(report["Content"].decode())))
    assert rows[0][:4] == ["user", "arn", "user_creation_time", "password_enabled"]
    assert rows[1][0] == "<root_account>"
    assert "alice" in [row[0] for row in rows]


def test_bob_cannot_generate_or_read_the_report(live_server, bob):
    iam = client("iam", live_server.url, bob)
    for call in (iam.generate_credential_report, iam.get_credential_report):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
