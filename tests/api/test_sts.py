"""STS through boto3: who am I, assuming a role, session tokens, and temporary (ASIA)
credentials signing later requests until they expire."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.api.helpers import error_of

pytestmark = pytest.mark.django_db(transaction=True)

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "sts:AssumeRole"}]}
LIST_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}


def session_client(live_server, service: str, credentials: dict):
    """A client signing with temporary credentials (ASIA key and session token)."""
    import boto3

    return boto3.Session().client(
        service, endpoint_url=live_server.url, region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"])


def test_get_caller_identity_names_the_user(sts, alice):
    identity = sts.get_caller_identity()

    assert identity["Account"] == "111122223333"
    assert identity["Arn"] == "arn:aws:iam::111122223333:user/alice"
    assert identity["UserId"] == alice.user.user_id


def test_get_caller_identity_needs_no_policy(clients, bob):
    assert clients("sts", bob).get_caller_identity()["Arn"].endswith(":user/bob")


def test_assumed_role_credentials_act_as_the_role(live_server, iam, sts):
    iam.create_role(RoleName="lister", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="lister", PolicyName="list", PolicyDocument=json.dumps(LIST_ONLY))

    assumed = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/lister",
                              RoleSessionName="ci-run", DurationSeconds=900)

    credentials = assumed["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert assumed["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::111122223333:assumed-role/lister/ci-run"
    role_sts = session_client(live_server, "sts", credentials)
    role_iam = session_client(live_server, "iam", credentials)
    assert role_sts.get_caller_identity()["Arn"] == \
        "arn:aws:sts::111122223333:assumed-role/lister/ci-run"
    assert [u["UserName"] for u in role_iam.list_users()["Users"]] == ["alice"]
    denied = error_of(role_iam.create_user, UserName="carol")
    assert denied["Error"]["Code"] == "AccessDenied"
    assert denied["Error"]["Message"].startswith(
        "User: arn:aws:sts::111122223333:assumed-role/lister/ci-run is not authorized to "
        "perform: iam:CreateUser")


def test_role_that_does_not_trust_the_caller_is_access_denied(iam, sts):
    other = {**TRUST, "Statement": [{**TRUST["Statement"][0],
                                     "Principal": {"AWS": "arn:aws:iam::444455556666:root"}}]}
    iam.create_role(RoleName="foreign", AssumeRolePolicyDocument=json.dumps(other))

    response = error_of(sts.assume_role, RoleArn="arn:aws:iam::111122223333:role/foreign",
                        RoleSessionName="intruder")

    assert response["Error"]["Code"] == "AccessDenied"


def test_session_token_acts_as_the_user_until_it_expires(live_server, sts, monkeypatch):
    from sts import services

    credentials = sts.get_session_token(DurationSeconds=900)["Credentials"]
    user_sts = session_client(live_server, "sts", credentials)

    assert user_sts.get_caller_identity()["Arn"] == "arn:aws:iam::111122223333:user/alice"

    later = credentials["Expiration"] + timedelta(seconds=1)
    monkeypatch.setattr(services, "_now", lambda: later)
    response = error_of(user_sts.get_caller_identity)
    assert response["Error"]["Code"] == "ExpiredToken"


def test_wrong_session_token_is_an_invalid_client_token(live_server, sts):
    credentials = sts.get_session_token(DurationSeconds=900)["Credentials"]

    forged = session_client(live_server, "sts", {**credentials, "SessionToken": "forged"})

    assert error_of(forged.get_caller_identity)["Error"]["Code"] == "InvalidClientTokenId"


def test_access_key_info_names_the_account(sts, alice):
    assert sts.get_access_key_info(AccessKeyId=alice.access_key_id)["Account"] == "111122223333"


def test_sts_errors_use_the_sts_namespace(live_server, alice):
    from tests.api.helpers import send_signed, signed_request

    status, _, body = send_signed(signed_request(
        live_server.url, alice.credentials,
        {"Action": "AssumeRole", "Version": "2011-06-15"}, service="sts"))

    assert status == 400
    assert body.startswith(b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
