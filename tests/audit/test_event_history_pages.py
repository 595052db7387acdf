"""The Event history pages: who sees what, filters, cursor pages, the record, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from audit import records
from audit.models import Event
from identities.operations import users
from tests.factories import caller_for

pytestmark = pytest.mark.django_db

LIST = "/iam/event-history/"


def _event(account_id: str, **fields) -> Event:
    defaults = {"principal_arn": f"arn:aws:iam::{account_id}:user/seed",
                "principal_type": "IAMUser", "action": "iam:GetUser", "via": "api",
                "outcome": "Success"}
    return Event.objects.create(account_id=account_id, **{**defaults, **fields})


def _table(html: str) -> str:
    return html.split('data-testid="events-table"', 1)[1].split("</table>", 1)[0]


def test_root_and_admin_see_their_accounts_events_newest_first(root_client, alice_client, admin,
                                                               alice_account):
    users.create_user(admin, user_name="dave")
    for client in (root_client, alice_client):
        response = client.get(LIST)
        table = _table(response.content.decode())
        assert response.status_code == 200
        assert "iam:CreateUser" in table and "signin:ConsoleLogin" in table
        assert f"arn:aws:iam::{alice_account.id}:user/dave" in table
        # Newest first: both clients signed in before dave was created.
        assert table.index("iam:CreateUser") < table.index("signin:ConsoleLogin")


def test_charlies_events_never_appear_and_his_event_is_not_found(alice_client, charlie,
                                                                 charlie_account):
    users.create_user(caller_for(charlie), user_name="charlies-secret-user")
    html = alice_client.get(LIST).content.decode()
    assert "charlies-secret-user" not in html and charlie_account.id not in html
    theirs = Event.objects.filter(account_id=charlie_account.id).first()
    assert alice_client.get(f"{LIST}{theirs.event_id}/").status_code == 404
    # Not even by filtering for it.
    by_arn = alice_client.get(LIST, {"principal": charlie.arn}).content.decode()
    assert "No events match these filters." in by_arn


def test_bob_without_policy_gets_403_and_no_events(bob_client, admin, alice_account):
    users.create_user(admin, user_name="visible-to-admins-only")
    event = Event.objects.filter(action="iam:CreateUser").first()
    for url in (LIST, f"{LIST}{event.event_id}/", f"{LIST}export/?format=csv"):
        response = bob_client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "visible-to-admins-only" not in body
    assert "iam:ListEvents" in bob_client.get(LIST).content.decode()
    assert "iam:GetEvent" in bob_client.get(f"{LIST}{event.event_id}/").content.decode()


def test_filters_by_principal_action_resource_outcome_and_time(alice_client, alice_account):
    acct = alice_account.id
    now = timezone.now()
    _event(acct, principal_arn=f"arn:aws:iam::{acct}:user/frank", action="iam:DeleteUser",
           resources=[f"arn:aws:iam::{acct}:user/target"], time=now - timedelta(hours=2))
    _event(acct, principal_arn=f"arn:aws:iam::{acct}:user/grace", action="iam:DeleteRole",
           outcome="AccessDenied", error_message="nope", time=now - timedelta(days=3))

    def shown(**query) -> str:
        response = alice_client.get(LIST, query)
        assert response.status_code == 200, response.content.decode()
        return _table(response.content.decode())

    assert "iam:DeleteRole" not in shown(principal="frank")  # a bare name is the user
    assert "iam:DeleteUser" in shown(principal=f"arn:aws:iam::{acct}:user/frank")
    only_action = shown(action="deleterole")  # the catalogue's spelling is found
    assert "iam:DeleteRole" in only_action and "iam:DeleteUser" not in only_action
    by_resource = shown(resource=f"arn:aws:iam::{acct}:user/target")
    assert "iam:DeleteUser" in by_resource and "iam:DeleteRole" not in by_resource
    failures = shown(outcome="failure")
    assert "iam:DeleteRole" in failures and "iam:DeleteUser" not in failures
    assert "iam:DeleteRole" in shown(outcome="AccessDenied")
    assert "iam:DeleteRole" not in shown(outcome="NoSuchEntity")  # any error code
    assert "iam:DeleteRole" not in shown(outcome="success")
    since_yesterday = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    recent = shown(start=since_yesterday)
    assert "iam:DeleteUser" in recent and "iam:DeleteRole" not in recent
    older = shown(end=(now - timedelta(days=2)).strftime("%Y-%m-%d"))
    assert "iam:DeleteRole" in older and "iam:DeleteUser" not in older


def test_a_bad_filter_says_why_and_shows_nothing(alice_client):
    response = alice_client.get(LIST, {"start": "yesterday-ish"})
    assert response.status_code == 400
    assert "is not an ISO 8601 date" in response.content.decode()
    assert alice_client.get(LIST, {"older": "not-a-cursor"}).status_code == 400
    assert alice_client.get(LIST, {"outcome": "not a code!"}).status_code == 400


def _page_ids(client, **query) -> tuple[list[str], str]:
    html = client.get(LIST, query).content.decode()
    ids = [line.split(f"{LIST}", 1)[1].split("/", 1)[0]
           for line in html.splitlines() if 'data-testid="event-link"' in line]
    return ids, html


def _cursor(html: str, which: str) -> str:
    marker = f'data-testid="page-{which}"'
    line = next(line for line in html.splitlines() if marker in line)
    href = line.split(marker)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    return href.split(f"{which}=", 1)[1].split("&", 1)[0]


def test_cursor_pages_stay_stable_while_new_events_arrive(alice_client, alice_account):
    acct = alice_account.id
    start = timezone.now() - timedelta(hours=1)
    # 130 events, some sharing a timestamp so that ties are broken by id.
    for i in range(130):
        _event(acct, action="iam:ListUsers", time=start + timedelta(seconds=i // 3))
    query = {"action": "iam:ListUsers"}
    first, html = _page_ids(alice_client, **query)
    assert len(first) == 50 and 'data-testid="page-newer"' not in html
    second, html2 = _page_ids(alice_client, **query, older=_cursor(html, "older"))
    third, html3 = _page_ids(alice_client, **query, older=_cursor(html2, "older"))
    assert len(second) == 50 and len(third) == 30
    assert not set(first) & set(second) and not set(second) & set(third)
    assert 'data-testid="page-older"' not in html3
    # New events arrive; the same cursors give the same pages, both ways.
    for _ in range(7):
        _event(acct, action="iam:ListUsers")
    again, _ = _page_ids(alice_client, **query, older=_cursor(html, "older"))
    assert again == second
    back, _ = _page_ids(alice_client, **query, newer=_cursor(html2, "newer"))
    assert back == first
    newest, _ = _page_ids(alice_client, **query)
    assert newest[7:] == first[:43]


def test_a_page_takes_a_constant_number_of_queries(alice_client, alice_account):
    for i in range(60):
        _event(alice_account.id, resources=[f"arn:aws:iam::{alice_account.id}:user/u{i}"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice_client.get(LIST)  # warm the policy-set cache, as any later request finds it
    with CaptureQueriesContext(connection) as few:
        alice_client.get(LIST, {"outcome": "success"})
    for i in range(200):
        _event(alice_account.id)
    with CaptureQueriesContext(connection) as many:
        alice_client.get(LIST, {"outcome": "success"})
    assert len(many) == len(few) <= 8
    [listing] = [q["sql"] for q in many if "FROM \"audit_event\"" in q["sql"]
                 and "SELECT" in q["sql"][:10]]
    assert "COUNT(" not in listing.upper() and "OFFSET" not in listing.upper()


def test_detail_shows_the_cloudtrail_record(alice_client, admin, alice_account):
    users.create_user(admin, user_name="dave")
    event = Event.objects.get(action="iam:CreateUser")
    response = alice_client.get(f"{LIST}{event.event_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert str(event.event_id) in html
    record = records.cloudtrail_record(event)
    assert record["eventName"] == "CreateUser" and record["eventSource"] == "iam.amazonaws.com"
    assert record["userIdentity"] == {"type": "IAMUser", "arn": admin.principal_arn,
                                      "accountId": alice_account.id, "userName": "alice"}
    assert record["requestParameters"]["userName"] == "dave"
    assert record["resources"] == [{"ARN": f"arn:aws:iam::{alice_account.id}:user/dave",
                                    "accountId": alice_account.id, "type": "AWS::IAM::User"}]
    assert record["readOnly"] is False and record["eventID"] == str(event.event_id)
    assert "errorCode" not in record
    assert "&quot;eventName&quot;: &quot;CreateUser&quot;" in html


def test_detail_of_a_failure_names_the_error(alice_client, alice_account):
    event = _event(alice_account.id, action="iam:DeleteRole", outcome="AccessDenied",
                   error_message="User: x is not authorized")
    html = alice_client.get(f"{LIST}{event.event_id}/").content.decode()
    assert "AccessDenied" in html and "User: x is not authorized" in html
    record = records.cloudtrail_record(event)
    assert record["errorCode"] == "AccessDenied"


def _streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_csv_export_has_the_filtered_events_and_neutralises_formulas(alice_client,
                                                                     alice_account):
    acct = alice_account.id
    _event(acct, action="iam:TagUser", user_agent="=HYPERLINK(\"http://x\")",
           resources=[f"arn:aws:iam::{acct}:user/a", f"arn:aws:iam::{acct}:user/b"])
    _event(acct, action="iam:UntagUser")
    response = alice_client.get(f"{LIST}export/", {"format": "csv", "action": "iam:TagUser"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_streamed(response))))
    assert len(rows) == 1
    [row] = rows
    assert list(row) == records.CSV_COLUMNS
    assert row["event_name"] == "TagUser" and row["event_source"] == "iam.amazonaws.com"
    assert row["resources"] == f"arn:aws:iam::{acct}:user/a;arn:aws:iam::{acct}:user/b"
    assert row["user_agent"].startswith("'=")
    assert row["outcome"] == "Success" and row["read_only"] == "false"


def test_json_lines_export_is_one_record_per_line(alice_client, alice_account):
    for i in range(3):
        _event(alice_account.id, action="iam:GetRole", parameters={"role_name": f"r{i}"})
    response = alice_client.get(f"{LIST}export/", {"format": "jsonl", "action": "iam:GetRole"})
    lines = _streamed(response).splitlines()
    assert response["Content-Type"] == "application/x-ndjson"
    parsed = [json.loads(line) for line in lines]
    assert [p["requestParameters"]["roleName"] for p in parsed] == ["r2", "r1", "r0"]
    assert all(p["recipientAccountId"] == alice_account.id for p in parsed)
    assert alice_client.get(f"{LIST}export/", {"format": "xml"}).status_code == 400


def test_export_is_bounded_and_reads_in_batches(alice_account):
    from audit import history

    for _ in range(25):
        _event(alice_account.id, action="iam:ListRoles")
    wanted = history.parse_filter(alice_account.id, action="iam:ListRoles")
    rows = list(history.export_batches(history.events_of(alice_account.id, wanted),
                                       limit=20, batch=6))
    assert len(rows) == 20 and len({r.pk for r in rows}) == 20
    assert [r.pk for r in rows] == sorted((r.pk for r in rows), reverse=True)
    assert history.EXPORT_LIMIT == 100_000
