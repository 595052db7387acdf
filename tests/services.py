"""Real services for the tests that need them: Redis and a Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("IAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_skip() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # any failure to reach it means the same: no Redis
        require_service("Redis", f"{REDIS_URL}: {exc}")
    return REDIS_URL


def test_database_url() -> str:
    """The URL of the database this test run uses (the test database)."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        # The SQLite test database lives in this process's memory: another
        # process cannot open it, so these tests need PostgreSQL.
        require_service("PostgreSQL", "a worker process needs a shared test database")
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    user = settings.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


@contextmanager
def celery_worker(*, beat: bool = False, broker_url: str | None = None):
    """A real Celery worker process on the test database and a real broker."""
    env = dict(os.environ)
    env["DATABASE_URL"] = test_database_url()
    env["CELERY_BROKER_URL"] = broker_url or redis_or_skip()
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    args = [str(Path(sys.executable).parent / "celery"), "-A", "iamconsole", "worker",
            "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    if beat:
        args += ["--beat", "--schedule", str(ROOT / "var" / "test" / "beat-schedule")]
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        _wait_ready(process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_ready(process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                raise RuntimeError("Celery worker exited:\n" + "".join(seen))
            continue
        seen.append(line)
        if " ready." in line:
            return
    raise RuntimeError("Celery worker not ready in time:\n" + "".join(seen))


def wait_for(predicate, timeout: float = 30, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
