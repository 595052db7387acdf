"""The AWS CLI, run as a user would run it, against the live server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.helpers import cli_env

pytestmark = pytest.mark.django_db(transaction=True)

AWS = str(Path(sys.executable).with_name("aws"))


def aws(live_server, tmp_path, holder, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([AWS, "--endpoint-url", live_server.url, "--output", "json", *args],
                          env=cli_env(tmp_path, holder), capture_output=True, text=True,
                          timeout=60)


def test_cli_creates_a_user(live_server, tmp_path, alice):
    from identities.models import User

    done = aws(live_server, tmp_path, alice, "iam", "create-user", "--user-name", "carol",
               "--tags", "Key=team,Value=cli")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["User"]["Arn"] == "arn:aws:iam::111122223333:user/carol"
    assert User.objects.get(name="carol").tags == [{"Key": "team", "Value": "cli"}]


def test_cli_lists_users_two_at_a_time(live_server, tmp_path, alice, account):
    from tests.factories import make_iam_user

    for name in ("carol", "dave", "erin"):
        make_iam_user(account.account, name, password=None)

    first = aws(live_server, tmp_path, alice, "iam", "list-users", "--max-items", "2")
    assert first.returncode == 0, first.stderr
    page = json.loads(first.stdout)
    assert [u["UserName"] for u in page["Users"]] == ["alice", "carol"]

    rest = aws(live_server, tmp_path, alice, "iam", "list-users", "--max-items", "2",
               "--starting-token", page["NextToken"])
    assert [u["UserName"] for u in json.loads(rest.stdout)["Users"]] == ["dave", "erin"]


def test_cli_get_caller_identity(live_server, tmp_path, alice):
    done = aws(live_server, tmp_path, alice, "sts", "get-caller-identity")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Arn"] == "arn:aws:iam::111122223333:user/alice"


def test_cli_shows_the_error_code_and_message(live_server, tmp_path, alice):
    done = aws(live_server, tmp_path, alice, "iam", "get-user", "--user-name", "nobody")

    assert done.returncode != 0
    assert "NoSuchEntity" in done.stderr
    assert "The user with name nobody cannot be found." in done.stderr


def test_cli_decodes_policy_documents(live_server, tmp_path, alice):
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}
    created = aws(live_server, tmp_path, alice, "iam", "create-policy", "--policy-name", "Read",
                  "--policy-document", json.dumps(document))
    arn = json.loads(created.stdout)["Policy"]["Arn"]

    done = aws(live_server, tmp_path, alice, "iam", "get-policy-version", "--policy-arn", arn,
               "--version-id", "v1")

    assert json.loads(done.stdout)["PolicyVersion"]["Document"] == document


def test_cli_profile_with_role_arn_assumes_the_role_by_itself(live_server, tmp_path, alice,
                                                              account):
    """A profile with role_arn + source_profile: the CLI calls AssumeRole itself."""
    from core.caller import Caller
    from identities.operations.roles import create_role

    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
        "Action": "sts:AssumeRole"}]})
    create_role(Caller.for_user(account.root), role_name="Auditor",
                assume_role_policy_document=trust)
    config = tmp_path / "config"
    config.write_text("[profile base]\nregion = us-east-1\n\n[profile auditor]\n"
                      "role_arn = arn:aws:iam::111122223333:role/Auditor\n"
                      "source_profile = base\nrole_session_name = cli-session\n"
                      "region = us-east-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[base]\naws_access_key_id = {alice.access_key_id}\n"
                           f"aws_secret_access_key = {alice.secret}\n")
    env = cli_env(tmp_path, alice)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(key)
    # The endpoint for every service, the credential provider's STS client included.
    # HOME too: the CLI caches assumed-role credentials under ~/.aws/cli/cache.
    env.update({"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
                "AWS_PROFILE": "auditor", "AWS_ENDPOINT_URL": live_server.url,
                "HOME": str(tmp_path)})
    done = subprocess.run([AWS, "--output", "json", "sts", "get-caller-identity"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    identity = json.loads(done.stdout)
    assert identity["Arn"] == "arn:aws:sts::111122223333:assumed-role/Auditor/cli-session"
