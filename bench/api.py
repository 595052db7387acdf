"""API benchmark: requests per second and latency of signed IAM/STS calls over HTTP.

    python -m bench.api [GetCallerIdentity GetUser ListUsers(100) AssumeRole]

Creates and migrates a scratch PostgreSQL database (``iam_bench_api``), seeds an
account with an administrator (AdministratorAccess and an access key), 1,000
users and a role the administrator may assume, starts gunicorn as production
runs it (``gunicorn.conf.py``: threaded workers that keep connections alive) on
a free loopback port, and drives it from a load generator in another process
(``bench.http_load``: one process, several keep-alive connections, requests
signed with botocore's SigV4Auth before the timed phase so that the generator's
CPU goes to sending them; the server verifies every signature in full).

Each call runs in ROUNDS rounds of a few seconds; it prints the median round's
requests per second (and every round's, since a shared two-core machine
swings; a fixed loop timed before and after shows how fast the machine was), p50 and p99 latency over all rounds, the SQL queries one request makes
and the CPU one request costs, both measured in-process through the same WSGI
application gunicorn serves (CaptureQueriesContext, process time). A baseline
line (GET /healthz: the console's middleware and one query) is for scale. Every
phase is bounded in requests and in seconds; the scratch database is dropped
at the end. Exit status 0, or 1 when a request failed.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import statistics
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

from bench import http_load

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "iam_bench_api"
SERVER_DB_URL = os.environ.get("IAM_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE_URL = f"{SERVER_DB_URL}/{DATABASE}" + os.environ.get("IAM_BENCH_DB_QUERY", "")
USERS = 1000
CONNECTIONS = int(os.environ.get("IAM_BENCH_CONNECTIONS", "8"))
WARMUP = 300
MAX_REQUESTS = 20000
SIGNED_VARIANTS = 50
ROUNDS = 5
SECONDS_PER_ROUND = 4.0
IN_PROCESS_REQUESTS = 200
ROLE_ARN = "arn:aws:iam::123456789012:role/bench-role"
CALLS = [
    ("GetCallerIdentity", "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}),
    ("GetUser", "iam", {"Action": "GetUser", "Version": "2010-05-08", "UserName": "user0500"}),
    ("ListUsers(100)", "iam", {"Action": "ListUsers", "Version": "2010-05-08", "MaxItems": "100"}),
    ("AssumeRole", "sts", {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE_ARN,
                           "RoleSessionName": "bench"}),
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
    from core.caller import Caller
    from identities.operations import roles

    roles.create_role(Caller.system(created.account.pk), role_name="bench-role",
                      assume_role_policy_document=json.dumps({
                          "Version": "2012-10-17",
                          "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                         "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would soon: plans fit the real sizes
        cursor.execute("ANALYZE")
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

    Through ``iamconsole.wsgi.application`` in this process (the path gunicorn
    serves, without HTTP): no other process's CPU counts, so the figure stays
    meaningful on a busy machine where requests per second swing.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from iamconsole.wsgi import application

    def post(service: str, params: dict) -> tuple[str, bytes]:
        body, headers = _signed("127.0.0.1:8000", key_id, secret, service, params)
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
                   "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)),
                   "CONTENT_TYPE": headers["Content-Type"]}
        environ.update({"HTTP_" + name.upper().replace("-", "_"): value
                        for name, value in headers.items() if name.lower() != "content-type"})
        status: list[str] = []
        response = application(environ, lambda line, headers, exc=None: status.append(line))
        content = b"".join(response)
        response.close()
        return status[0], content

    from audit.recording import start_event_writer

    start_event_writer()  # as in gunicorn's workers: read events go to the batch writer
    figures = {}
    for label, service, params in calls:
        post(service, params)  # the second request is the steady state (caches warm)
        with CaptureQueriesContext(connection) as captured:
            status, content = post(service, params)
        if not status.startswith("200"):
            raise SystemExit(f"{label} failed in-process: {content[:300]!r}")
        queries = len(captured.captured_queries)  # now: the next request clears the log
        started = time.process_time()
        for _ in range(IN_PROCESS_REQUESTS):
            post(service, params)
        cpu = (time.process_time() - started) / IN_PROCESS_REQUESTS * 1000
        figures[label] = (queries, cpu)
    from audit import event_writer

    event_writer.stop()
    return figures


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict, port: int, log, *args: str) -> subprocess.Popen:
    """gunicorn as production runs it (gunicorn.conf.py), with ``args`` on top,
    once it answers /healthz."""
    # The server's output goes to a file: a pipe nobody reads would stall it.
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "iamconsole.wsgi",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *args],
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


def _measure(port: int, key_id: str, secret: str, service: str | None,
             params: dict) -> list:
    """Drive one call in ROUNDS rounds from a load generator in another process."""
    host = f"127.0.0.1:{port}"
    if service is None:  # the baseline: the console's middleware and one query
        requests = [http_load.request_bytes("GET", host, "/healthz", {})]
    else:
        requests = []
        for _ in range(SIGNED_VARIANTS):  # distinct signatures: no cache can answer by body
            body, headers = _signed(host, key_id, secret, service, params)
            requests.append(http_load.request_bytes("POST", host, "/", headers, body))
    rounds = []
    with multiprocessing.get_context("fork").Pool(1) as pool:
        for _ in range(ROUNDS):
            rounds.append(pool.apply(http_load.drive, ("127.0.0.1", port, requests), {
                "connections": CONNECTIONS, "warmup": WARMUP, "limit": MAX_REQUESTS,
                "seconds": SECONDS_PER_ROUND}))
    for result in rounds:
        if result.errors:
            print(f"  first error: {result.first_error[:400]!r}")
            break
    return rounds


def _reference_ms() -> float:
    """A fixed pure-Python loop, in ms (best of 3): how fast this machine is right now.

    The cores are shared with other machines; when this figure is well above
    its usual value, every figure of the run is depressed by as much.
    """
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(range(3_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _line(rounds: list) -> str:
    latencies = http_load.Result(latencies=[v for r in rounds for v in r.latencies])
    median = statistics.median(r.rps for r in rounds)
    each = " / ".join(f"{r.rps:.0f}" for r in rounds)
    return (f"{median:6.0f} req/s (rounds {each})   p50 {latencies.percentile(0.5):5.2f} ms   "
            f"p99 {latencies.percentile(0.99):6.2f} ms   "
            f"{sum(r.errors for r in rounds)} errors, "
            f"{sum(r.reconnects for r in rounds)} reconnects")


def _server_shape() -> str:
    from iamconsole import gunicorn_conf

    return gunicorn_conf.describe()


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
    extra = os.environ.get("IAM_BENCH_GUNICORN_ARGS", "").split()
    server = start_server(env, port, log, *extra)
    try:
        shape = " ".join([_server_shape(), *extra])
        print(f"gunicorn ({shape}) on 127.0.0.1:{port}; load generator: one process, "
              f"{CONNECTIONS} keep-alive connections; {USERS} users; {os.cpu_count()} CPUs")
        print(f"machine reference before: {_reference_ms():.1f} ms (a fixed loop; lower is faster)")
        baseline = _measure(port, key_id, secret, None, {})
        print(f"{'baseline /healthz':<18} {_line(baseline)}   1 SQL query")
        failed = any(r.errors for r in baseline)
        for label, service, params in calls:
            rounds = _measure(port, key_id, secret, service, params)
            failed = failed or any(r.errors for r in rounds)
            queries, cpu = in_process[label]
            print(f"{label:<18} {_line(rounds)}   {queries} SQL queries (+ batched event), "
                  f"{cpu:.2f} ms CPU in-process")
        print(f"machine reference after: {_reference_ms():.1f} ms")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        _drop_database()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
