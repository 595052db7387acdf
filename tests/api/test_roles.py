"""IAM roles through boto3: the trust policy travels URL-encoded and returns as a dict."""

from __future__ import annotations

import json

import pytest

from tests.api.helpers import error_of

pytestmark = pytest.mark.django_db(transaction=True)

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "sts:AssumeRole"}]}
READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}


@pytest.fixture
def role(iam) -> dict:
    return iam.create_role(RoleName="deployer", Path="/ci/",
                           AssumeRolePolicyDocument=json.dumps(TRUST),
                           Description="CI deploys", MaxSessionDuration=7200,
                           Tags=[{"Key": "team", "Value": "ci"}])["Role"]


def test_create_and_get_role(iam, role):
    assert role["Arn"] == "arn:aws:iam::111122223333:role/ci/deployer"
    assert role["RoleId"].startswith("AROA")
    assert role["AssumeRolePolicyDocument"] == TRUST

    got = iam.get_role(RoleName="deployer")["Role"]
    assert got["AssumeRolePolicyDocument"] == TRUST
    assert got["Description"] == "CI deploys"
    assert got["MaxSessionDuration"] == 7200
    assert got["Tags"] == [{"Key": "team", "Value": "ci"}]
    assert got["RoleLastUsed"] == {}
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/ci/")["Roles"]] == ["deployer"]


def test_update_role_description_and_duration(iam, role):
    iam.update_role(RoleName="deployer", MaxSessionDuration=3600)
    updated = iam.update_role_description(RoleName="deployer", Description="New")["Role"]

    assert updated["Description"] == "New"
    assert updated["MaxSessionDuration"] == 3600


def test_max_session_duration_out_of_range_is_refused_by_the_model(iam, role):
    response = error_of(iam.update_role, RoleName="deployer", MaxSessionDuration=50000)

    assert response["Error"]["Code"] == "ValidationError"
    assert "at 'maxSessionDuration' failed to satisfy constraint: Member must have value less " \
        "than or equal to 43200" in response["Error"]["Message"]


def test_trust_policy_is_replaced(iam, role):
    other = {**TRUST, "Statement": [{**TRUST["Statement"][0],
                                     "Principal": {"AWS": "arn:aws:iam::444455556666:root"}}]}

    iam.update_assume_role_policy(RoleName="deployer", PolicyDocument=json.dumps(other))

    assert iam.get_role(RoleName="deployer")["Role"]["AssumeRolePolicyDocument"] == other


def test_role_tags(iam, role):
    iam.tag_role(RoleName="deployer", Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_role(RoleName="deployer", TagKeys=["team"])

    assert iam.list_role_tags(RoleName="deployer")["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_role_policies_boundary_and_delete(iam, role):
    arn = iam.create_policy(PolicyName="Read", PolicyDocument=json.dumps(READ))["Policy"]["Arn"]
    iam.put_role_policy(RoleName="deployer", PolicyName="inline", PolicyDocument=json.dumps(READ))
    iam.attach_role_policy(RoleName="deployer", PolicyArn=arn)
    iam.put_role_permissions_boundary(RoleName="deployer", PermissionsBoundary=arn)

    assert iam.get_role_policy(RoleName="deployer", PolicyName="inline")["PolicyDocument"] == READ
    assert iam.get_role_policy(RoleName="deployer", PolicyName="inline")["RoleName"] == "deployer"
    assert iam.list_role_policies(RoleName="deployer")["PolicyNames"] == ["inline"]
    assert [p["PolicyArn"] for p in
            iam.list_attached_role_policies(RoleName="deployer")["AttachedPolicies"]] == [arn]
    assert iam.get_role(RoleName="deployer")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == arn
    assert error_of(iam.delete_role, RoleName="deployer")["Error"]["Code"] == "DeleteConflict"

    iam.delete_role_permissions_boundary(RoleName="deployer")
    iam.detach_role_policy(RoleName="deployer", PolicyArn=arn)
    iam.delete_role_policy(RoleName="deployer", PolicyName="inline")
    iam.delete_role(RoleName="deployer")
    assert error_of(iam.get_role, RoleName="deployer")["Error"]["Code"] == "NoSuchEntity"
