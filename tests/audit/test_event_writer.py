"""A server process writes its successful read events in batches: nothing is lost
on a graceful stop, readers in the process see them, and every other event is
still written with its request."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from audit import event_writer, history
from audit.models import Event
from audit.recording import record, start_event_writer, write_events
from core.errors import AccessDenied
from identities.models import User
from identities.operations import users
from tests.factories import caller_for, make_iam_user

pytestmark = pytest.mark.django_db(transaction=True)  # the writer has its own connection


@pytest.fixture
def writer():
    """This process's writer, gathering for a minute: only flush and stop write."""
    start_event_writer(interval=60)
    yield
    event_writer.stop()


@pytest.fixture
def dave(alice_account) -> User:
    return make_iam_user(alice_account.account, "dave")


def _events(action: str) -> list[Event]:
    return list(Event.objects.filter(action=action).order_by("pk"))


def test_a_read_returns_before_its_event_is_written_and_a_flush_writes_it(writer, admin, dave):
    admin.source_ip, admin.user_agent = "203.0.113.9", "agent/ü"

    found = users.get_user(admin, user_name="dave")

    assert found.name == "dave"
    assert _events("iam:GetUser") == []
    event_writer.flush()
    [event] = _events("iam:GetUser")
    assert (event.outcome, event.principal_arn) == ("Success", admin.principal_arn)
    assert event.resources == [dave.arn]
    assert event.parameters == {"user_name": "dave"}
    assert (event.source_ip, event.user_agent, event.via) == ("203.0.113.9", "agent/ü", "console")
    assert event.request_id == admin.request_id and event.time.tzinfo is not None


def test_a_batch_reads_back_as_the_orm_would_write_it(writer, admin):
    record(admin, "iam:GetUser", resources=["arn:aws:iam::111122223333:user/x"],
           parameters={"user_name": "x", "password": "p", "tags": [{"Key": "k"}]},
           error_message="nul\x00here", durable=False)
    record(admin, "iam:ListUsers", parameters={"max_items": 5}, durable=False)
    event_writer.flush()

    first, second = _events("iam:GetUser")[0], _events("iam:ListUsers")[0]
    assert first.parameters == {"user_name": "x", "password": "HIDDEN_DUE_TO_SECURITY_REASONS",
                                "tags": [{"Key": "k"}]}
    assert first.error_message == "nul\ufffdhere"
    assert second.parameters == {"max_items": 5} and second.resources == []
    assert first.event_id != second.event_id and first.time <= second.time


def test_the_event_history_shows_this_processs_queued_reads(writer, admin, dave):
    users.get_user(admin, user_name="dave")

    wanted = history.parse_filter(admin.account_id, action="GetUser")
    assert [e.action for e in history.events_of(admin.account_id, wanted)] == ["iam:GetUser"]


def test_events_are_written_within_an_interval_without_a_flush(admin, dave):
    start_event_writer(interval=0.05)
    try:
        users.get_user(admin, user_name="dave")
        deadline = time.monotonic() + 10
        while not _events("iam:GetUser") and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        event_writer.stop()
    assert len(_events("iam:GetUser")) == 1


def test_refusals_and_changes_are_written_with_their_request(writer, alice_account, admin, dave):
    nobody = caller_for(make_iam_user(alice_account.account, "nobody"))

    with pytest.raises(AccessDenied):
        users.get_user(nobody, user_name="dave")
    users.create_user(admin, user_name="erin")

    assert [e.outcome for e in _events("iam:GetUser")] == ["AccessDenied"]
    assert [e.outcome for e in _events("iam:CreateUser")] == ["Success"]


def test_a_read_inside_a_transaction_writes_its_own_event(writer, admin, dave):
    with transaction.atomic():
        users.get_user(admin, user_name="dave")

    assert len(_events("iam:GetUser")) == 1


def test_stopping_writes_what_is_queued_and_later_events_are_written_by_their_callers(
        admin, dave):
    start_event_writer(interval=60)
    users.get_user(admin, user_name="dave")
    event_writer.stop()
    assert len(_events("iam:GetUser")) == 1

    users.get_user(admin, user_name="dave")
    assert len(_events("iam:GetUser")) == 2


def test_when_the_writer_is_full_the_caller_writes_its_own_event(admin, dave):
    start_event_writer(interval=60, limit=1)
    try:
        users.get_user(admin, user_name="dave")
        users.get_user(admin, user_name="dave")
        assert len(_events("iam:GetUser")) == 1  # the second, at once
    finally:
        event_writer.stop()
    assert len(_events("iam:GetUser")) == 2


def test_a_batch_that_fails_is_kept_and_written_on_the_next_try(admin, dave):
    failures = []

    def database_away_once(batch):
        if not failures:
            failures.append(len(batch))
            raise ConnectionError("the database is away")
        write_events(batch)

    event_writer.start(database_away_once, interval=0.05)
    try:
        users.get_user(admin, user_name="dave")
        assert event_writer.flush()
    finally:
        event_writer.stop()
    assert failures == [1] and len(_events("iam:GetUser")) == 1


def test_flush_waits_for_events_submitted_from_other_threads(writer, admin, dave):
    def read_in_a_thread_of_its_own():
        try:
            users.get_user(admin, user_name="dave")
        finally:
            connection.close()

    threads = [threading.Thread(target=read_in_a_thread_of_its_own) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    event_writer.flush()
    assert len(_events("iam:GetUser")) == 5
