"""Policy actions through boto3: managed policies and versions, inline policies, attachments,
boundaries and the simulator. Documents travel URL-encoded and come back as dicts."""

from __future__ import annotations

import json

import pytest

from tests.api.helpers import error_of

pytestmark = pytest.mark.django_db(transaction=True)

READ_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]}
# Spaces, "+", "&", "<", "%", quotes and Latin-1 survive the round trip exactly.
ODD = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a+b & <c> 100% \"q\" ü"}}}]}


@pytest.fixture
def policy_arn(iam) -> str:
    return iam.create_policy(PolicyName="ReadOnly", PolicyDocument=json.dumps(READ_ONLY),
                             Description="Reads")["Policy"]["Arn"]


def test_create_get_and_list_a_managed_policy(iam, policy_arn):
    assert policy_arn == "arn:aws:iam::111122223333:policy/ReadOnly"
    policy = iam.get_policy(PolicyArn=policy_arn)["Policy"]
    assert policy["PolicyId"].startswith("ANPA")
    assert policy["DefaultVersionId"] == "v1"
    assert policy["AttachmentCount"] == 0
    assert policy["IsAttachable"] is True
    assert policy["Description"] == "Reads"

    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["ReadOnly"]


def test_policy_version_document_comes_back_as_the_dict_that_was_sent(iam, policy_arn):
    created = iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps(ODD),
                                        SetAsDefault=True)["PolicyVersion"]
    assert created["VersionId"] == "v2" and created["IsDefaultVersion"] is True
    assert "Document" not in created

    version = iam.get_policy_version(PolicyArn=policy_arn, VersionId="v2")["PolicyVersion"]

    assert version["Document"] == ODD
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=policy_arn)["Versions"]] \
        == ["v2", "v1"]


def test_default_version_switch_and_version_delete(iam, policy_arn):
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps(ODD))

    iam.set_default_policy_version(PolicyArn=policy_arn, VersionId="v2")
    assert iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"] == "v2"
    assert error_of(iam.delete_policy_version, PolicyArn=policy_arn,
                    VersionId="v2")["Error"]["Code"] == "DeleteConflict"

    iam.delete_policy_version(PolicyArn=policy_arn, VersionId="v1")
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=policy_arn)["Versions"]] \
        == ["v2"]


def test_policy_tags(iam, policy_arn):
    iam.tag_policy(PolicyArn=policy_arn, Tags=[{"Key": "owner", "Value": "sec"}])
    assert iam.list_policy_tags(PolicyArn=policy_arn)["Tags"] == [{"Key": "owner", "Value": "sec"}]

    iam.untag_policy(PolicyArn=policy_arn, TagKeys=["owner"])
    assert iam.list_policy_tags(PolicyArn=policy_arn)["Tags"] == []


