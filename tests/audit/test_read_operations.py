"""Reads run without a transaction and may not write; events of calls that changed
nothing commit asynchronously, every other transaction synchronously."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import Event
from audit.recording import ReadOperationWrote, operation, record
from core.caller import Caller
from identities.models import User
from identities.operations import users
from tests.factories import caller_for, grant, make_iam_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(alice_account) -> Caller:
    alice = make_iam_user(alice_account.account, "alice")
    grant(alice)
    return caller_for(alice)


def _statements(captured) -> list[str]:
    return [query["sql"].split()[0].upper() for query in captured.captured_queries]


def test_a_read_sends_no_begin_or_commit_and_still_records_its_event(admin):
    make_iam_user(User.objects.get(pk=admin.user.pk).account, "dave")

    with CaptureQueriesContext(connection) as captured:
        found = users.get_user(admin, user_name="dave")

    assert found.name == "dave"
    assert "BEGIN" not in _statements(captured) and "COMMIT" not in _statements(captured)
    event = Event.objects.order_by("-pk").first()
    assert (event.action, event.outcome) == ("iam:GetUser", "Success")


def test_a_change_runs_in_one_transaction(admin):
    with CaptureQueriesContext(connection) as captured:
        users.create_user(admin, user_name="erin")

    statements = _statements(captured)
    if connection.vendor == "postgresql":  # SQLite's transactions do not show as queries
        assert statements[0] == "BEGIN" and statements[-1] == "COMMIT"


@operation("iam:GetThingThatWrites")
def _read_that_writes(caller: Caller, *, user_name: str) -> None:
    User.objects.filter(name=user_name).update(path="/changed/")


@operation("iam:GetThingThatSaysItWrites", writes=True)
def _read_that_declares_its_write(caller: Caller, *, user_name: str) -> None:
    User.objects.filter(name=user_name).update(path="/changed/")


def test_a_read_that_writes_is_a_fault_and_changes_nothing(admin):
    make_iam_user(User.objects.get(pk=admin.user.pk).account, "dave")

    with pytest.raises(ReadOperationWrote):
        _read_that_writes(admin, user_name="dave")

    assert User.objects.get(name="dave").path == "/"
    event = Event.objects.order_by("-pk").first()
    assert (event.action, event.outcome) == ("iam:GetThingThatWrites", "ServiceFailure")


def test_an_operation_that_declares_its_write_may_write(admin):
    make_iam_user(User.objects.get(pk=admin.user.pk).account, "dave")

    _read_that_declares_its_write(admin, user_name="dave")

    assert User.objects.get(name="dave").path == "/changed/"


def test_a_read_inside_an_outer_transaction_keeps_its_savepoint_and_its_guard(admin):
    make_iam_user(User.objects.get(pk=admin.user.pk).account, "dave")
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            users.get_user(admin, user_name="dave")
        with pytest.raises(ReadOperationWrote):
            _read_that_writes(admin, user_name="dave")
        # The outer transaction is still usable after the fault.
        assert User.objects.get(name="dave").path == "/"

    assert "SAVEPOINT" in _statements(captured)
    assert Event.objects.filter(action="iam:GetThingThatWrites",
                                outcome="ServiceFailure").count() == 1


postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="synchronous_commit is PostgreSQL's")


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@postgresql
def test_an_event_that_is_its_transactions_only_write_commits_asynchronously(admin):
    with transaction.atomic():
        record(admin, "iam:GetUser", durable=False)
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == "on"  # for this transaction only


@postgresql
def test_an_event_after_another_write_commits_with_it_synchronously(admin):
    with transaction.atomic():
        User.objects.filter(pk=admin.user.pk).update(path="/x/")
        record(admin, "iam:UpdateUser", durable=False)
        assert _synchronous_commit() == "on"


@postgresql
def test_a_durable_event_never_relaxes_the_commit(admin):
    with transaction.atomic():
        record(admin, "signin:ConsoleLogin")
        assert _synchronous_commit() == "on"


def test_an_event_written_in_sql_reads_back_as_the_orm_would_write_it(admin):
    admin.source_ip, admin.user_agent = "203.0.113.9", "agent/ü"
    record(admin, "iam:GetUser", resources=["arn:aws:iam::111122223333:user/x"],
           parameters={"user_name": "x", "password": "p", "tags": [{"Key": "k"}]},
           outcome="NoSuchEntity", error_message="nul\x00here", durable=False)

    event = Event.objects.order_by("-pk").first()
    assert event.event_id and event.time.tzinfo is not None
    assert event.resources == ["arn:aws:iam::111122223333:user/x"]
    assert event.parameters == {"user_name": "x", "password": "HIDDEN_DUE_TO_SECURITY_REASONS",
                                "tags": [{"Key": "k"}]}
    assert (event.source_ip, event.user_agent, event.via) == ("203.0.113.9", "agent/ü", "console")
    assert (event.outcome, event.error_message) == ("NoSuchEntity", "nul\ufffdhere")
    assert event.request_id == admin.request_id
