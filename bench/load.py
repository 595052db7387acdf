"""Load: console sign-in (right and wrong passwords) and SigV4 API calls together,
against the production setup (gunicorn, PostgreSQL), on loopback only.

    python -m bench.load [seconds]

Creates and migrates a scratch PostgreSQL database (``iam_bench_load``), seeds an
account with an administrator (access key), 20 users who sign in with their right
password and 5 users an "attacker" tries wrong passwords on, starts gunicorn
(4 sync workers) on a free loopback port, and runs load processes side by side for
a bounded time (90 s by default) and a bounded number of requests:

- API: signed GetCallerIdentity, ListUsers, GetUser, and GetUser of a user that
  does not exist (a failed operation, which must still be recorded);
- sign-in with the right password, each client from an address of its own
  (``X-Forwarded-For`` from the loopback proxy, which the server is told to trust);
- sign-in with wrong passwords from a few "attacker" addresses, which the
  throttle (10 failures per identity, 50 per address per 15 minutes) stops.

It prints the requests made, latencies, the throttled attempts (read from the
event history, since a throttled attempt looks like a wrong password from
outside), the errors other than throttling (must be 0), and whether every call
left exactly one event: event rows == API calls + sign-in attempts. The scratch
database is dropped at the end. Exit status 0 when both checks hold, 1 otherwise.
"""

from __future__ import annotations

import base64
import http.client
import multiprocessing
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.api import _free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "iam_bench_load"
SERVER_DB_URL = os.environ.get("IAM_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE_URL = f"{SERVER_DB_URL}/{DATABASE}"
ACCOUNT = "123456789012"
PASSWORD = "Harbor-Quill-Meadow-58"
GOOD_USERS, ATTACKED_USERS = 20, 5
SECONDS = 90.0
MAX_REQUESTS_PER_WORKER = 4000
WORKERS = [("api", 0), ("api", 1), ("signin", 0), ("signin", 1), ("attack", 0)]


def _environment() -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": "iamconsole.settings",
        "SECRET_KEY": env.get("SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
        "IAM_ENCRYPTION_KEYS": env.get("IAM_ENCRYPTION_KEYS")
        or "b1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "IAM_HTTPS": "false",
        "IAM_SECURE_COOKIES": "false", "IAM_TRUSTED_PROXIES": "127.0.0.1",
        "IAM_VAR_DIR": str(ROOT / "var" / "bench-load"), "LOG_LEVEL": "ERROR",
        "CELERY_BROKER_URL": "memory://",
    })
    return env


def _database(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_DB_URL}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def _seed() -> tuple[str, str]:
    from identities import bootstrap, services

    created = services.create_account(email="load@example.com", account_id=ACCOUNT,
                                      alias="load", name="Load")
    admin = bootstrap.create_admin_user(created.account, "admin", access_key=True)
    for index in range(GOOD_USERS + ATTACKED_USERS):
        user = services.new_iam_user(created.account, f"user{index:02d}")
        services.set_console_password(user, PASSWORD)
    return admin.access_key_id, admin.secret_access_key


def _signed(port: int, key: tuple[str, str], service: str, params: dict):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    host = f"127.0.0.1:{port}"
    request = AWSRequest(method="POST", url=f"http://{host}/", data=urlencode(params).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; "
                                                  "charset=utf-8", "Host": host})
    SigV4Auth(Credentials(*key), service, "us-east-1").add_auth(request)
    return request.body, dict(request.headers)


