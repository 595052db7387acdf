"""Policy variables, as "IAM policy elements: Variables and tags" describes them."""

from __future__ import annotations

import pytest

from policies.engine.variables import Variable, parse_template

from .helpers import ACCT, allow, allowed, condition_allows, policy, session, user

OWN_KEYS = allow(["iam:*AccessKey*"], f"arn:aws:iam::{ACCT}:user/${{aws:username}}")


def test_username_variable_lets_each_user_manage_only_their_own_keys():
    # AWS example: "Resource": ["arn:aws:iam::account-id:user/${aws:username}"]
    p = policy(OWN_KEYS)
    assert allowed(
        "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/alice", user("alice"), identity=[p]
    )
    assert not allowed(
        "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/bob", user("alice"), identity=[p]
    )
    assert allowed(
        "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/bob", user("bob"), identity=[p]
    )


def test_s3_home_directory_example_with_variables_in_resource_and_condition():
    p = policy(
        allow(
            "s3:ListBucket",
            "arn:aws:s3:::mybucket",
            Condition={"StringLike": {"s3:prefix": ["${aws:username}/*"]}},
        ),
        allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::mybucket/${aws:username}/*"),
    )
    assert allowed(
        "s3:GetObject", "arn:aws:s3:::mybucket/David/notes.txt", user("David"), identity=[p]
    )
    assert not allowed(
        "s3:GetObject", "arn:aws:s3:::mybucket/Adele/notes.txt", user("David"), identity=[p]
    )
    assert allowed(
        "s3:ListBucket",
        "arn:aws:s3:::mybucket",
        user("David"),
        identity=[p],
        context={"s3:prefix": "David/x"},
    )
    assert not allowed(
        "s3:ListBucket",
        "arn:aws:s3:::mybucket",
        user("David"),
        identity=[p],
        context={"s3:prefix": "Adele/x"},
    )


def test_a_user_name_that_looks_like_a_wildcard_is_literal():
    p = policy(OWN_KEYS)
    assert not allowed(
        "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/alice", user("a*"), identity=[p]
    )


def test_unresolved_variable_matches_nothing():
    # A role session has no aws:username: the resource pattern cannot match.
    p = policy(OWN_KEYS)
    assert not allowed(
        "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/sess", session(name="sess"), identity=[p]
    )
    assert not allowed(
        "iam:CreateAccessKey",
        f"arn:aws:iam::{ACCT}:user/${{aws:username}}",
        session(),
        identity=[p],
    )


def test_unresolved_variable_in_a_condition_value_matches_nothing():
    condition = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    assert condition_allows(
        condition, {"aws:ResourceTag/team": "blue"}, principal=user(tags={"team": "blue"})
    )
    assert not condition_allows(
        condition, {"aws:ResourceTag/team": "blue"}, principal=user(tags={"team": "red"})
    )
    assert not condition_allows(condition, {"aws:ResourceTag/team": "blue"}, principal=user())


def test_default_value_is_used_when_the_key_is_absent():
    # AWS example: ${aws:userid, 'anonymous'}
    condition = {
        "StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/owner, 'company-wide'}"}
    }
    assert condition_allows(condition, {"aws:ResourceTag/owner": "company-wide"})
    assert not condition_allows(
        condition,
        {"aws:ResourceTag/owner": "company-wide"},
        principal=user(tags={"owner": "alice"}),
    )
    assert condition_allows(
        condition, {"aws:ResourceTag/owner": "alice"}, principal=user(tags={"owner": "alice"})
    )


def test_default_value_in_a_resource():
    p = policy(allow("iam:GetUser", f"arn:aws:iam::{ACCT}:user/${{aws:username, 'nobody'}}"))
    assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/nobody", session(), identity=[p])
    assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/alice", user("alice"), identity=[p])


@pytest.mark.parametrize(
    "pattern, resource, expected",
    [
        ("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", True),
        ("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/anything", False),
        ("arn:aws:s3:::bucket/what${?}", "arn:aws:s3:::bucket/what?", True),
        ("arn:aws:s3:::bucket/what${?}", "arn:aws:s3:::bucket/whatX", False),
        ("arn:aws:s3:::bucket/${$}HOME", "arn:aws:s3:::bucket/$HOME", True),
        ("arn:aws:s3:::bucket/${$}{x}", "arn:aws:s3:::bucket/${x}", True),
    ],
)
def test_special_variables_stand_for_literal_characters(pattern, resource, expected):
    assert (
        allowed("s3:GetObject", resource, identity=[policy(allow("s3:GetObject", pattern))])
        is expected
    )


def test_special_variables_in_string_conditions_are_literal_too():
    assert condition_allows({"StringLike": {"s3:prefix": "a${*}"}}, {"s3:prefix": "a*"})
    assert not condition_allows({"StringLike": {"s3:prefix": "a${*}"}}, {"s3:prefix": "abc"})
    assert condition_allows(
        {"StringEquals": {"s3:prefix": "${$}{aws:username}"}}, {"s3:prefix": "${aws:username}"}
    )


def test_variables_are_literal_text_in_a_2008_document():
    p = policy(OWN_KEYS, version="2008-10-17")
    assert not allowed(
        "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/alice", user("alice"), identity=[p]
    )
    assert allowed(
        "iam:CreateAccessKey",
        f"arn:aws:iam::{ACCT}:user/${{aws:username}}",
        user("alice"),
        identity=[p],
    )
    unversioned = policy(OWN_KEYS, version=None)
    assert not allowed(
        "iam:CreateAccessKey",
        f"arn:aws:iam::{ACCT}:user/alice",
        user("alice"),
        identity=[unversioned],
    )


def test_any_request_context_key_can_be_a_variable():
    condition = {"StringEquals": {"aws:ResourceTag/project": "${aws:RequestTag/project}"}}
    assert condition_allows(
        condition, {"aws:ResourceTag/project": "x", "aws:RequestTag/project": "x"}
    )
    assert not condition_allows(
        condition, {"aws:ResourceTag/project": "x", "aws:RequestTag/project": "y"}
    )


def test_variable_names_are_case_insensitive():
    p = policy(allow("iam:GetUser", f"arn:aws:iam::{ACCT}:user/${{AWS:UserName}}"))
    assert allowed("iam:GetUser", f"arn:aws:iam::{ACCT}:user/alice", user("alice"), identity=[p])


def test_multivalued_keys_cannot_be_used_as_variables():
    condition = {"StringEquals": {"s3:prefix": "${aws:TagKeys}"}}
    assert not condition_allows(condition, {"s3:prefix": "a", "aws:TagKeys": ["a"]})
    assert condition_allows(
        {"StringEquals": {"s3:prefix": "${aws:TagKeys, 'd'}"}},
        {"s3:prefix": "d", "aws:TagKeys": ["a", "b"]},
    )


def test_variables_are_not_substituted_in_numeric_operators():
    assert not condition_allows(
        {"NumericEquals": {"s3:max-keys": "${aws:EpochTime}"}},
        {"s3:max-keys": "5", "aws:EpochTime": "5"},
    )


@pytest.mark.parametrize(
    "text, variables",
    [
        ("plain", ()),
        ("${aws:username}", (Variable("aws:username", "aws:username", None),)),
        (
            "a/${ aws:PrincipalTag/team , 'x y' }/b",
            (Variable("aws:principaltag/team", "aws:PrincipalTag/team", "x y"),),
        ),
        ("${aws:userid, 'it''s'}", (Variable("aws:userid", "aws:userid", "it's"),)),
        ("${unterminated", ()),
        ("${}", ()),
        ("${a, noquotes}", ()),
        ("${*}${?}${$}", ()),
    ],
)
def test_template_parsing(text, variables):
    assert parse_template(text).variables == variables


def test_malformed_variable_syntax_stays_ordinary_text():
    p = policy(allow("s3:GetObject", "arn:aws:s3:::b/${oops"))
    assert allowed("s3:GetObject", "arn:aws:s3:::b/${oops", identity=[p])
