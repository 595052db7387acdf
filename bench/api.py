"""API benchmark: requests per second and latency of signed IAM/STS calls over HTTP.

    python -m bench.api

Creates and migrates a scratch PostgreSQL database (``iam_bench_api``), seeds an
account with an administrator (AdministratorAccess and an access key) and 1,000
users, starts gunicorn (4 sync workers) on a free loopback port, and drives it
from a load generator in other processes: a few workers, each with one
persistent ``http.client.HTTPConnection`` (it reconnects when a sync worker
closes the connection). Requests are signed with botocore's SigV4Auth before each
timed phase, so that the generator's CPU goes to sending rather than signing on
this two-core box; the server verifies every signature in full.

For each call it prints requests per second, p50 and p99 latency, the number of
SQL queries one request makes (counted in-process with CaptureQueriesContext) and
the CPU one request costs in-process (steady on a busy machine, where the
requests-per-second figures swing with whatever else runs). A baseline line
(GET /healthz: Django and one query) shows the ceiling of this setup. Every phase
is bounded in requests and in seconds; the scratch database is dropped at the end.
Exit status 0.
"""

from __future__ import annotations

import base64
import http.client
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "iam_bench_api"
SERVER_DB_URL = os.environ.get("IAM_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE_URL = f"{SERVER_DB_URL}/{DATABASE}" + os.environ.get("IAM_BENCH_DB_QUERY", "")
USERS = 1000
LOAD_WORKERS = 3
WARMUP_PER_WORKER = 100
REQUESTS_PER_WORKER = 2000
SECONDS_PER_CALL = 8.0
IN_PROCESS_REQUESTS = 200
CALLS = [
    ("GetCallerIdentity", "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}),
    ("GetUser", "iam", {"Action": "GetUser", "Version": "2010-05-08", "UserName": "user0500"}),
    ("ListUsers(100)", "iam", {"Action": "ListUsers", "Version": "2010-05-08", "MaxItems": "100"}),
]


def _environment() -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "iamconsole.settings",
        "SECRET_KEY": env.get("SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
        "IAM_ENCRYPTION_KEYS": env.get("IAM_ENCRYPTION_KEYS")
        or "b1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "IAM_HTTPS": "false",  # plain HTTP on loopback: no redirect to https
        "IAM_VAR_DIR": str(ROOT / "var" / "bench-api"),
        "LOG_LEVEL": "ERROR",
    })
    return env


def _recreate_database(env: dict) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_DB_URL}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT,
                   env=env, check=True)


def _drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_DB_URL}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _seed() -> tuple[str, str]:
    """The account, its administrator's key, and 1,000 users; returns (key id, secret)."""
    from core import ids
    from identities import bootstrap, services
    from identities.models import User

    created = services.create_account(email="bench@example.com", alias="bench",
                                      account_id="123456789012", name="Bench")
    admin = bootstrap.create_admin_user(created.account, "admin", access_key=True)
    users = []
    for index in range(USERS):
        user = User(account=created.account, kind=User.Kind.IAM, name=f"user{index:04d}",
                    user_id=ids.unique_id(ids.USER_PREFIX))
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    return admin.access_key_id, admin.secret_access_key


def _signed(host: str, key_id: str, secret: str, service: str, params: dict) -> tuple[bytes, dict]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": host}
    request = AWSRequest(method="POST", url=f"http://{host}/", data=urlencode(params).encode(),
                         headers=headers)
    SigV4Auth(Credentials(key_id, secret), service, "us-east-1").add_auth(request)
    return request.body, dict(request.headers)


