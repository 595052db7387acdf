"""Retention: events older than IAM_EVENT_RETENTION_DAYS go, in bounded batches, every account."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest

from audit import services, tasks
from audit.models import Event

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 6, 1, tzinfo=dt_timezone.utc)


def _events(account_id: str, ages_in_days: list[float]) -> None:
    Event.objects.bulk_create([
        Event(account_id=account_id, action="iam:GetUser", via="api", outcome="Success",
              time=NOW - timedelta(days=age)) for age in ages_in_days])


def test_old_events_of_every_account_are_deleted_and_recent_ones_kept(settings):
    settings.IAM_EVENT_RETENTION_DAYS = 30
    _events("111122223333", [1, 29.9, 30.1, 45, 400])
    _events("444455556666", [31, 2])
    _events("", [90])  # a failed sign-in with no account
    assert services.accounts_with_events() == ["", "111122223333", "444455556666"]
    assert services.delete_old_events(at=NOW) == 5
    kept = sorted((NOW - t).days for t in Event.objects.values_list("time", flat=True))
    assert kept == [1, 2, 29]


def test_default_retention_is_90_days(settings):
    if hasattr(settings, "IAM_EVENT_RETENTION_DAYS"):
        del settings.IAM_EVENT_RETENTION_DAYS  # unset: getattr's default applies
    _events("111122223333", [89, 91])
    assert services.delete_old_events(at=NOW) == 1


def test_batches_are_bounded_and_a_run_stops_after_max_batches(settings):
    settings.IAM_EVENT_RETENTION_DAYS = 1
    _events("111122223333", [10] * 25)
    assert services.delete_old_events(at=NOW, batch=4, max_batches=3) == 12
    assert Event.objects.count() == 13
    assert services.delete_old_events(at=NOW, batch=4) == 13  # the next run finishes


def test_the_task_is_thin_and_idempotent(settings, monkeypatch):
    settings.IAM_EVENT_RETENTION_DAYS = 7
    monkeypatch.setattr(services, "now", lambda: NOW)
    _events("111122223333", [8, 9, 1])
    assert tasks.delete_old_events.apply().get() == 2
    assert tasks.delete_old_events.apply().get() == 0
    assert Event.objects.count() == 1
