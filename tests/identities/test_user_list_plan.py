"""On PostgreSQL, ListUsers reads a page as a range of the (account, kind, name, id)
index: the first page and a page after a marker stop after MaxItems + 1 rows
instead of reading and sorting every user of the account."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.events import reading_node
from core import ids
from identities.models import User
from identities.operations import users
from tests.conftest import require_service
from tests.factories import caller_for, grant, make_iam_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(alice_account, charlie_account):
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "query plans are checked on PostgreSQL")
    for account in (alice_account.account, charlie_account.account):
        batch = [User(account=account, kind=User.Kind.IAM, name=f"user{index:04d}",
                      user_id=ids.unique_id(ids.USER_PREFIX)) for index in range(1500)]
        User.objects.bulk_create(batch)
    with connection.cursor() as cursor:  # as autovacuum would: plans fit the real sizes
        cursor.execute(f"ANALYZE {User._meta.db_table}")
    alice = make_iam_user(alice_account.account, "alice")
    grant(alice)
    return caller_for(alice)


def _plan_of_list_users(caller, **arguments) -> str:
    with CaptureQueriesContext(connection) as captured:
        users.list_users(caller, **arguments)
    [listing] = [query["sql"] for query in captured.captured_queries
                 if f'FROM "{User._meta.db_table}" u ' in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + listing)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_first_page_reads_the_index_in_order(admin):
    plan = _plan_of_list_users(admin, max_items=100)

    assert reading_node(plan).startswith("Index Scan"), plan
    assert "user_list_order" in plan and "Sort" not in plan and "Seq Scan" not in plan, plan


def test_a_page_after_a_marker_starts_at_the_marker_in_the_index(admin):
    first = users.list_users(admin, max_items=1000)

    plan = _plan_of_list_users(admin, max_items=100, marker=first.marker)

    assert "user_list_order" in plan and "Seq Scan" not in plan, plan
    assert "ROW(" in plan.split("Index Cond:", 1)[1], plan  # the marker bounds the index scan
