"""Server time of the Users list and a user's detail page with 10,000 users.

    python -m bench.users_list            # PostgreSQL scratch database iam_bench_users

Seeds an account with 10,000 users (groups, access keys, MFA devices), then
renders the pages in-process through Django's test client, signed in as an
administrator, and prints the median and p95 server time and the SQL query
count of each page. Exits 0; it is not a test.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

DB = os.environ.get("BENCH_DB", "iam_bench_users")
USERS = int(os.environ.get("BENCH_USERS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def _prepare_database() -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 30)
    os.environ.setdefault("IAM_ENCRYPTION_KEYS", "b1:" + "A" * 43 + "=")
    os.environ.setdefault("IAM_SECURE_COOKIES", "false")
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], check=True,
                   stdout=subprocess.DEVNULL)


def _seed():
    from django.contrib.auth.hashers import make_password

    from core import ids
    from identities import services
    from identities.models import AccessKey, Group, GroupMembership, LoginProfile, User

    created = services.create_account(email="bench@users.example", password="Quiet-Marble-Orbit-55",
                                      account_id="999900001111", alias="bench")
    account = created.account
    password = make_password("Quiet-Marble-Orbit-55")
    groups = Group.objects.bulk_create([
        Group(account=account, name=f"group-{i}", group_id=ids.unique_id(ids.GROUP_PREFIX))
        for i in range(20)])
    users = User.objects.bulk_create([
        User(account=account, kind="user", name=f"user-{i:05d}", path="/",
             user_id=ids.unique_id(ids.USER_PREFIX), password=password)
        for i in range(USERS)], batch_size=2000)
    LoginProfile.objects.bulk_create([LoginProfile(user=u) for u in users[::2]], batch_size=2000)
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=groups[i % 20], user=u) for i, u in enumerate(users)]
        + [GroupMembership(group=groups[(i + 7) % 20], user=u) for i, u in enumerate(users[::3])],
        batch_size=2000)
    keys = []
    for u in users[::2]:
        key = AccessKey(user=u, access_key_id=ids.access_key_id())
        key.encrypted_secret = "bench:unused"
        keys.append(key)
    AccessKey.objects.bulk_create(keys, batch_size=2000)
    return created


def _time(client, url: str) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], len(queries)


def main() -> None:
    _prepare_database()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    seeded_at = time.perf_counter()
    created = _seed()
    print(f"seeded {USERS} users in {time.perf_counter() - seeded_at:.1f} s")
    client = Client()
    client.post("/signin", {"kind": "root", "email": created.root.email,
                            "password": "Quiet-Marble-Orbit-55"})
    for label, url in [
        ("users list, first page", "/iam/users/"),
        ("users list, page 200", "/iam/users/?page=200"),
        ("users list, sorted by last activity", "/iam/users/?sort=-last_activity"),
        ("users list, filtered by name", "/iam/users/?q=user-0999"),
        ("user detail", "/iam/users/user-04242/?tab=security_credentials"),
    ]:
        median, p95, queries = _time(client, url)
        print(f"{label:40s} median={median:7.1f} ms  p95={p95:7.1f} ms  queries={queries}")
    from django.db import connections

    connections.close_all()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False)


if __name__ == "__main__":
    main()
