"""Compilation: shared by content, labelled per policy, indexed by action."""

from __future__ import annotations

import dataclasses

import pytest

from policies.engine import PolicyError, PolicyKind, compile_policy, context_keys_in, parse_policy
from policies.engine.compile import compile_document

from .helpers import ACCT, allow, allowed, deny, text

DOC = text(
    {"Sid": "Read", **allow("iam:Get*")},
    {"Sid": "Keys", **allow("iam:*AccessKey*", f"arn:aws:iam::{ACCT}:user/${{aws:username}}")},
)


def test_same_text_shares_one_compilation_under_different_labels():
    a = compile_policy(DOC, PolicyKind.MANAGED, policy_id="ANPA1", name="One")
    b = compile_policy(DOC, PolicyKind.MANAGED, policy_id="ANPA2", name="Two")
    assert a.core is b.core
    assert [(r.policy_id, r.policy_name, r.sid) for r in a.statements] == [
        ("ANPA1", "One", "Read"),
        ("ANPA1", "One", "Keys"),
    ]
    assert [(r.policy_id, r.policy_name) for r in b.statements] == [("ANPA2", "Two")] * 2


def test_kind_is_part_of_the_cache_key():
    managed = compile_policy(DOC, PolicyKind.MANAGED)
    boundary = compile_policy(DOC, PolicyKind.BOUNDARY)
    assert managed.core is not boundary.core and boundary.kind is PolicyKind.BOUNDARY


def test_decisions_report_the_label_of_the_policy_that_decided():
    a = compile_policy(DOC, PolicyKind.MANAGED, policy_id="ANPA1", name="One")
    b = compile_policy(DOC, PolicyKind.MANAGED, policy_id="ANPA2", name="Two")
    from .helpers import decide

    assert decide("iam:GetUser", "*", identity=[b]).deciding[0].policy_name == "Two"
    assert decide("iam:GetUser", "*", identity=[a]).deciding[0].policy_name == "One"


def test_compiled_policies_are_frozen():
    compiled = compile_policy(DOC, PolicyKind.MANAGED, name="One")
    with pytest.raises(dataclasses.FrozenInstanceError):
        compiled.name = "Other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        compiled.statements[0].sid = "x"  # type: ignore[misc]


def test_compile_raises_policy_error_for_bad_documents_and_does_not_cache_them():
    with pytest.raises(PolicyError):
        compile_policy("{", PolicyKind.MANAGED)
    with pytest.raises(PolicyError):
        compile_policy("{", PolicyKind.MANAGED)


def test_an_already_parsed_document_can_be_compiled():
    compiled = compile_document(parse_policy(DOC, PolicyKind.MANAGED), name="Parsed")
    assert allowed("iam:GetUser", "*", identity=[compiled])


def test_action_index_returns_denies_and_allows_for_an_action_in_document_order():
    compiled = compile_policy(
        text(
            allow("iam:GetUser"),
            deny("iam:Get*"),
            allow("*"),
            {"Effect": "Allow", "NotAction": "iam:List*", "Resource": "*"},
            allow("sts:*"),
        ),
        PolicyKind.MANAGED,
    )
    denies, allows = compiled.core.lookup("iam:getuser")
    assert [s.index for s in denies] == [1] and [s.index for s in allows] == [0, 2, 3]
    denies, allows = compiled.core.lookup("iam:listusers")
    assert denies == () and [s.index for s in allows] == [2]
    assert [s.index for s in compiled.core.lookup("sts:assumerole")[1]] == [2, 3, 4]


def test_one_statement_listing_several_matching_actions_is_counted_once():
    compiled = compile_policy(text(allow(["iam:GetUser", "iam:Get*", "*"])), PolicyKind.MANAGED)
    assert len(compiled.core.lookup("iam:getuser")[1]) == 1


def test_context_keys_in_lists_condition_keys_and_variables():
    # Like GetContextKeysForCustomPolicy.
    doc = text(
        allow(
            "s3:ListBucket",
            "arn:aws:s3:::b",
            Condition={
                "StringLike": {"s3:prefix": "${aws:username}/*"},
                "Bool": {"aws:SecureTransport": "true"},
            },
        ),
        allow(
            "s3:GetObject",
            "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
            Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        ),
    )
    assert context_keys_in(doc) == [
        "aws:PrincipalTag/team",
        "aws:SecureTransport",
        "aws:SourceIp",
        "aws:username",
        "s3:prefix",
    ]
    compiled = compile_policy(doc, PolicyKind.MANAGED)
    other = text(
        allow(
            "iam:GetUser",
            "*",
            Condition={"StringEquals": {"AWS:SOURCEIP": "x", "iam:ResourceTag/a": "b"}},
        )
    )
    assert context_keys_in(compiled, other) == [
        "aws:PrincipalTag/team",
        "aws:SecureTransport",
        "aws:SourceIp",
        "aws:username",
        "iam:ResourceTag/a",
        "s3:prefix",
    ]


def test_context_keys_in_ignores_variables_of_2008_documents_and_reads_trust_policies():
    old = text(
        allow("iam:GetUser", f"arn:aws:iam::{ACCT}:user/${{aws:username}}"), version="2008-10-17"
    )
    assert context_keys_in(old) == []
    trust = text(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ACCT},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "x"}},
        }
    )
    assert context_keys_in(trust) == ["sts:ExternalId"]


def test_lazily_compiled_tests_give_the_same_answer_every_time():
    compiled = compile_policy(
        text(
            allow("iam:GetUser", [f"arn:aws:iam::{ACCT}:user/a*b", f"arn:aws:iam::{ACCT}:user/c?"])
        ),
        PolicyKind.MANAGED,
    )
    for _ in range(3):
        assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/axxb", identity=[compiled])
        assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/c1", identity=[compiled])
        assert not allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/c12", identity=[compiled])
