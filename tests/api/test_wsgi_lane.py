"""The WSGI application gunicorn serves: API calls take the API's short chain,
everything else the console's; both answer as the console would."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from awsquery.wsgi import ApiHandler, is_api_call
from tests.api.helpers import HOST, NS, make_key, signed_parts as signed, wsgi

pytestmark = pytest.mark.django_db(transaction=True)

def test_a_signed_call_is_answered_by_the_api_lane(make_account):
    account = make_account()
    holder = make_key(account.root)
    headers, body = signed(holder, {"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                           service="sts")

    status, response_headers, content = wsgi("POST", "/", headers=headers, body=body)

    assert status == 200
    root = ET.fromstring(content)
    assert root.find(".//{https://sts.amazonaws.com/doc/2011-06-15/}Account").text == account.id
    assert response_headers["x-amzn-requestid"]
    assert response_headers["content-length"] == str(len(content))
    assert response_headers["x-content-type-options"] == "nosniff"
    # None of the console's machinery: no session, no CSRF cookie, no page policy.
    assert "set-cookie" not in response_headers
    assert "content-security-policy" not in response_headers


def test_an_api_error_from_the_lane_is_aws_xml(make_account):
    account = make_account()
    holder = make_key(account.root)
    headers, body = signed(holder, {"Action": "GetUser", "Version": "2010-05-08",
                                    "UserName": "nobody"})

    status, _, content = wsgi("POST", "/", headers=headers, body=body)

    assert status == 404
    assert ET.fromstring(content).find("iam:Error/iam:Code", NS).text == "NoSuchEntity"


def test_a_browser_opening_the_root_is_sent_to_the_console(db):
    status, headers, _ = wsgi("GET", "/")

    assert status == 302
    assert "content-security-policy" in headers  # the console's chain answered


def test_console_pages_keep_the_console_chain(db):
    status, headers, _ = wsgi("GET", "/signin")

    assert status == 200
    assert "content-security-policy" in headers
    assert "x-frame-options" in headers


def test_the_lane_refuses_a_host_that_is_not_allowed(make_account):
    holder = make_key(make_account().root)
    headers, body = signed(holder, {"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                           service="sts")
    headers["Host"] = "evil.example"

    status, _, _ = wsgi("POST", "/", headers=headers, body=body)

    assert status == 400


@pytest.mark.parametrize("environ, expected", [
    ({"REQUEST_METHOD": "POST", "PATH_INFO": "/"}, True),
    ({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "Action=ListUsers"}, True),
    ({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "X-Amz-Signature=ab"}, True),
    ({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256"}, True),
    ({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, False),
    ({"REQUEST_METHOD": "HEAD", "PATH_INFO": "/"}, False),
    ({"REQUEST_METHOD": "POST", "PATH_INFO": "/signin"}, False),
    ({"REQUEST_METHOD": "GET", "PATH_INFO": "/iam/users", "QUERY_STRING": "Action=x"}, False),
])
def test_which_requests_take_the_api_lane(environ, expected):
    assert is_api_call(environ) is expected


def test_the_api_chain_is_plain_request_response_middleware(settings):
    # ApiHandler nests the API's middleware without view, exception or template
    # hooks; a middleware that needs them would silently not run.
    handler = ApiHandler()
    assert handler._view_middleware == []
    assert handler._exception_middleware == []
    from django.utils.module_loading import import_string

    for path in settings.API_MIDDLEWARE:
        middleware = import_string(path)
        assert not hasattr(middleware, "process_view"), path
        assert not hasattr(middleware, "process_exception"), path
        assert not hasattr(middleware, "process_template_response"), path


@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded",
    "",
    "application/x-www-form-urlencoded; charset=latin-1",
    "text/plain",
])
def test_the_lanes_content_types_read_as_djangos(content_type):
    from django.core.handlers.wsgi import WSGIRequest

    from awsquery.wsgi import ApiRequest

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "CONTENT_TYPE": content_type,
               "wsgi.input": io.BytesIO(b""), "SERVER_NAME": HOST, "SERVER_PORT": "80"}
    ours, djangos = ApiRequest(dict(environ)), WSGIRequest(dict(environ))

    assert (ours.content_type, ours.content_params, ours.encoding) == (
        djangos.content_type, djangos.content_params, djangos.encoding)


@pytest.mark.parametrize("name", ["Authorization", "authorization", "X-Amz-Date", "x-amz-date",
                                  "X_Amz_Date", "Content-Type", "content-length", "Host",
                                  "X-Amz-Security-Token", "User-Agent", "Missing"])
def test_the_lanes_headers_read_as_djangos(name):
    from django.http.request import HttpHeaders

    from awsquery.wsgi import MetaHeaders

    meta = {"HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 x", "HTTP_X_AMZ_DATE": "20260101T000000Z",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "12",
            "HTTP_HOST": HOST, "HTTP_USER_AGENT": "aws-cli/2", "REMOTE_ADDR": "127.0.0.1",
            "QUERY_STRING": "X-Amz-Date=1"}
    ours, djangos = MetaHeaders(meta), HttpHeaders(meta)

    assert ours.get(name) == djangos.get(name)
    assert (name in ours) == (name in djangos)
