"""Wildcards: only * and ? are special, actions ignore case, resources do not, and
ARN segments keep their wildcards to themselves."""

from __future__ import annotations

import pytest

from policies.engine.matching import compile_any, compile_arn, compile_glob

from .helpers import ACCT, allow, allowed, policy


@pytest.mark.parametrize(
    "pattern, text, expected",
    [
        ("iam:*", "iam:createuser", True),
        ("iam:get*", "iam:getuser", True),
        ("iam:get*", "iam:listusers", False),
        ("iam:*accesskey*", "iam:createaccesskey", True),
        ("iam:*accesskey*", "iam:listaccesskeys", True),
        ("iam:get?ser", "iam:getuser", True),
        ("iam:get?ser", "iam:getuuser", False),
        ("iam:get?ser", "iam:getser", False),
        ("*", "anything:at-all", True),
        ("a.b", "a.b", True),
        ("a.b", "aXb", False),
        ("a+b", "aab", False),
        ("a+b", "a+b", True),
        ("(x)", "(x)", True),
        ("[ab]", "a", False),
        ("a\\d", "a\\d", True),
        ("a\\d", "a1", False),
        ("$^|", "$^|", True),
    ],
)
def test_glob_wildcards_and_escaping(pattern, text, expected):
    assert bool(compile_glob(pattern)(text)) is expected


@pytest.mark.parametrize(
    "pattern, arn, expected",
    [
        ("arn:aws:iam::123456789012:user/a.b", "arn:aws:iam::123456789012:user/a.b", True),
        ("arn:aws:iam::123456789012:user/a.b", "arn:aws:iam::123456789012:user/aXb", False),
        ("arn:aws:iam::123456789012:user/a?c", "arn:aws:iam::123456789012:user/abc", True),
        ("arn:aws:iam::123456789012:user/a?c", "arn:aws:iam::123456789012:user/ac", False),
        ("arn:aws:iam::123456789012:user/a?c", "arn:aws:iam::123456789012:user/abbc", False),
        ("arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/path/bob", True),
        ("arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:role/bob", False),
        # AWS: a * that is the last character of a segment can expand past colons.
        ("arn:aws:iam::*", "arn:aws:iam::123456789012:user/bob", True),
        ("arn:aws:iam::*:user/bob", "arn:aws:iam::123456789012:user/bob", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c", True),
        # ...but a * inside a segment stays inside it.
        ("arn:aws:iam::1*2:user/bob", "arn:aws:iam::1:x:2:user/bob", False),
        ("arn:aws:iam::1*2:user/bob", "arn:aws:iam::1552:user/bob", True),
        ("arn:aws:iam::12345678901?:user/bob", "arn:aws:iam::123456789012:user/bob", True),
        ("arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", False),
        (
            "arn:aws:sqs:us-east-2:*:${aws:username}-queue",
            "arn:aws:sqs:us-east-2:1:${aws:username}-queue",
            True,
        ),
    ],
)
def test_arn_patterns_match_segment_by_segment(pattern, arn, expected):
    assert bool(compile_arn(pattern)(arn)) is expected


def test_matching_any_of_many_patterns_uses_one_matcher():
    many = compile_any(
        [
            ((p, True),)
            for p in ("arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b*", "arn:aws:iam::1:role/c")
        ],
        True,
    )
    assert (
        many("arn:aws:iam::1:user/a")
        and many("arn:aws:iam::1:user/bee")
        and many("arn:aws:iam::1:role/c")
    )
    assert not many("arn:aws:iam::1:user/c") and not many("arn:aws:iam::1:role/cc")
    literal = compile_any([(("x", True),), (("y", False),)], True)
    assert literal("x") and literal("y") and not literal("z")
    assert not compile_any([], True)("anything")


def test_action_names_match_regardless_of_case():
    p = policy(allow(["IAM:getuser", "iam:LIST*"]))
    assert allowed("iam:GetUser", "*", identity=[p])
    assert allowed("Iam:ListUsers", "*", identity=[p])
    assert allowed("iam:getuser", "*", identity=[p])


def test_resource_names_are_case_sensitive():
    p = policy(allow("iam:GetUser", f"arn:aws:iam::{ACCT}:user/Bob"))
    assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/Bob", identity=[p])
    assert not allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/bob", identity=[p])


def test_a_dot_in_a_resource_pattern_is_not_a_regex_wildcard():
    p = policy(allow("iam:GetUser", f"arn:aws:iam::{ACCT}:user/a.b"))
    assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/a.b", identity=[p])
    assert not allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/aXb", identity=[p])


def test_question_mark_matches_exactly_one_character():
    p = policy(allow("iam:GetUser", f"arn:aws:iam::{ACCT}:user/user?"))
    assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/user1", identity=[p])
    assert not allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/user", identity=[p])
    assert not allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/user12", identity=[p])


def test_action_question_mark_and_star_in_the_middle():
    p = policy(allow(["iam:*AccessKey*", "iam:Get?ser"]))
    for action in ("iam:CreateAccessKey", "iam:ListAccessKeys", "iam:GetUser"):
        assert allowed(action, "*", identity=[p])
    assert not allowed("iam:GetUsers", "*", identity=[p])
    assert not allowed("iam:DeleteUser", "*", identity=[p])


def test_notaction_allow_covers_every_other_action():
    p = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert allowed("sts:GetCallerIdentity", "*", identity=[p])
    assert not allowed("iam:GetUser", "*", identity=[p])


def test_notresource_allow_covers_every_other_resource():
    p = policy(
        {
            "Effect": "Allow",
            "Action": "iam:GetUser",
            "NotResource": f"arn:aws:iam::{ACCT}:user/admin*",
        }
    )
    assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/bob", identity=[p])
    assert not allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/admin-1", identity=[p])


def test_a_deny_with_notresource_still_denies_the_other_resources():
    p = policy(
        allow(),
        {
            "Effect": "Deny",
            "Action": "iam:DeleteUser",
            "NotResource": f"arn:aws:iam::{ACCT}:user/temp/*",
        },
    )
    assert allowed("iam:DeleteUser", f"arn:aws:iam::{ACCT}:user/temp/t1", identity=[p])
    assert not allowed("iam:DeleteUser", f"arn:aws:iam::{ACCT}:user/admin", identity=[p])


def test_a_deny_with_notaction_denies_every_other_action():
    p = policy(allow(), {"Effect": "Deny", "NotAction": ["iam:GetUser", "sts:*"], "Resource": "*"})
    assert allowed("iam:GetUser", "*", identity=[p])
    assert allowed("sts:GetCallerIdentity", "*", identity=[p])
    assert not allowed("iam:CreateUser", "*", identity=[p])


def test_a_statement_lists_several_patterns_and_any_one_matches():
    p = policy(
        allow(
            ["iam:GetUser", "iam:List*"],
            [f"arn:aws:iam::{ACCT}:user/a", f"arn:aws:iam::{ACCT}:group/*"],
        )
    )
    assert allowed("iam:ListGroups", f"arn:aws:iam::{ACCT}:group/devs", identity=[p])
    assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/a", identity=[p])
    assert not allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/b", identity=[p])


def test_empty_action_or_resource_lists_match_nothing():
    assert not allowed("iam:GetUser", "*", identity=[policy(allow([], "*"))])
    assert not allowed("iam:GetUser", "*", identity=[policy(allow("*", []))])
