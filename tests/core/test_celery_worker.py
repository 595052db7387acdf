"""A real Celery worker, through a real Redis, runs the cleanup tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import Celery
from django.utils import timezone

from identities.models import SignInThrottle
from tests.services import celery_worker, redis_or_skip, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_purges_old_sign_in_counters_through_redis():
    broker = redis_or_skip()
    old = timezone.now() - timedelta(hours=2)
    SignInThrottle.objects.create(key="identity:old:x", window_start=old, failures=3)
    SignInThrottle.objects.create(key="identity:new:y", window_start=timezone.now(), failures=1)

    # A client of its own, so that this process sends through Redis whatever
    # broker its settings name.
    client = Celery(broker=broker)
    with celery_worker(broker_url=broker):
        client.send_task("identities.purge_sign_in_throttles")
        assert wait_for(lambda: not SignInThrottle.objects.filter(key="identity:old:x").exists())
    assert SignInThrottle.objects.filter(key="identity:new:y").exists()
