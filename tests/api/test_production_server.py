"""The API as production serves it (gunicorn with gunicorn.conf.py, PostgreSQL):
SDKs keep their connections open between calls, and the server lets them."""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest

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
            prepared = signed_request(base, holder.credentials,
                                      {"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                                      service="sts").prepare()
            connection.request("POST", "/", body=prepared.body, headers=dict(prepared.headers))
            response = connection.getresponse()
            answers.append((response.status, response.getheader("Connection"),
                            ET.fromstring(response.read()).find(f".//{STS}Account").text))
            socket_after = connection.sock
            assert socket_after is not None  # the server did not close it
            if len(answers) == 1:
                first_socket = socket_after
        connection.close()

    assert answers == [(200, "keep-alive", account.id)] * 3
    assert socket_after is first_socket
