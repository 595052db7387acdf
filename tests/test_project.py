"""Project-wide checks: migrations match the models; the SQLite default runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_makemigrations_check_is_clean():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def _embedded_env(tmp_path) -> dict:
    """The environment of the embedded run: no DATABASE_URL, secrets generated into tmp_path."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "SECRET_KEY", "IAM_ENCRYPTION_KEYS", "CELERY_BROKER_URL"}}
    env["IAM_VAR_DIR"] = str(tmp_path)
    return env


def _migrate(env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                   capture_output=True, check=True, timeout=120)


def test_sqlite_default_migrates_and_creates_the_demo_account(tmp_path):
    """The embedded run: no DATABASE_URL, secrets generated into var/."""
    env = _embedded_env(tmp_path)

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=True)

    manage("migrate", "--noinput")
    assert (tmp_path / "db.sqlite3").exists()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    demo = manage("demoaccount").stdout
    assert "Root password:" in demo
    assert "Admin user:     admin / " in demo
    details = json.loads((tmp_path / "demo.json").read_text())
    again = manage("demoaccount").stdout
    assert details["root_password"] in again  # same details on the next run
    created = json.loads(manage("createaccount", "--email", "s@smoke.example", "--json").stdout)
    assert len(created["account_id"]) == 12


def test_sqlite_default_answers_signed_api_calls(tmp_path):
    """The API's hot reads (SQL written once, kept cursors) on the embedded default database."""
    env = _embedded_env(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "iamconsole.settings"
    _migrate(env)
    script = (
        "import django, json; django.setup()\n"
        "from identities import bootstrap, services\n"
        "from tests.api.helpers import KeyHolder, signed_parts, wsgi\n"
        "account = services.create_account(email='s@sqlite.example', name='S').account\n"
        "admin = bootstrap.create_admin_user(account, 'admin', access_key=True)\n"
        "holder = KeyHolder(None, admin.access_key_id, admin.secret_access_key)\n"
        "calls = [('iam', {'Action': 'GetUser', 'UserName': 'admin'}),\n"
        "         ('iam', {'Action': 'ListUsers', 'MaxItems': '1'}),\n"
        "         ('sts', {'Action': 'GetCallerIdentity'})] * 2\n"
        "answers = []\n"
        "for service, params in calls:\n"
        "    version = '2010-05-08' if service == 'iam' else '2011-06-15'\n"
        "    headers, body = signed_parts(holder, {**params, 'Version': version}, service)\n"
        "    status, _, content = wsgi('POST', '/', headers=headers, body=body)\n"
        "    answers.append([status, content.decode()])\n"
        "from core.caller import Caller\n"
        "from identities.operations import users\n"
        "system = Caller.system(account.id)\n"
        "for _ in range(3):  # one connection, no request between the reads\n"
        "    answers.append([200 if users.get_user(system, user_name='admin') else 0, ''])\n"
        "print(json.dumps(answers))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    assert [status for status, _ in answers] == [200] * 9, answers
    assert all("<UserName>admin</UserName>" in content for _, content in answers[0:2])
    assert "<IsTruncated>false</IsTruncated>" in answers[1][1]
    assert "<Arn>arn:aws:iam::" in answers[2][1]


def test_embedded_broker_runs_tasks_without_any_server(tmp_path):
    """make run's worker: SQLite file and the filesystem broker, no Redis."""
    env = _embedded_env(tmp_path)
    _migrate(env)
    script = (
        "import django, sqlite3; django.setup()\n"
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from identities.models import SignInThrottle\n"
        "SignInThrottle.objects.create(key='identity:old:x', failures=1,"
        " window_start=timezone.now() - timedelta(hours=3))\n"
        "from identities.tasks import purge_sign_in_throttles\n"
        "purge_sign_in_throttles.delay()\n"
    )
    env["DJANGO_SETTINGS_MODULE"] = "iamconsole.settings"
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "iamconsole", "worker", "--pool",
         "solo", "--loglevel", "INFO"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        import sqlite3
        import time

        deadline = time.monotonic() + 60
        remaining = 1
        while time.monotonic() < deadline and remaining:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                remaining = db.execute(
                    "SELECT COUNT(*) FROM identities_signinthrottle").fetchone()[0]
        assert remaining == 0, "the worker did not run the queued task"
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_readme_lists_every_implemented_api_operation():
    from awsquery import registry

    readme = (ROOT / "README.md").read_text()
    missing = [action for _, action, _ in registry.implemented_actions() if action not in readme]
    assert missing == []


def test_no_unused_imports_or_undefined_names():
    """ruff's pyflakes rules over the whole tree (the linter is a dev dependency)."""
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment")
    result = subprocess.run([str(ruff), "check", "--select", "F", "--quiet", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
