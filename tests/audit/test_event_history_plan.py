"""On PostgreSQL, with 20,000 events, pages read an index in order: no sort, no count.

The million-event figures are ``python -m bench.events``; this keeps the suite
fast while proving the same plans.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import history
from bench.events import insert_events, reading_node
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

ACCOUNT = "111122223333"
OTHERS = ("999900003333", "999900004444", "999900005555")


@pytest.fixture
def many_events(alice_account):
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "query plans are checked on PostgreSQL")
    with connection.cursor() as cursor:
        insert_events(cursor, 20_000, (ACCOUNT, *OTHERS), principals=20)
    return alice_account


def _plan(rows, older_than: str = "") -> str:
    if older_than:
        rows = history._older(rows, *history.decode_cursor(older_than))
    return rows.order_by("-time", "-id")[: history.PAGE_SIZE + 1].explain()


def _rows(**filters):
    return history.events_of(ACCOUNT, history.parse_filter(ACCOUNT, **filters))


@pytest.mark.parametrize(("filters", "index"), [
    ({}, "event_account_time"),
    ({"principal": f"arn:aws:iam::{ACCOUNT}:user/user-7"}, "event_account_principal"),
    ({"action": "iam:DeleteUser"}, "event_account_action"),
    ({"outcome": "failure"}, "event_account_failures"),
])
def test_first_and_filtered_pages_scan_an_index_in_order(many_events, filters, index):
    plan = _plan(_rows(**filters))
    assert reading_node(plan).startswith(("Index Scan", "Index Only Scan")), plan
    assert index in plan, plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan


def test_a_deep_cursor_starts_the_scan_at_the_cursor(many_events):
    page = history.page(_rows())
    for _ in range(40):  # about 2,000 events back
        page = history.page(_rows(), older_than=page.older)
    plan = _plan(_rows(), older_than=page.older)
    assert "event_account_time" in plan and "Sort" not in plan, plan
    # The bound on time is an index condition, not a filter applied row by row.
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "time" in index_cond, plan


def test_pages_cost_the_same_queries_however_deep(many_events, alice_client):
    alice_client.get("/iam/event-history/")
    with CaptureQueriesContext(connection) as first:
        html = alice_client.get("/iam/event-history/").content.decode()
    older = history.page(_rows()).older
    for _ in range(60):
        older = history.page(_rows(), older_than=older).older
    with CaptureQueriesContext(connection) as deep:
        response = alice_client.get("/iam/event-history/", {"older": older})
    assert response.status_code == 200 and 'data-testid="event-link"' in html
    assert len(deep) == len(first)
    sql = " ".join(q["sql"].upper() for q in deep.captured_queries)
    assert "COUNT(" not in sql and "OFFSET" not in sql
