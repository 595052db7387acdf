"""The wire layer on its own, without a server: Query parsing, XML writing (read back with
botocore's own parser), canonical requests (compared with botocore's signer) and the routes."""

from __future__ import annotations

import inspect
import json
from urllib.parse import urlsplit

import pytest
from botocore import xform_name
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.handlers import json_decode_policies
from botocore.model import ShapeResolver
from botocore.parsers import create_parser

from awsquery import params, registry, shapes, sigv4, xml
from core.errors import ValidationError


def parse(action: str, pairs: list[tuple[str, str]], service: str = "iam") -> dict:
    return params.parse(shapes.operation_model(service, action).input_shape, pairs)


def test_lists_of_structures_in_member_order():
    parsed = parse("CreateUser", [
        ("UserName", "carol"), ("Tags.member.10.Key", "k10"), ("Tags.member.10.Value", "v10"),
        ("Tags.member.2.Key", "k2"), ("Tags.member.2.Value", ""), ("Unknown", "ignored")])

    assert parsed == {"UserName": "carol", "Tags": [{"Key": "k2", "Value": ""},
                                                    {"Key": "k10", "Value": "v10"}]}


def test_empty_list_is_sent_as_the_bare_name():
    assert parse("UntagUser", [("UserName", "carol"), ("TagKeys", "")])["TagKeys"] == []


def test_booleans_and_integers():
    parsed = parse("UpdateAccountPasswordPolicy", [("RequireSymbols", "TRUE"),
                                                   ("RequireNumbers", "false"),
                                                   ("MinimumPasswordLength", "12")])

    assert parsed == {"RequireSymbols": True, "RequireNumbers": False, "MinimumPasswordLength": 12}


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_boolean_must_be_true_or_false(value):
    with pytest.raises(ValidationError, match="Member must be true or false"):
        parse("UpdateAccountPasswordPolicy", [("RequireSymbols", value)])


def test_maps_are_entries_with_key_and_value():
    resolver = ShapeResolver({
        "Input": {"type": "structure", "members": {"Labels": {"shape": "LabelMap"}}},
        "LabelMap": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Text"}},
        "Text": {"type": "string"},
    })

    parsed = params.parse(resolver.get_shape_by_name("Input"), [
        ("Labels.entry.1.key", "a"), ("Labels.entry.1.value", "1"),
        ("Labels.entry.2.key", "b"), ("Labels.entry.2.value", "2")])

    assert parsed == {"Labels": {"a": "1", "b": "2"}}


def test_sensitive_values_are_not_quoted_back():
    with pytest.raises(ValidationError) as caught:
        parse("ChangePassword", [("OldPassword", "secret-old"), ("NewPassword", "x" * 200)])

    assert "secret-old" not in caught.value.message
    assert "x" * 20 not in caught.value.message
    assert "Value at 'newPassword' failed to satisfy constraint: Member must have length less " \
        "than or equal to 128" in caught.value.message


def test_java_only_patterns_are_left_to_the_operation():
    # tagKeyType's pattern uses \p{L}, which Python's re cannot compile.
    parsed = parse("TagUser", [("UserName", "carol"), ("Tags.member.1.Key", "Kostenstelle ü"),
                               ("Tags.member.1.Value", "x")])

    assert parsed["Tags"][0]["Key"] == "Kostenstelle ü"


def test_list_indexes_must_be_positive_numbers():
    with pytest.raises(ValidationError, match="numbered from 1"):
        parse("UntagUser", [("UserName", "carol"), ("TagKeys.member.x", "a")])


def _read_back(action: str, result: dict, service: str = "iam") -> dict:
    operation = shapes.operation_model(service, action)
    body = xml.response(operation, shapes.SERVICES[service].namespace, result, "req-1")
    parsed = create_parser("query").parse(
        {"body": body, "headers": {}, "status_code": 200}, operation.output_shape)
    json_decode_policies(parsed, operation)
    return parsed


def test_policy_documents_are_url_encoded_and_botocore_decodes_them():
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/x": "a+b %20 & <c> ü"}}}]}
    operation = shapes.operation_model("iam", "GetUserPolicy")
    result = {"UserName": "u", "PolicyName": "p", "PolicyDocument": json.dumps(document)}
    body = xml.response(operation, shapes.SERVICES["iam"].namespace, result, "req-1")

    assert b"%7B%22Version%22" in body
    assert _read_back("GetUserPolicy", {"UserName": "u", "PolicyName": "p",
                                        "PolicyDocument": json.dumps(document)}
                      )["PolicyDocument"] == document


def test_xml_is_well_formed_whatever_was_stored():
    parsed = _read_back("ListUserTags", {"Tags": [{"Key": "a<b>&\"'", "Value": "\x00x\x1fy\ufffe"}],
                                         "IsTruncated": False})

    assert parsed["Tags"] == [{"Key": "a<b>&\"'", "Value": "xy"}]


