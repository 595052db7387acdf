"""The IAM/STS action catalogue from botocore's service models."""

from __future__ import annotations

import pytest

from policies.engine import catalog


def test_iam_and_sts_actions_come_from_botocore_sorted_and_prefixed():
    iam = catalog.iam_actions()
    sts = catalog.sts_actions()
    assert list(iam) == sorted(iam) and list(sts) == sorted(sts)
    assert {"iam:CreateUser", "iam:AttachRolePolicy", "iam:GetAccountAuthorizationDetails"} <= set(
        iam
    )
    assert {"sts:AssumeRole", "sts:GetCallerIdentity", "sts:GetSessionToken"} <= set(sts)
    assert len(iam) > 150


def test_catalogue_includes_permission_only_and_event_history_actions():
    for action in ("iam:PassRole", "iam:ListEvents", "iam:GetEvent", "sts:TagSession"):
        assert catalog.is_known_action(action)


def test_known_action_lookup_ignores_case():
    assert catalog.is_known_action("IAM:createuser")
    assert catalog.canonical_name("iam:createuser") == "iam:CreateUser"
    assert not catalog.is_known_action("iam:CreateUsers")
    assert not catalog.is_known_action("s3:GetObject")


@pytest.mark.parametrize(
    "action, level",
    [
        ("iam:ListUsers", "List"),
        ("iam:ListEvents", "List"),
        ("iam:GetUser", "Read"),
        ("iam:GetEvent", "Read"),
        ("iam:GenerateCredentialReport", "Read"),
        ("iam:SimulatePrincipalPolicy", "Read"),
        ("sts:DecodeAuthorizationMessage", "Read"),
        ("iam:TagUser", "Tagging"),
        ("iam:UntagRole", "Tagging"),
        ("sts:TagSession", "Tagging"),
        ("iam:PutUserPolicy", "Permissions management"),
        ("iam:AttachRolePolicy", "Permissions management"),
        ("iam:DetachGroupPolicy", "Permissions management"),
        ("iam:CreatePolicyVersion", "Permissions management"),
        ("iam:UpdateAssumeRolePolicy", "Permissions management"),
        ("iam:DeleteUserPermissionsBoundary", "Permissions management"),
        ("iam:UpdateAccountPasswordPolicy", "Write"),
        ("iam:CreateUser", "Write"),
        ("iam:PassRole", "Write"),
        ("sts:AssumeRole", "Write"),
        ("iam:createaccesskey", "Write"),
    ],
)
def test_access_levels_follow_the_documented_naming_rules(action, level):
    assert catalog.access_level(action) == level


def test_actions_matching_a_pattern():
    matched = catalog.actions_matching("iam:Get*AccessKey*")
    assert matched == ["iam:GetAccessKeyLastUsed"]
    assert catalog.actions_matching("iam:Nothing*") == []
