"""Event history with 1,000,000 events: page times, query counts and query plans.

    python -m bench.events            # PostgreSQL scratch database iam_bench_events

Creates the scratch database, migrates it, inserts the events with one
``INSERT ... SELECT generate_series`` (four accounts, 200 principals each,
thirty actions, 2 % failures, spread over 90 days), then renders the Event
history in-process through Django's test client, signed in as the account's
root, and prints for the first page, filtered pages and a page deep in the
history: the median and p95 server time, the SQL query count, and the node
of EXPLAIN's plan that reads the events. Drops the database and exits 0;
it is not a test.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

DB = os.environ.get("BENCH_DB", "iam_bench_events")
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
ACCOUNT = "999900002222"
PASSWORD = "Quiet-Marble-Orbit-55"
OTHER_ACCOUNTS = ("999900003333", "999900004444", "999900005555")
ACTIONS = [
    "iam:GetUser", "iam:ListUsers", "iam:CreateUser", "iam:DeleteUser", "iam:GetRole",
    "iam:ListRoles", "iam:CreateRole", "iam:AttachUserPolicy", "iam:DetachUserPolicy",
    "iam:CreateAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:GetPolicy",
    "iam:ListPolicies", "iam:CreatePolicy", "iam:TagUser", "iam:ListGroups", "iam:GetGroup",
    "iam:AddUserToGroup", "iam:ListAttachedUserPolicies", "sts:AssumeRole",
    "sts:GetCallerIdentity", "sts:GetSessionToken", "iam:ChangePassword",
    "iam:GetAccountSummary", "iam:ListMFADevices", "iam:EnableMFADevice",
    "iam:PutUserPolicy", "iam:GetUserPolicy", "signin:ConsoleLogin",
]


def insert_events(cursor, count: int, accounts: tuple[str, ...], *,
                  span_seconds: int = 90 * 86400, principals: int = 200) -> None:
    """Insert ``count`` events spread over ``accounts`` with one statement (PostgreSQL).

    Row i belongs to accounts[i % n] and is ``span_seconds * i / count`` seconds
    old, so every account's events cover the whole span. Within an account
    (k = i / n) principals, actions and resources vary independently enough
    that every filter finds rows; one event in fifty is an AccessDenied.
    """
    cursor.execute(
        """
        INSERT INTO audit_event (event_id, time, account_id, principal_arn, principal_type,
                                 access_key_id, action, resources, source_ip, user_agent, via,
                                 outcome, error_message, parameters, request_id)
        SELECT gen_random_uuid(),
               now() - make_interval(secs => %(span)s::float8 * i / %(count)s),
               acct,
               'arn:aws:iam::' || acct || ':user/user-' || k %% %(principals)s,
               'IAMUser', '', (%(actions)s::text[])[1 + (k / 3) %% %(n_actions)s],
               jsonb_build_array('arn:aws:iam::' || acct || ':user/target-' || (k * 13) %% 5000),
               '198.51.100.' || k %% 250, 'bench/1.0', 'api',
               CASE WHEN k %% 50 = 7 THEN 'AccessDenied' ELSE 'Success' END,
               CASE WHEN k %% 50 = 7 THEN 'not authorized' ELSE '' END,
               '{}'::jsonb, ''
        FROM generate_series(1, %(count)s::int) AS i,
             LATERAL (SELECT (%(accounts)s::text[])[1 + i %% %(n)s] AS acct,
                             i / %(n)s AS k) a
        """,
        {"span": span_seconds, "count": count, "accounts": list(accounts), "n": len(accounts),
         "principals": principals, "actions": ACTIONS, "n_actions": len(ACTIONS)},
    )
    cursor.execute("ANALYZE audit_event")


def reading_node(plan: str) -> str:
    """The plan line that reads audit_event (Index Scan using ..., Bitmap ..., Seq Scan)."""
    for line in plan.splitlines():
        text = line.strip().lstrip("->").strip()
        if "audit_event" in text or text.startswith(("Bitmap Index Scan", "Index")):
            return text.split("  (")[0].split(" (cost")[0].split(" (actual")[0]
    return plan.splitlines()[0]


def _prepare_database() -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 30)
    os.environ.setdefault("IAM_ENCRYPTION_KEYS", "b1:" + "A" * 43 + "=")
    os.environ.setdefault("IAM_SECURE_COOKIES", "false")
    os.environ.setdefault("IAM_HTTPS", "false")  # plain HTTP in-process: no redirect
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], check=True,
                   stdout=subprocess.DEVNULL)


def _measure(client, url: str, params: dict) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], len(queries)


def _plan(params: dict) -> tuple[str, float]:
    """EXPLAIN ANALYZE of the page's event query: the plan and its execution time (ms)."""
    from audit import history

    cursor = {k: params.pop(k) for k in ("older", "newer") if k in params}
    rows = history.events_of(ACCOUNT, history.parse_filter(ACCOUNT, **params))
    if cursor.get("older"):
        rows = history._older(rows, *history.decode_cursor(cursor["older"]))
    plan = rows.order_by("-time", "-id")[: history.PAGE_SIZE + 1].explain(analyze=True)
    executed = next((line.split(":")[1].strip().split()[0] for line in plan.splitlines()
                     if line.startswith("Execution Time")), "nan")
    return plan, float(executed)


def _deep_cursor() -> str:
    """A cursor about 80 % of the way back through the account's history."""
    from audit import history
    from audit.models import Event

    target = (Event.objects.filter(account_id=ACCOUNT).order_by("time", "id")
              .values_list("time", flat=True)[EVENTS // len((ACCOUNT, *OTHER_ACCOUNTS)) // 5])
    event = (Event.objects.filter(account_id=ACCOUNT, time__lte=target)
             .order_by("-time", "-id").first())
    return history.encode_cursor(event)


def main() -> None:
    _prepare_database()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    from identities import services

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    created = services.create_account(email="bench@events.example", password=PASSWORD,
                                      account_id=ACCOUNT, alias="bench-events")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        insert_events(cursor, EVENTS, (ACCOUNT, *OTHER_ACCOUNTS))
    print(f"inserted {EVENTS:,} events in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.post("/signin", {"kind": "root", "email": created.root.email, "password": PASSWORD})
    principal = f"arn:aws:iam::{ACCOUNT}:user/user-7"
    cases = [
        ("first page", {}),
        ("filtered: principal", {"principal": principal}),
        ("filtered: action", {"action": "iam:DeleteUser"}),
        ("filtered: failures", {"outcome": "failure"}),
        ("filtered: resource", {"resource": f"arn:aws:iam::{ACCOUNT}:user/target-42"}),
        ("filtered: principal, last 7 days", {"principal": principal, **_last_week()}),
        ("deep cursor page (80 % back)", {"older": _deep_cursor()}),
    ]
    for label, params in cases:
        median, p95, queries = _measure(client, "/iam/event-history/", dict(params))
        plan, executed = _plan(dict(params))
        print(f"{label:34s} page median={median:6.1f} ms p95={p95:6.1f} ms  queries={queries}  "
              f"event query={executed:6.2f} ms  plan: {reading_node(plan)}")
    connections.close_all()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False)


def _last_week() -> dict:
    from datetime import timedelta

    from django.utils import timezone

    return {"start": (timezone.now() - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")}


if __name__ == "__main__":
    main()
