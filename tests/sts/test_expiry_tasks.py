"""Expiry bookkeeping: one conditional UPDATE, idempotent, safe with two workers,
run by a real Celery worker (and its beat) through a real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.caller import Caller
from sts import services
from sts.models import RoleSession
from sts.operations import assume_role
from sts.tasks import delete_old_sessions, expire_role_sessions
from tests import services as test_services
from tests.services import redis_or_skip, wait_for
from tests.sts.conftest import ALICE, trust

ACCOUNT_ROOT = f"arn:aws:iam::{ALICE}:root"
ROOT = Path(__file__).resolve().parents[2]


def _sessions(make_role, user, clock, *, expired: int, live: int, when=None):
    """``expired`` sessions that ended an hour ago and ``live`` ones still running."""
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    now = when or timezone.now()
    caller = Caller.for_user(user)
    clock.set(now - timedelta(hours=2))
    old = [assume_role(caller, role_arn=role.arn, role_session_name=f"old-{i}",
                       duration_seconds=900).session for i in range(expired)]
    clock.set(now)
    new = [assume_role(caller, role_arn=role.arn, role_session_name=f"new-{i}").session
           for i in range(live)]
    clock.now = None
    return old, new


@pytest.mark.django_db
def test_marking_is_one_query_and_idempotent(make_role, alice_user, clock):
    old, new = _sessions(make_role, alice_user, clock, expired=3, live=2)

    with CaptureQueriesContext(connection) as queries:
        assert expire_role_sessions() == 3
    assert len(queries) == 1
    assert expire_role_sessions() == 0
    marked = set(RoleSession.objects.filter(expired_marked_at__isnull=False)
                 .values_list("pk", flat=True))
    assert marked == {s.pk for s in old}


@pytest.mark.django_db
def test_marking_exactly_at_the_expiry_instant_counts_it_expired(make_role, alice_user, clock):
    clock.set("2030-01-01T12:00:00")
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    session = assume_role(Caller.for_user(alice_user), role_arn=role.arn,
                          role_session_name="edge", duration_seconds=900).session

    assert services.mark_expired_sessions(session.expires_at - timedelta(seconds=1)) == 0
    assert services.mark_expired_sessions(session.expires_at) == 1


@pytest.mark.django_db
def test_old_sessions_are_deleted_after_the_retention_period(make_role, alice_user, clock,
                                                             settings):
    settings.IAM_SESSION_RETENTION_DAYS = 7
    now = timezone.now()
    old, new = _sessions(make_role, alice_user, clock, expired=1, live=1)
    RoleSession.objects.filter(pk=old[0].pk).update(expires_at=now - timedelta(days=8))

    assert delete_old_sessions() == 1
    assert list(RoleSession.objects.values_list("pk", flat=True)) == [new[0].pk]


def _postgres_or_skip():
    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("PostgreSQL", "the row locking under test is PostgreSQL's")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_expiry_runs_do_no_double_work(make_role, alice_user, clock):
    _postgres_or_skip()
    old, _ = _sessions(make_role, alice_user, clock, expired=20, live=5)
    first_marked = threading.Event()
    counts: dict[str, int] = {}
    waited: dict[str, float] = {}

    def holder():
        try:
            with transaction.atomic():
                counts["first"] = services.mark_expired_sessions()
                first_marked.set()
                time.sleep(0.5)  # hold the row locks while the second run starts
        finally:
            connection.close()

    def contender():
        try:
            first_marked.wait(10)
            started = time.monotonic()
            counts["second"] = services.mark_expired_sessions()
            waited["second"] = time.monotonic() - started
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=contender)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert counts == {"first": 20, "second": 0}
    assert waited["second"] >= 0.3  # it really ran against the uncommitted first run
    marks = set(RoleSession.objects.filter(pk__in=[s.pk for s in old])
                .values_list("expired_marked_at", flat=True))
    assert len(marks) == 1  # every row marked once, by the first run


@contextmanager
def _beat_worker(broker: str, schedule_file: Path):
    """A real worker with an embedded beat running the one-second schedule."""
    env = dict(os.environ, DATABASE_URL=test_services.test_database_url(), CELERY_BROKER_URL=broker,
               CELERY_TASK_ALWAYS_EAGER="false")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "tests.sts.beat_app", "worker",
         "--beat", "--schedule", str(schedule_file), "--pool", "solo", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        test_services._wait_ready(process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_beat_scheduled_worker_marks_expired_sessions_through_redis(make_role, alice_user,
                                                                   clock, tmp_path):
    broker = redis_or_skip()
    old, new = _sessions(make_role, alice_user, clock, expired=2, live=1)

    with _beat_worker(broker, tmp_path / "beat-schedule"):
        assert wait_for(lambda: not RoleSession.objects.filter(
            pk__in=[s.pk for s in old], expired_marked_at__isnull=True).exists(), timeout=45)

    assert RoleSession.objects.get(pk=new[0].pk).expired_marked_at is None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_tasks_sent_by_name(make_role, alice_user, clock):
    from tests.services import celery_worker

    broker = redis_or_skip()
    old, new = _sessions(make_role, alice_user, clock, expired=2, live=1)
    RoleSession.objects.filter(pk=old[0].pk).update(expires_at=timezone.now() - timedelta(days=30))
    client = Celery(broker=broker)

    with celery_worker(broker_url=broker):
        client.send_task("sts.expire_role_sessions")
        assert wait_for(lambda: RoleSession.objects.get(pk=old[1].pk).expired_marked_at)
        client.send_task("sts.delete_old_sessions")
        assert wait_for(lambda: not RoleSession.objects.filter(pk=old[0].pk).exists())

    assert RoleSession.objects.filter(pk=new[0].pk, expired_marked_at__isnull=True).exists()
