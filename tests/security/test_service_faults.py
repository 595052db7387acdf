"""Service faults with the application run as production runs it (gunicorn, PostgreSQL,
a Redis broker and a real Celery worker): Redis going away must not touch a request,
and a PostgreSQL restart fails the requests in flight cleanly, then heals.

Both use servers of their own - a redis-server on a free port, a throwaway
PostgreSQL cluster made with initdb - so that nobody else's are disturbed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from celery import Celery
from django.utils import timezone

from identities.models import SignInThrottle
from tests.factories import USER_PASSWORD, grant, make_iam_user
from tests.security import processes
from tests.security.support import client, new_key
from tests.services import celery_worker, wait_for
from tests.services import test_database_url as database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ACCOUNT = "111122223333"


@pytest.fixture
def admin(alice_account):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = make_iam_user(alice_account.account, "admin")
    # The test run hashes with MD5 for speed; the server runs production's hashers.
    hasher = Argon2PasswordHasher()
    user.password = hasher.encode(USER_PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    grant(user)
    return user, new_key(user)


def _no_secret_in(log: str, *secrets: str) -> None:
    """What a production server logs while things fail holds no secret it was given."""
    from tests.security import figures

    found = [secret[:4] + "..." for secret in secrets if secret and secret in log]
    figures.count("secrets_found", len(found))
    assert found == []


def _expired_session(user):
    """Role credentials that expired an hour ago, never marked by the (absent) expiry task."""
    from unittest import mock

    from core.caller import Caller
    from identities.operations import roles
    from sts import services
    from sts.operations import assume_role
    from tests.security.support import doc

    roles.create_role(Caller.for_user(user), role_name="Old", assume_role_policy_document=doc({
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": user.arn}}))
    with mock.patch.object(services, "_now", lambda: timezone.now() - timedelta(hours=2)):
        issued = assume_role(Caller.for_user(user), role_arn=f"arn:aws:iam::{ACCOUNT}:role/Old",
                             role_session_name="stale", duration_seconds=900).credentials
    return issued.access_key_id, issued.secret_access_key, issued.session_token


def test_requests_need_no_redis_and_the_worker_resumes_when_it_returns(admin):
    user, key = admin
    stale = _expired_session(user)
    with processes.redis_server() as redis, celery_worker(broker_url=redis.url), \
            processes.app_server(processes.server_env(
                database_url(), CELERY_BROKER_URL=redis.url)) as base:
        redis.stop()
        started = time.monotonic()
        iam = client("iam", base, *key)
        assert {u["UserName"] for u in iam.list_users()["Users"]} == {"admin"}
        assert client("sts", base, *key).get_caller_identity()["Arn"].endswith(":user/admin")
        # The only request that enqueues work: answered, the build waits for the broker.
        assert iam.generate_credential_report()["State"] == "STARTED"

        browser = processes.Browser(base)
        status, headers, _ = browser.sign_in(ACCOUNT, "admin", USER_PASSWORD)
        assert status == 302 and "/signin" not in headers.get("Location", ""), status
        status, _, page = browser.request("/iam/users/")
        assert status == 200 and b"admin" in page

        with pytest.raises(ClientError) as expired:
            client("sts", base, *stale).get_caller_identity()
        assert expired.value.response["Error"]["Code"] == "ExpiredToken"
        assert time.monotonic() - started < 20, "a request waited for the missing broker"

        _no_secret_in(base.log_text(), key[1], USER_PASSWORD, stale[1], stale[2])
        redis.start()
        old = timezone.now() - timedelta(hours=2)
        SignInThrottle.objects.create(key="identity:old:x", window_start=old, failures=3)
        Celery(broker=redis.url).send_task("identities.purge_sign_in_throttles")
        assert wait_for(lambda: not SignInThrottle.objects.filter(key="identity:old:x").exists(),
                        timeout=40)


@pytest.fixture
def cluster():
    binaries = processes.postgres_binaries()
    if binaries is None:
        from tests.conftest import require_service

        require_service("initdb", "no /usr/lib/postgresql/*/bin/initdb")
    made = processes.Cluster(binaries)
    try:
        made.create()
    except (subprocess.SubprocessError, OSError) as exc:
        made.destroy()
        from tests.conftest import require_service

        require_service("a throwaway PostgreSQL cluster", repr(exc))
    yield made
    made.destroy()


def _bootstrap(env: dict) -> dict:
    run = dict(cwd=processes.ROOT, env=env, check=True, timeout=120, capture_output=True,
               text=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], **run)
    out = subprocess.run([sys.executable, "manage.py", "createaccount", "--email",
                          "ops@example.com", "--account-id", ACCOUNT, "--admin-user", "admin",
                          "--access-key", "--json"], **run).stdout
    return json.loads(out)["admin_user"]


def _call(base: str, key: tuple) -> str:
    """One signed API call: "ok", an AWS error code, or how it failed otherwise."""
    iam = client("iam", base, *key)
    try:
        iam.list_users(MaxItems=5)
        return "ok"
    except ClientError as error:
        code = error.response["Error"]["Code"]
        body_ok = error.response["ResponseMetadata"]["HTTPStatusCode"] >= 500
        return code if body_ok else f"client error {code}"
    except Exception as exc:  # a dropped connection, a timeout: reported as such
        return type(exc).__name__
    finally:
        iam.close()


def test_a_postgres_restart_fails_requests_in_flight_cleanly_and_then_heals(cluster):
    env = processes.server_env(cluster.url, DATABASE_CONN_MAX_AGE="60",
                               CELERY_BROKER_URL="memory://")
    created = _bootstrap(env)
    key = (created["access_key_id"], created["secret_access_key"])
    with processes.app_server(env, workers=2) as base:
        assert _call(base, key) == "ok"
        browser = processes.Browser(base)
        assert browser.sign_in(ACCOUNT, "admin", created["password"])[0] == 302
        outcomes: list[str] = []
        pages: list[tuple[int, bytes]] = []
        stop = threading.Event()

        def traffic():
            while not stop.is_set():
                outcomes.append(_call(base, key))
                status, _, body = browser.request("/iam/users/", timeout=10)
                pages.append((status, body))

        with ThreadPoolExecutor(3) as pool:
            for _ in range(3):
                pool.submit(traffic)
            time.sleep(0.5)
            started = time.monotonic()
            cluster.restart()
            restart_took = time.monotonic() - started
            time.sleep(1.0)
            stop.set()
        after = [_call(base, key) for _ in range(12)]
        console_after = [browser.request("/iam/users/")[0] for _ in range(6)]
        _no_secret_in(base.log_text(), key[1], created["password"])

    failures = [o for o in outcomes if o != "ok"]
    # In flight: an AWS XML ServiceFailure (never a hang, a dropped connection or HTML).
    assert set(failures) <= {"ServiceFailure"}, failures
    # The console: its own plain error page (or, when the session read failed, the
    # sign-in page again), never a traceback.
    assert all(status in (200, 302, 500) for status, _ in pages), [s for s, _ in pages]
    assert not any(b"Traceback" in body or b"psycopg" in body for _, body in pages)
    # Each worker's first request may find its connection gone; then everything works.
    assert after[2:] == ["ok"] * 10, after
    assert console_after[2:] == [200] * 4, console_after
    assert restart_took < 30
