"""GetAccountAuthorizationDetails through boto3, with its paginator."""

from __future__ import annotations

import json


from tests.api.helpers import client, error_of


def test_details_name_every_entity_and_what_it_holds(live_server, alice, account):
    from core.caller import Caller
    from identities.operations import groups
    from identities.operations.roles import create_role

    root = Caller.for_user(account.root)
    groups.create_group(root, group_name="ops")
    groups.add_user_to_group(root, group_name="ops", user_name="alice")
    create_role(root, role_name="Deploy", assume_role_policy_document=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}))
    iam = client("iam", live_server.url, alice)
    pages = list(iam.get_paginator("get_account_authorization_details").paginate(
        PaginationConfig={"PageSize": 2}))
    assert len(pages) > 1
    users = [u for p in pages for u in p["UserDetailList"]]
    groups_ = [g for p in pages for g in p["GroupDetailList"]]
    roles = [r for p in pages for r in p["RoleDetailList"]]
    alice_detail = next(u for u in users if u["UserName"] == "alice")
    assert alice_detail["GroupList"] == ["ops"]
    assert [g["GroupName"] for g in groups_] == ["ops"]
    assert roles[0]["RoleName"] == "Deploy"
    assert roles[0]["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert only_roles["UserDetailList"] == [] and len(only_roles["RoleDetailList"]) == 1


def test_bob_is_refused(live_server, bob):
    iam = client("iam", live_server.url, bob)
    assert error_of(iam.get_account_authorization_details)["Error"]["Code"] == "AccessDenied"
