"""Signature Version 4 as the server checks it, with requests signed by botocore's own signers
and sent raw, so that each part of a signature can be broken on purpose."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest
from botocore.credentials import Credentials

from awsquery import sigv4
from tests.api.helpers import (
    NS,
    error_code,
    error_message,
    make_key,
    presigned_url,
    send,
    send_signed,
    signed_request,
)

pytestmark = pytest.mark.django_db(transaction=True)

LIST_USERS = {"Action": "ListUsers", "Version": "2010-05-08"}


def test_a_correctly_signed_raw_request_is_answered(live_server, alice):
    status, headers, body = send_signed(signed_request(live_server.url, alice.credentials,
                                                       LIST_USERS))

    assert status == 200
    assert headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(body)
    names = [e.text for e in root.findall(".//iam:Users/iam:member/iam:UserName", NS)]
    assert names == ["alice"]
    assert root.find("iam:ResponseMetadata/iam:RequestId", NS).text == headers["x-amzn-RequestId"]


def test_tampered_body_does_not_match(live_server, alice, account):
    from identities.models import User

    request = signed_request(live_server.url, alice.credentials,
                             {"Action": "CreateUser", "Version": "2010-05-08", "UserName": "carol"})
    request.data = b"Action=CreateUser&Version=2010-05-08&UserName=mallory"

    status, _, body = send_signed(request)

    assert status == 403
    assert error_code(body) == "SignatureDoesNotMatch"
    assert not User.objects.filter(name__in=["carol", "mallory"]).exists()


def test_tampered_signed_header_does_not_match(live_server, alice):
    request = signed_request(live_server.url, alice.credentials, LIST_USERS)
    request.headers.replace_header("Content-Type", "application/x-www-form-urlencoded")

    status, _, body = send_signed(request)

    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_content_sha256_header_that_lies_about_the_body_is_refused(live_server, alice):
    request = signed_request(live_server.url, alice.credentials, LIST_USERS)
    request.headers["X-Amz-Content-SHA256"] = "0" * 64

    status, _, body = send_signed(request)

    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_wrong_secret_does_not_match(live_server, alice):
    wrong = Credentials(alice.access_key_id, "x" * 40)

    status, _, body = send_signed(signed_request(live_server.url, wrong, LIST_USERS))

    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    assert error_message(body).startswith("The request signature we calculated does not match")


def test_request_signed_sixteen_minutes_ago_has_expired(live_server, alice, monkeypatch):
    request = signed_request(live_server.url, alice.credentials, LIST_USERS)
    later = datetime.now(timezone.utc) + timedelta(minutes=16)
    monkeypatch.setattr(sigv4, "_now", lambda: later)

    status, _, body = send_signed(request)

    assert (status, error_code(body)) == (400, "RequestExpired")
    assert "Signature expired" in error_message(body)


def test_request_signed_fourteen_minutes_ago_is_still_current(live_server, alice, monkeypatch):
    request = signed_request(live_server.url, alice.credentials, LIST_USERS)
    later = datetime.now(timezone.utc) + timedelta(minutes=14)
    monkeypatch.setattr(sigv4, "_now", lambda: later)

    status, _, _ = send_signed(request)

    assert status == 200


def test_request_dated_sixteen_minutes_ahead_is_refused(live_server, alice, monkeypatch):
    request = signed_request(live_server.url, alice.credentials, LIST_USERS)
    earlier = datetime.now(timezone.utc) - timedelta(minutes=16)
    monkeypatch.setattr(sigv4, "_now", lambda: earlier)

    status, _, body = send_signed(request)

    assert (status, error_code(body)) == (400, "RequestExpired")


def test_unknown_access_key_is_an_invalid_client_token(live_server, alice):
    unknown = Credentials("AKIAUNKNOWNUNKNOWN00", alice.secret)

    status, _, body = send_signed(signed_request(live_server.url, unknown, LIST_USERS))

    assert (status, error_code(body)) == (403, "InvalidClientTokenId")
    assert error_message(body) == "The security token included in the request is invalid."


def test_inactive_access_key_is_an_invalid_client_token(live_server, alice):
    from identities.models import AccessKey

    AccessKey.objects.filter(access_key_id=alice.access_key_id).update(status="Inactive")

    status, _, body = send_signed(signed_request(live_server.url, alice.credentials, LIST_USERS))

    assert (status, error_code(body)) == (403, "InvalidClientTokenId")


def test_temporary_key_without_a_session_token_is_invalid(live_server, alice):
    temporary = Credentials("ASIAXXXXXXXXXXXXXXXX", alice.secret)

    status, _, body = send_signed(signed_request(live_server.url, temporary, LIST_USERS))

    assert (status, error_code(body)) == (403, "InvalidClientTokenId")


def test_long_term_key_with_a_session_token_is_invalid(live_server, alice):
    with_token = Credentials(alice.access_key_id, alice.secret, token="made-up")

    status, _, body = send_signed(signed_request(live_server.url, with_token, LIST_USERS))

    assert (status, error_code(body)) == (403, "InvalidClientTokenId")


def test_missing_authentication_is_refused_before_anything_else(live_server, alice):
    unsigned = signed_request(live_server.url, None,
                              {"Action": "NoSuchThing", "Version": "2010-05-08"})

    status, _, body = send_signed(unsigned)

    assert (status, error_code(body)) == (403, "MissingAuthenticationToken")
    assert error_message(body) == "Request is missing Authentication Token"


@pytest.mark.parametrize("authorization", [
    "AWS4-HMAC-SHA256 garbage",
    "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/iam/aws4_request",
    "AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=short, SignedHeaders=host;x-amz-date, Signature=00",
])
def test_malformed_authorization_header_is_an_incomplete_signature(live_server, authorization):
    headers = {"Authorization": authorization, "X-Amz-Date": "20260101T000000Z",
               "Content-Type": "application/x-www-form-urlencoded"}

    status, _, body = send(live_server.url + "/", method="POST", headers=headers,
                           body=b"Action=ListUsers&Version=2010-05-08")

    assert (status, error_code(body)) == (403, "IncompleteSignature")


def test_credential_scoped_to_another_service_does_not_match(live_server, alice):
    status, _, body = send_signed(signed_request(live_server.url, alice.credentials, LIST_USERS,
                                                 service="s3"))

    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    assert "Credential should be scoped to correct service" in error_message(body)


def test_presigned_url_works_until_it_expires(live_server, alice, monkeypatch):
    url = presigned_url(live_server.url, alice.credentials, LIST_USERS, expires=60)

    status, _, body = send(url)
    assert status == 200
    assert b"<UserName>alice</UserName>" in body

    later = datetime.now(timezone.utc) + timedelta(seconds=120)
    monkeypatch.setattr(sigv4, "_now", lambda: later)
    status, _, body = send(url)
    assert (status, error_code(body)) == (400, "RequestExpired")


def test_presigned_url_with_changed_parameters_does_not_match(live_server, alice):
    url = presigned_url(live_server.url, alice.credentials, LIST_USERS)

    status, _, body = send(url.replace("ListUsers", "ListGroups"))

    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_presigned_url_may_not_live_longer_than_a_week(live_server, alice):
    url = presigned_url(live_server.url, alice.credentials, LIST_USERS, expires=604801)

    status, _, body = send(url)

    assert (status, error_code(body)) == (403, "IncompleteSignature")


def test_last_use_of_a_key_is_recorded_once_a_minute(live_server, alice):
    from identities.models import AccessKey

    send_signed(signed_request(live_server.url, alice.credentials, LIST_USERS))
    key = AccessKey.objects.get(access_key_id=alice.access_key_id)
    assert key.last_used_service == "iam"
    assert key.last_used_region == "us-east-1"
    first = key.last_used_at
    assert first is not None

    send_signed(signed_request(live_server.url, alice.credentials, LIST_USERS))

    assert AccessKey.objects.get(pk=key.pk).last_used_at == first


def test_key_used_over_a_minute_ago_is_recorded_again(live_server, alice):
    from identities.models import AccessKey

    long_ago = datetime.now(timezone.utc) - timedelta(minutes=5)
    AccessKey.objects.filter(access_key_id=alice.access_key_id).update(last_used_at=long_ago)

    send_signed(signed_request(live_server.url, alice.credentials, LIST_USERS))

    assert AccessKey.objects.get(access_key_id=alice.access_key_id).last_used_at > long_ago


def test_response_request_id_is_the_audit_events(live_server, alice):
    from audit.models import Event

    _, headers, body = send_signed(signed_request(
        live_server.url, alice.credentials,
        {"Action": "CreateUser", "Version": "2010-05-08", "UserName": "carol"}))

    request_id = ET.fromstring(body).find("iam:ResponseMetadata/iam:RequestId", NS).text
    event = Event.objects.get(action="iam:CreateUser")
    assert event.request_id == request_id == headers["x-amzn-RequestId"]
    assert event.via == "api"
    assert event.access_key_id == alice.access_key_id


def test_root_access_keys_act_as_the_root(live_server, account):
    root = make_key(account.root)

    status, _, body = send_signed(signed_request(live_server.url, root.credentials, LIST_USERS))

    assert status == 200


@pytest.mark.parametrize("amz_date, valid", [
    ("20260101T000000Z", True),
    ("20240229T235959Z", True),   # a leap day
    ("20260229T000000Z", False),  # no such day
    ("20261301T000000Z", False),
    ("20260101T240000Z", False),
    ("20260101T000000z", False),  # AWS's format ends in a capital Z
    ("20260101 000000Z", False),
    ("2026-01-01T00:00Z", False),
    ("２0260101T000000Z", False),  # digits outside ASCII
    ("+0260101T000000Z", False),
])
def test_only_a_real_basic_iso_8601_date_is_accepted(amz_date, valid):
    from awsquery import sigv4
    from awsquery.errors import IncompleteSignature

    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/"
                                f"{amz_date[:8]}/us-east-1/iam/aws4_request, "
                                "SignedHeaders=host;x-amz-date, Signature=00",
               "X-Amz-Date": amz_date}
    if valid:
        assert sigv4.read(headers, {}).amz_date == amz_date
    else:
        with pytest.raises(IncompleteSignature):
            sigv4.read(headers, {})