def _in_process(key_id: str, secret: str, calls: list) -> dict[str, tuple[int, float]]:
    """Per call: SQL queries of one steady-state request, and CPU ms per request.

    Measured through django.test.Client in this process: no HTTP, no other
    processes' CPU, so it stays meaningful on a busy machine where the
    requests-per-second figures swing.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def post(service: str, params: dict):
        body, headers = _signed("testserver", key_id, secret, service, params)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                 if k.lower() != "content-type"}
        return client.post("/", data=body, content_type=headers["Content-Type"], **extra)

    figures = {}
    for label, service, params in calls:
        post(service, params)  # the second request is the steady state (caches warm)
        with CaptureQueriesContext(connection) as captured:
            response = post(service, params)
        if response.status_code != 200:
            raise SystemExit(f"{label} failed in-process: {response.content[:300]!r}")
        queries = len(captured.captured_queries)  # now: the next request clears the log
        started = time.process_time()
        for _ in range(IN_PROCESS_REQUESTS):
            post(service, params)
        cpu = (time.process_time() - started) / IN_PROCESS_REQUESTS * 1000
        figures[label] = (queries, cpu)
    return figures


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(env: dict, port: int, log) -> subprocess.Popen:
    # The server's output goes to a file: a pipe nobody reads would stall it.
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "iamconsole.wsgi", "--workers", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    log.seek(0)
    raise SystemExit("gunicorn did not start: " + log.read().decode()[-2000:])


def _drive(args) -> tuple[list[float], float, float, int]:
    """One load worker: warm up, then send its pre-signed requests until done or out of time."""
    port, requests, warmup, seconds = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    errors = 0

    def send(method: str, path: str, body: bytes | None, headers: dict) -> float:
        nonlocal errors
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            errors += 1
        return time.perf_counter() - started

    for request in requests[:warmup]:
        send(*request)
    latencies = []
    start = time.perf_counter()
    for request in requests[warmup:]:
        latencies.append(send(*request))
        if time.perf_counter() - start > seconds:
            break
    end = time.perf_counter()
    connection.close()
    return latencies, start, end, errors


def _measure(port: int, key_id: str, secret: str, service: str | None, params: dict) -> dict:
    host = f"127.0.0.1:{port}"
    count = WARMUP_PER_WORKER + REQUESTS_PER_WORKER
    if service is None:  # the baseline: Django and one query, no signature
        per_worker = [[("GET", "/healthz", None, {})] * count for _ in range(LOAD_WORKERS)]
    else:
        per_worker = [[("POST", "/", *_signed(host, key_id, secret, service, params))
                       for _ in range(count)] for _ in range(LOAD_WORKERS)]
    with multiprocessing.get_context("fork").Pool(LOAD_WORKERS) as pool:
        results = pool.map(_drive, [(port, requests, WARMUP_PER_WORKER, SECONDS_PER_CALL)
                                    for requests in per_worker])
    latencies = sorted(value for result in results for value in result[0])
    elapsed = max(r[2] for r in results) - min(r[1] for r in results)
    count = len(latencies)
    return {
        "count": count,
        "rps": count / elapsed if elapsed else 0.0,
        "p50": latencies[count // 2] * 1000,
        "p99": latencies[min(count - 1, int(count * 0.99))] * 1000,
        "errors": sum(r[3] for r in results),
    }


def main(argv: list[str]) -> int:
    """``python -m bench.api [label ...]``: all calls, or only those named (e.g. GetUser)."""
    calls = [call for call in CALLS if not argv or call[0] in argv]
    env = _environment()
    os.environ.update(env)
    _recreate_database(env)
    import django

    django.setup()
    key_id, secret = _seed()
    in_process = _in_process(key_id, secret, calls)
    from django.db import connections

    connections.close_all()

    port = _free_port()
    log = tempfile.TemporaryFile()
    server = _start_server(env, port, log)
    try:
        print(f"gunicorn: 4 sync workers on 127.0.0.1:{port}; {LOAD_WORKERS} load workers; "
              f"{USERS} users; {os.cpu_count()} CPUs")
        baseline = _measure(port, key_id, secret, None, {})
        print(f"{'baseline /healthz':<18} {baseline['rps']:8.0f} req/s   "
              f"p50 {baseline['p50']:6.2f} ms   p99 {baseline['p99']:6.2f} ms   "
              "1 SQL query/request (no signature, no operation)")
        for label, service, params in calls:
            figures = _measure(port, key_id, secret, service, params)
            queries, cpu = in_process[label]
            print(f"{label:<18} {figures['rps']:8.0f} req/s   p50 {figures['p50']:6.2f} ms   "
                  f"p99 {figures['p99']:6.2f} ms   {queries} SQL queries/request   "
                  f"{cpu:.2f} ms CPU/request in-process   "
                  f"({figures['count']} requests, {figures['errors']} errors)")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        _drop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
