"""A deny in a resource policy names its statements, like every other deny."""

from __future__ import annotations

from policies.engine import (
    DecisionEffect,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    StatementRef,
    evaluate,
)
from tests.engine.helpers import ACCT, policy


def _trust_deny():
    return policy({"Sid": "NoBob", "Effect": "Deny",
                   "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/bob"},
                   "Action": "sts:AssumeRole"}, kind=PolicyKind.TRUST, name="trust")


def _request(principal: Principal) -> Request:
    return Request("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/r", principal)


def test_a_resource_policy_deny_reports_statement_refs():
    bob = Principal(arn=f"arn:aws:iam::{ACCT}:user/bob", account=ACCT, kind="User")
    admin = policy({"Effect": "Allow", "Action": "*", "Resource": "*"}, name="admin")
    decision = evaluate(_request(bob), PolicySet(identity=(admin,), resource=(_trust_deny(),)))
    assert decision.effect is DecisionEffect.EXPLICIT_DENY
    assert all(isinstance(ref, StatementRef) for ref in decision.deciding)
    assert [ref.sid for ref in decision.deciding] == ["NoBob"]
    assert all(isinstance(ref, StatementRef) for ref in decision.matched_statements)
    assert "explicit deny in a resource-based policy" in decision.message(_request(bob))


def test_the_same_holds_for_the_account_root():
    root = Principal(arn=f"arn:aws:iam::{ACCT}:root", account=ACCT, kind="Account")
    deny_root = policy({"Sid": "NoRoot", "Effect": "Deny",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                        "Action": "sts:AssumeRole"}, kind=PolicyKind.TRUST, name="trust")
    decision = evaluate(_request(root), PolicySet(resource=(deny_root,)))
    assert decision.effect is DecisionEffect.EXPLICIT_DENY
    assert [ref.sid for ref in decision.deciding] == ["NoRoot"]
