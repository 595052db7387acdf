"""The API as production serves it (gunicorn with gunicorn.conf.py, PostgreSQL):
SDKs keep their connections open between calls, and the server lets them."""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest

from audit.models import Event
from tests.api.helpers import make_key, signed_request
from tests.security import processes
from tests.services import test_database_url as database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

STS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def test_calls_share_one_keep_alive_connection(make_account):
    account = make_account()
    holder = make_key(account.root)

    with processes.app_server(processes.server_env(database_url())) as base:
        address = urlparse(base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        answers = []
        for _ in range(3):
            response = _get_caller_identity(connection, base, holder)
            answers.append((response.status, response.getheader("Connection"),
                            ET.fromstring(response.read()).find(f".//{STS}Account").text))
            socket_after = connection.sock
            assert socket_after is not None  # the server did not close it
            if len(answers) == 1:
                first_socket = socket_after
        connection.close()

    assert answers == [(200, "keep-alive", account.id)] * 3
    assert socket_after is first_socket


def test_a_graceful_stop_writes_every_queued_read_event(make_account):
    account = make_account()
    holder = make_key(account.root)
    # Workers gather read events for a minute: only their graceful stop writes them.
    env = processes.server_env(database_url(), IAM_EVENT_BATCH_MS="60000")

    with processes.app_server(env) as base:
        address = urlparse(base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        for _ in range(5):
            response = _get_caller_identity(connection, base, holder)
            assert (response.status, bool(response.read())) == (200, True)
        connection.close()
        queued = Event.objects.filter(action="sts:GetCallerIdentity").count()

    assert queued == 0  # the calls were answered before their events were written
    written = Event.objects.filter(action="sts:GetCallerIdentity", account_id=account.id)
    assert [e.outcome for e in written] == ["Success"] * 5


def _get_caller_identity(connection, base, holder):
    """A signed GetCallerIdentity over ``connection``; its response, unread."""
    prepared = signed_request(base, holder.credentials,
                              {"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                              service="sts").prepare()
    connection.request("POST", "/", body=prepared.body, headers=dict(prepared.headers))
    return connection.getresponse()
