"""The Query protocol around the operations: dispatch, parsing, errors, and what is never sent
(HTML pages, session cookies, ill-formed XML)."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from awsquery import xml
from tests.api.helpers import (
    NS,
    REGION,
    error_code,
    error_message,
    error_of,
    send,
    send_signed,
    signed_request,
)

pytestmark = pytest.mark.django_db(transaction=True)


def call(live_server, holder, params: dict) -> tuple[int, dict, bytes]:
    return send_signed(signed_request(live_server.url, holder.credentials, params))


def test_browser_opening_the_root_goes_to_the_console(live_server):
    status, headers, _ = send(live_server.url + "/")

    # urllib follows the redirect to the console's sign-in page.
    assert status == 200


def test_browser_root_redirect_target_is_the_console(client, transactional_db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/iam/"


def test_signed_in_console_session_gets_nothing_without_a_signature(client, account):
    from tests.factories import make_iam_user, sign_in_user

    make_iam_user(account.account, "dora")
    sign_in_user(client, "alice-co", "dora")
    assert client.get("/iam/users/").status_code in (200, 403)  # the session is live

    response = client.post("/", {"Action": "ListUsers", "Version": "2010-05-08"})

    assert response.status_code == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in response.content
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


def test_unsigned_get_with_an_action_is_an_api_request(live_server):
    status, _, body = send(live_server.url + "/?Action=ListUsers&Version=2010-05-08")

    assert (status, error_code(body)) == (403, "MissingAuthenticationToken")


def test_signed_get_with_the_parameters_in_the_query_string(live_server, alice):
    request = AWSRequest(method="GET", url=live_server.url + "/?" + urlencode(
        {"Action": "GetUser", "Version": "2010-05-08", "UserName": "alice"}))
    SigV4Auth(alice.credentials, "iam", REGION).add_auth(request)

    status, _, body = send_signed(request)

    assert status == 200
    assert ET.fromstring(body).find(".//iam:User/iam:UserName", NS).text == "alice"


def test_unknown_action_is_invalid_action(live_server, alice):
    status, _, body = call(live_server, alice, {"Action": "MakeCoffee", "Version": "2010-05-08"})

    assert (status, error_code(body)) == (400, "InvalidAction")
    assert error_message(body) == "Could not find operation MakeCoffee for version 2010-05-08"


def test_action_of_the_model_that_is_not_served_is_named_in_a_501(iam):
    response = error_of(iam.list_saml_providers)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert response["Error"]["Code"] == "NotImplemented"
    assert response["Error"]["Message"] == \
        "The IAM action ListSAMLProviders is not implemented by this server."


def test_missing_action_is_reported(live_server, alice):
    status, _, body = call(live_server, alice, {"Version": "2010-05-08"})

    assert (status, error_code(body)) == (400, "MissingAction")


def test_version_of_the_other_service_is_not_found(live_server, alice):
    status, _, body = call(live_server, alice, {"Action": "ListUsers", "Version": "2011-06-15"})

    assert status == 400
    assert ET.fromstring(body).find(".//{*}Code").text == "InvalidAction"


def test_unknown_parameters_are_ignored(live_server, alice):
    status, _, body = call(live_server, alice, {**{"Action": "ListUsers", "Version": "2010-05-08"},
                                                "Colour": "blue"})

    assert status == 200


def test_model_parameter_the_operation_does_not_take_is_refused_by_name(live_server, alice):
    status, _, body = call(live_server, alice, {
        "Action": "SimulatePrincipalPolicy", "Version": "2010-05-08",
        "PolicySourceArn": "arn:aws:iam::111122223333:user/alice",
        "ActionNames.member.1": "iam:ListUsers",
        "CallerArn": "arn:aws:iam::111122223333:user/alice"})

    assert (status, error_code(body)) == (400, "InvalidInput")
    assert error_message(body) == \
        "The parameter CallerArn of SimulatePrincipalPolicy is not supported by this server."


@pytest.mark.parametrize("max_items", ["abc", "１０", "10.5", "", "0", "1001"])
def test_bad_max_items_is_a_validation_error_in_xml(live_server, alice, max_items):
    status, headers, body = call(live_server, alice, {"Action": "ListUsers",
                                                      "Version": "2010-05-08",
                                                      "MaxItems": max_items})

    assert status == 400
    assert headers["Content-Type"].startswith("text/xml")
    assert error_code(body) == "ValidationError"
    assert "at 'maxItems' failed to satisfy constraint" in error_message(body)


def test_null_byte_in_a_name_is_refused_and_nothing_is_stored(iam, account):
    from identities.models import User

    response = error_of(iam.create_user, UserName="car\x00ol")

    assert response["Error"]["Code"] == "ValidationError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert not User.objects.filter(name__startswith="car").exists()


def test_control_characters_in_free_text_are_refused(iam):
    iam.create_user(UserName="carol")

    response = error_of(iam.tag_user, UserName="carol", Tags=[{"Key": "k", "Value": "a\x01b"}])

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] in ("ValidationError", "InvalidInput")


def test_missing_required_parameter_says_member_must_not_be_null(live_server, alice):
    status, _, body = call(live_server, alice, {"Action": "CreateUser", "Version": "2010-05-08"})

    assert (status, error_code(body)) == (400, "ValidationError")
    assert error_message(body) == ("1 validation error detected: Value null at 'userName' failed "
                                   "to satisfy constraint: Member must not be null")


def test_several_validation_errors_are_reported_together(live_server, alice):
    status, _, body = call(live_server, alice, {"Action": "ListUsers", "Version": "2010-05-08",
                                                "MaxItems": "0", "Marker": ""})

    assert error_message(body).startswith("2 validation errors detected: ")


def test_malformed_percent_encoding_is_a_malformed_query_string(live_server):
    status, _, body = send(live_server.url + "/", method="POST", body=b"Action=List%FFUsers",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert (status, error_code(body)) == (400, "MalformedQueryString")


def test_too_many_fields_is_a_malformed_query_string(live_server):
    body = "&".join(f"f{i}=x" for i in range(1001)).encode()

    status, _, content = send(live_server.url + "/", method="POST", body=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert (status, error_code(content)) == (400, "MalformedQueryString")


def test_other_http_methods_get_an_xml_error(live_server):
    status, _, body = send(live_server.url + "/", method="PUT", body=b"")

    assert (status, error_code(body)) == (405, "MethodNotAllowed")


def test_unexpected_failure_is_a_logged_service_failure_in_xml(live_server, alice, monkeypatch,
                                                               caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(xml, "response", broken)

    with caplog.at_level(logging.ERROR, logger="awsquery.views"):
        status, headers, body = call(live_server, alice, {"Action": "ListUsers",
                                                          "Version": "2010-05-08"})

    assert status == 500
    assert headers["Content-Type"].startswith("text/xml")
    assert error_code(body) == "ServiceFailure"
    assert ET.fromstring(body).find("iam:Error/iam:Type", NS).text == "Receiver"
    assert "boom" not in body.decode()
    assert any("ListUsers failed" in record.getMessage() for record in caplog.records)


def test_stored_text_with_markup_and_control_characters_stays_well_formed(iam, account):
    from identities.models import User

    iam.create_user(UserName="carol")
    User.objects.filter(name="carol").update(
        tags=[{"Key": "note", "Value": "<b>&\x01\x0b\ufffe ok</b>"}])

    tags = iam.get_user(UserName="carol")["User"]["Tags"]

    assert tags == [{"Key": "note", "Value": "<b>& ok</b>"}]