def test_attach_list_entities_and_detach(iam, policy_arn):
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="devs")
    iam.attach_user_policy(UserName="carol", PolicyArn=policy_arn)
    iam.attach_group_policy(GroupName="devs", PolicyArn=policy_arn)

    attached = iam.list_attached_user_policies(UserName="carol")["AttachedPolicies"]
    assert attached == [{"PolicyName": "ReadOnly", "PolicyArn": policy_arn}]
    assert iam.list_attached_group_policies(GroupName="devs")["AttachedPolicies"] == attached
    entities = iam.list_entities_for_policy(PolicyArn=policy_arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["carol"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["devs"]
    assert entities["PolicyRoles"] == []
    assert error_of(iam.delete_policy, PolicyArn=policy_arn)["Error"]["Code"] == "DeleteConflict"

    iam.detach_user_policy(UserName="carol", PolicyArn=policy_arn)
    iam.detach_group_policy(GroupName="devs", PolicyArn=policy_arn)
    iam.delete_policy(PolicyArn=policy_arn)
    assert error_of(iam.get_policy, PolicyArn=policy_arn)["Error"]["Code"] == "NoSuchEntity"


def test_user_and_group_inline_policies(iam):
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="devs")

    iam.put_user_policy(UserName="carol", PolicyName="odd", PolicyDocument=json.dumps(ODD))
    iam.put_group_policy(GroupName="devs", PolicyName="read", PolicyDocument=json.dumps(READ_ONLY))

    got = iam.get_user_policy(UserName="carol", PolicyName="odd")
    assert got["UserName"] == "carol" and got["PolicyName"] == "odd"
    assert got["PolicyDocument"] == ODD
    assert iam.get_group_policy(GroupName="devs", PolicyName="read")["PolicyDocument"] == READ_ONLY
    assert iam.list_user_policies(UserName="carol")["PolicyNames"] == ["odd"]
    assert iam.list_group_policies(GroupName="devs")["PolicyNames"] == ["read"]

    iam.delete_user_policy(UserName="carol", PolicyName="odd")
    iam.delete_group_policy(GroupName="devs", PolicyName="read")
    assert iam.list_user_policies(UserName="carol")["PolicyNames"] == []
    assert error_of(iam.get_group_policy, GroupName="devs",
                    PolicyName="read")["Error"]["Code"] == "NoSuchEntity"


def test_malformed_document_is_malformed_policy_document(iam):
    iam.create_user(UserName="carol")

    response = error_of(iam.put_user_policy, UserName="carol", PolicyName="bad",
                        PolicyDocument='{"Version": "2012-10-17", "Statement": "nope"}')

    assert response["Error"]["Code"] == "MalformedPolicyDocument"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_user_permissions_boundary_is_put_shown_and_removed(iam, policy_arn):
    iam.create_user(UserName="carol")

    iam.put_user_permissions_boundary(UserName="carol", PermissionsBoundary=policy_arn)
    assert iam.get_user(UserName="carol")["User"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == policy_arn

    iam.delete_user_permissions_boundary(UserName="carol")
    assert "PermissionsBoundary" not in iam.get_user(UserName="carol")["User"]


def test_simulate_principal_policy_reports_decisions(iam):
    iam.create_user(UserName="carol")
    iam.put_user_policy(UserName="carol", PolicyName="read", PolicyDocument=json.dumps(READ_ONLY))

    results = iam.simulate_principal_policy(
        PolicySourceArn="arn:aws:iam::111122223333:user/carol",
        ActionNames=["iam:ListUsers", "iam:CreateUser"])["EvaluationResults"]

    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in results}
    assert decisions == {"iam:ListUsers": "allowed", "iam:CreateUser": "implicitDeny"}
    assert results[0]["EvalResourceName"] == "*"
    assert results[0]["MatchedStatements"]


def test_simulate_custom_policy_with_context_entries(iam):
    document = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})

    inside = iam.simulate_custom_policy(
        PolicyInputList=[document], ActionNames=["iam:ListUsers"],
        ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                         "ContextKeyType": "ip"}])["EvaluationResults"]
    outside = iam.simulate_custom_policy(PolicyInputList=[document],
                                         ActionNames=["iam:ListUsers"])["EvaluationResults"]

    assert inside[0]["EvalDecision"] == "allowed"
    assert outside[0]["EvalDecision"] == "implicitDeny"
    assert outside[0]["MissingContextValues"] == ["aws:SourceIp"]


def test_context_keys_of_custom_and_principal_policies(iam):
    document = json.dumps(ODD)
    iam.create_user(UserName="carol")
    iam.put_user_policy(UserName="carol", PolicyName="odd", PolicyDocument=document)

    custom = iam.get_context_keys_for_custom_policy(PolicyInputList=[document])
    principal = iam.get_context_keys_for_principal_policy(
        PolicySourceArn="arn:aws:iam::111122223333:user/carol")

    assert custom["ContextKeyNames"] == ["aws:PrincipalTag/team"]
    assert principal["ContextKeyNames"] == ["aws:PrincipalTag/team"]
