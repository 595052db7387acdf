"""Principals, requests and the request context."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from policies.engine import Principal, Request, build_context
from policies.engine.context import ContextView

from .helpers import ACCT, OTHER, condition_allows


def test_principal_from_arn_recognises_each_kind():
    user = Principal.from_arn(f"arn:aws:iam::{ACCT}:user/dev/alice")
    assert (user.kind, user.account, user.username, user.is_root) == ("User", ACCT, "alice", False)
    root = Principal.from_arn(f"arn:aws:iam::{ACCT}:root")
    assert root.kind == "Account" and root.is_root
    sess = Principal.from_arn(f"arn:aws:sts::{ACCT}:assumed-role/Admin/bob")
    assert (sess.kind, sess.role_arn, sess.username) == (
        "AssumedRole",
        f"arn:aws:iam::{ACCT}:role/Admin",
        None,
    )
    fed = Principal.from_arn(f"arn:aws:sts::{ACCT}:federated-user/carol")
    assert fed.kind == "FederatedUser"
    assert Principal.service("ec2.amazonaws.com").kind == "Service"
    assert Principal.anonymous().kind == "Anonymous"


@pytest.mark.parametrize(
    "arn", ["bob", f"arn:aws:iam::{ACCT}:group/devs", f"arn:aws:sts::{ACCT}:assumed-role/x"]
)
def test_principal_from_arn_refuses_what_is_not_a_principal(arn):
    with pytest.raises(ValueError):
        Principal.from_arn(arn)


def test_request_resource_account_defaults_to_the_arn_account():
    user = Principal.from_arn(f"arn:aws:iam::{ACCT}:user/alice")
    assert Request("iam:GetRole", f"arn:aws:iam::{OTHER}:role/r", user).resource_account == OTHER
    assert Request("iam:ListUsers", "*", user).resource_account is None
    assert Request("iam:ListUsers", "*", user).same_account
    assert not Request("iam:GetRole", f"arn:aws:iam::{OTHER}:role/r", user).same_account


def test_context_keys_are_case_insensitive_and_principal_keys_are_filled_in():
    user = Principal.from_arn(
        f"arn:aws:iam::{ACCT}:user/alice", tags={"Team": "blue"}, user_id="AIDAEXAMPLE"
    )
    view = ContextView(
        Request("iam:GetUser", "*", user, {"AWS:SourceIP": "10.0.0.1", "aws:TagKeys": ["a", "b"]})
    )
    assert view.get("aws:sourceip") == ("10.0.0.1",)
    assert view.get("aws:tagkeys") == ("a", "b")
    assert view.get("aws:username") == ("alice",)
    assert view.get("aws:principalarn") == (user.arn,)
    assert view.get("aws:principaltype") == ("User",)
    assert view.get("aws:principalaccount") == (ACCT,)
    assert view.get("aws:principaltag/team") == ("blue",)
    assert view.get("aws:userid") == ("AIDAEXAMPLE",)
    assert view.single("aws:tagkeys") is None and view.single("aws:username") == "alice"


def test_callers_context_overrides_the_derived_keys():
    user = Principal.from_arn(f"arn:aws:iam::{ACCT}:user/alice")
    view = ContextView(Request("iam:GetUser", "*", user, {"aws:username": "override"}))
    assert view.get("aws:username") == ("override",)


def test_role_sessions_principal_arn_key_is_the_role_arn():
    sess = Principal.from_arn(f"arn:aws:sts::{ACCT}:assumed-role/Admin/bob")
    view = ContextView(Request("iam:GetUser", "*", sess))
    assert view.get("aws:principalarn") == (f"arn:aws:iam::{ACCT}:role/Admin",)
    assert view.get("aws:principaltype") == ("AssumedRole",)


def test_build_context_uses_aws_key_names_and_formats():
    user = Principal.from_arn(f"arn:aws:iam::{ACCT}:user/alice")
    now = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
    ctx = build_context(
        user,
        now=now,
        source_ip="203.0.113.5",
        secure_transport=True,
        mfa_authenticated=True,
        mfa_age_seconds=30,
        token_issue_time=now - timedelta(minutes=5),
        extra={"aws:TagKeys": ("a",)},
    )
    assert ctx["aws:CurrentTime"] == "2025-06-01T12:00:00Z"
    assert ctx["aws:EpochTime"] == str(int(now.timestamp()))
    assert ctx["aws:SecureTransport"] == "true" and ctx["aws:MultiFactorAuthPresent"] == "true"
    assert (
        ctx["aws:MultiFactorAuthAge"] == "30"
        and ctx["aws:TokenIssueTime"] == "2025-06-01T11:55:00Z"
    )
    assert ctx["aws:PrincipalArn"] == user.arn and ctx["aws:username"] == "alice"
    assert ctx["aws:TagKeys"] == ["a"]
    assert "aws:MultiFactorAuthPresent" not in build_context(user, now=now)


def test_a_built_context_drives_conditions():
    user = Principal.from_arn(f"arn:aws:iam::{ACCT}:user/alice")
    ctx = build_context(
        user, now=datetime(2025, 6, 1, tzinfo=timezone.utc), source_ip="203.0.113.5"
    )
    assert condition_allows(
        {
            "DateGreaterThan": {"aws:CurrentTime": "2025-01-01"},
            "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        },
        ctx,
    )