def test_maps_timestamps_booleans_and_blobs_read_back():
    from datetime import datetime, timezone

    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    summary = _read_back("GetAccountSummary", {"SummaryMap": {"Users": 3, "Groups": 0}})
    user = _read_back("GetUser", {"User": {"Path": "/", "UserName": "u", "UserId": "AIDA1",
                                           "Arn": "arn", "CreateDate": when}})
    truncated = _read_back("ListUsers", {"Users": [], "IsTruncated": True, "Marker": "m"})
    mfa = _read_back("CreateVirtualMFADevice", {"VirtualMFADevice": {
        "SerialNumber": "s", "Base32StringSeed": b"ABCDEF"}})

    assert summary["SummaryMap"] == {"Users": 3, "Groups": 0}
    assert user["User"]["CreateDate"] == when
    assert truncated["Users"] == [] and truncated["IsTruncated"] is True
    assert mfa["VirtualMFADevice"]["Base32StringSeed"] == b"ABCDEF"


@pytest.mark.parametrize(("value", "written"), [
    ("2026-01-02 03:04:05.678901+00:00", "2026-01-02T03:04:05Z"),  # microseconds dropped
    ("2026-01-02 05:04:05+02:00", "2026-01-02T03:04:05Z"),  # another zone, in UTC
    ("2026-01-01 22:04:05-05:00", "2026-01-02T03:04:05Z"),  # across midnight
    ("2026-01-02 03:04:05", "2026-01-02T03:04:05Z"),  # naive: taken as UTC
    ("0999-12-31 23:59:59.5+00:00", "0999-12-31T23:59:59Z"),
])
def test_timestamps_are_written_in_utc_to_the_second(value, written):
    from datetime import datetime

    assert xml.timestamp(datetime.fromisoformat(value)) == written


def test_operation_without_result_has_only_metadata():
    operation = shapes.operation_model("iam", "DeleteUser")

    body = xml.response(operation, shapes.SERVICES["iam"].namespace, None, "req-1")

    assert body == (b'<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                    b"<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
                    b"</DeleteUserResponse>")


@pytest.mark.parametrize("query", [
    "", "Action=ListUsers&Version=2010-05-08", "b=2&a=1&a=0",
    "Name=a%20b%2Bc~d%2Ae&Empty=&Bare", "U=%C3%BC%E2%82%AC",
])
def test_canonical_request_matches_botocores(query):
    body = b"Action=ListUsers&Version=2010-05-08"
    url = "http://127.0.0.1:8000/" + ("?" + query if query else "")
    request = AWSRequest(method="POST", url=url,
                         data=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Host": "127.0.0.1:8000"})
    signer = SigV4Auth(Credentials("AKIAEXAMPLE", "secret"), "iam", "us-east-1")
    signer.add_auth(request)
    signed = sigv4.read(request.headers, {})
    del request.headers["Authorization"]  # botocore's canonical request, as it signed it
    expected = signer.canonical_request(request)

    ours = sigv4.canonical_request(method="POST", path="/",
                                   query_string=urlsplit(request.url).query,
                                   headers=request.headers, body=body, signed=signed)

    assert ours == expected


def test_signature_check_accepts_botocores_and_refuses_another():
    request = AWSRequest(method="POST", url="http://127.0.0.1:8000/", data=b"Action=ListUsers",
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Host": "127.0.0.1:8000"})
    SigV4Auth(Credentials("AKIAEXAMPLE", "secret"), "iam", "us-east-1").add_auth(request)
    signed = sigv4.read(request.headers, {})
    canonical = sigv4.canonical_request(method="POST", path="/", query_string="",
                                        headers=request.headers, body=b"Action=ListUsers",
                                        signed=signed)

    sigv4.verify(sigv4.signing_key("secret", signed), signed, canonical)
    with pytest.raises(sigv4.SignatureDoesNotMatch):
        sigv4.verify(sigv4.signing_key("other", signed), signed, canonical)


def test_clock_boundaries_at_exactly_fifteen_minutes():
    from datetime import datetime, timedelta, timezone

    signed = sigv4.Signed("AKIA", "20260101", "us-east-1", "iam", "20260101T000000Z",
                          ("host", "x-amz-date"), "0" * 64, False, 0, None)
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)

    sigv4.check_time(signed, moment + timedelta(minutes=15))
    sigv4.check_time(signed, moment - timedelta(minutes=15))
    with pytest.raises(sigv4.RequestExpired):
        sigv4.check_time(signed, moment + timedelta(minutes=15, seconds=1))
    with pytest.raises(sigv4.RequestExpired):
        sigv4.check_time(signed, moment - timedelta(minutes=15, seconds=1))


def test_every_route_names_a_model_action_and_an_existing_operation():
    for (service, action), entry in registry.routes().items():
        assert shapes.operation_model(service, action) is not None, action
        assert registry._resolve(entry.target) is not None, entry.target


def test_every_required_operation_argument_is_reachable_from_the_model():
    """An operation keyword without a default must be some model parameter, or the
    API could never call it."""
    for service, action, _ in registry.implemented_actions():
        handler = registry.handler(service, action)
        members = shapes.operation_model(service, action).input_shape
        names = {xform_name(name) for name in (members.members if members else {})}
        for parameter in list(inspect.signature(handler.operation).parameters.values())[1:]:
            if parameter.default is inspect.Parameter.empty:
                assert parameter.name in names, f"{action}: {parameter.name}"


def test_implemented_table_lists_each_action_once():
    table = registry.implemented_table().splitlines()

    assert table[0] == "| Service | Action | Operation |"
    assert "| IAM | CreateUser | `identities.operations.users.create_user` |" in table
    assert len(table) == len(set(table))