API_CALLS = [
    ("sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}, 200),
    ("iam", {"Action": "ListUsers", "Version": "2010-05-08", "MaxItems": "20"}, 200),
    ("iam", {"Action": "GetUser", "Version": "2010-05-08", "UserName": "user03"}, 200),
    ("iam", {"Action": "GetUser", "Version": "2010-05-08", "UserName": "nobody"}, 404),
]


def _drive(args) -> dict:
    """One load process: its kind of traffic until its time or its count runs out."""
    kind, index, port, key, seconds = args
    counts = {"requests": 0, "api_calls": 0, "signin_posts": 0, "signin_ok": 0,
              "signin_refused": 0, "errors": 0, "latencies": [], "error_samples": []}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    deadline = time.monotonic() + seconds
    step = 0
    while time.monotonic() < deadline and counts["requests"] < MAX_REQUESTS_PER_WORKER:
        step += 1
        started = time.perf_counter()
        try:
            if kind == "api":
                service, params, expected = API_CALLS[step % len(API_CALLS)]
                body, headers = _signed(port, key, service, params)
                status, _, _ = _send(connection, "POST", "/", body, headers)
                counts["api_calls"] += 1
                ok = status == expected
            else:
                ok = _sign_in(connection, kind, index, step, counts)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ok = False
            counts["error_samples"].append(repr(exc)[:200])
        counts["latencies"].append(time.perf_counter() - started)
        counts["requests"] += 1
        if not ok:
            counts["errors"] += 1
    connection.close()
    return counts


def _send(connection, method: str, path: str, body: bytes | None, headers: dict):
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
    return response.status, response, content


def _sign_in(connection, kind: str, index: int, step: int, counts: dict) -> bool:
    """GET the form for its CSRF token, then POST the password; True when as expected."""
    if kind == "signin":
        user, password = f"user{(index * 7 + step) % GOOD_USERS:02d}", PASSWORD
        address = f"10.1.{index}.{step % 250 + 1}"  # a client of its own, never attacking
    else:
        user, password = f"user{GOOD_USERS + step % ATTACKED_USERS:02d}", "Wrong-Guess-" + str(step)
        address = f"10.66.0.{step % 4 + 1}"
    forwarded = {"X-Forwarded-For": address}
    status, response, page = _send(connection, "GET", f"/signin/{ACCOUNT}/", None, forwarded)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    if status != 200 or not token:
        return False
    form = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "kind": "iam",
                      "account": ACCOUNT, "user_name": user, "password": password}).encode()
    status, response, _ = _send(connection, "POST", "/signin", form, {
        **forwarded, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    counts["signin_posts"] += 1
    succeeded = status == 302 and "/signin" not in (response.getheader("Location") or "")
    counts["signin_ok" if succeeded else "signin_refused"] += 1
    # Right passwords must get in; wrong ones must not (refused or throttled alike).
    return succeeded if kind == "signin" else status == 200


def main(argv: list[str]) -> int:
    seconds = float(argv[0]) if argv else SECONDS
    env = _environment()
    os.environ.update(env)
    _database(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _database(f"CREATE DATABASE {DATABASE}")
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT,
                       env=env, check=True, timeout=300)
        import django

        django.setup()
        key = _seed()
        from django.db import connections

        from audit.models import Event

        events_before = Event.objects.count()
        connections.close_all()
        port = _free_port()
        log = tempfile.TemporaryFile()
        server = start_server(env, port, log, "--workers", "4", "--timeout", "30")
        try:
            with multiprocessing.get_context("fork").Pool(len(WORKERS)) as pool:
                results = pool.map(_drive, [(kind, index, port, key, seconds)
                                            for kind, index in WORKERS])
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        return _report(results, events_before, seconds)
    finally:
        from django.db import connections

        connections.close_all()
        _database(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _report(results: list[dict], events_before: int, seconds: float) -> int:
    from audit.models import Event

    total = {name: sum(r[name] for r in results) for name in
             ("requests", "api_calls", "signin_posts", "signin_ok", "signin_refused", "errors")}
    latencies = sorted(v for r in results for v in r["latencies"])
    new_events = Event.objects.filter(pk__gt=0).count() - events_before
    signin_events = Event.objects.filter(action="signin:ConsoleLogin")
    throttled = signin_events.filter(outcome="Throttled").count()
    expected_events = total["api_calls"] + total["signin_posts"]
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0
    print(f"gunicorn: 4 sync workers on loopback; {len(WORKERS)} load processes for "
          f"{seconds:.0f} s; {os.cpu_count()} CPUs; PostgreSQL")
    http_requests = total["api_calls"] + 2 * total["signin_posts"]  # a form GET per sign-in
    print(f"operations: {total['requests']} ({total['requests'] / seconds:.0f}/s; "
          f"{http_requests} HTTP requests), p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"  API calls: {total['api_calls']} (a quarter of them GetUser of a missing user)")
    print(f"  sign-in attempts: {total['signin_posts']} ({total['signin_ok']} signed in; "
          f"{total['signin_refused']} wrong passwords refused, {throttled} of them by the "
          "throttle)")
    print(f"errors other than throttling: {total['errors']}")
    for sample in {s for r in results for s in r["error_samples"]}:
        print(f"  e.g. {sample}")
    print(f"events: {new_events} recorded for {expected_events} calls "
          f"({expected_events - new_events} lost)")
    return 0 if total["errors"] == 0 and new_events == expected_events else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
