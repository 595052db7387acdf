"""Condition operators, one table per family, with the examples from AWS's
"IAM JSON policy elements: Condition operators" and "Conditions with multiple
context keys or values" pages."""

from __future__ import annotations

import pytest

from .helpers import allow, allowed, condition_allows, deny, policy

MISSING = object()


def case(op: str, key: str, policy_values, request_value) -> tuple:
    return op, key, policy_values, request_value


def run(op, key, policy_values, request_value) -> bool:
    context = {} if request_value is MISSING else {key: request_value}
    return condition_allows({op: {key: policy_values}}, context)


STRING_CASES = [
    # AWS example: StringEquals aws:PrincipalTag/job-category "iamuser-admin"
    ("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", "iamuser-admin", True),
    ("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", "IAMUser-Admin", False),
    ("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", MISSING, False),
    ("StringEquals", "aws:PrincipalTag/team", ["a", "b"], "b", True),
    ("StringEquals", "aws:PrincipalTag/team", "a*", "abc", False),
    ("StringNotEquals", "aws:PrincipalTag/team", ["a", "b"], "c", True),
    ("StringNotEquals", "aws:PrincipalTag/team", ["a", "b"], "b", False),
    # AWS: a negated operator is true when the key is absent.
    ("StringNotEquals", "aws:PrincipalTag/team", ["a", "b"], MISSING, True),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "bLuE", True),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "green", False),
    ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "BLUE", False),
    ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "red", True),
    # AWS example: StringLike s3:prefix ["", "home/", "home/${aws:username}/"]
    ("StringLike", "s3:prefix", ["", "home/", "home/*"], "", True),
    ("StringLike", "s3:prefix", ["", "home/", "home/*"], "home/alice/photos", True),
    ("StringLike", "s3:prefix", ["", "home/", "home/*"], "other/", False),
    ("StringLike", "s3:prefix", "home/?", "home/ab", False),
    ("StringLike", "s3:prefix", "Home/*", "home/x", False),
    ("StringLike", "s3:prefix", "a.c", "abc", False),
    ("StringNotLike", "s3:prefix", "tmp/*", "tmp/x", False),
    ("StringNotLike", "s3:prefix", "tmp/*", "home/x", True),
    ("StringNotLike", "s3:prefix", "tmp/*", MISSING, True),
]


@pytest.mark.parametrize("op, key, values, request_value, expected", STRING_CASES)
def test_string_operators(op, key, values, request_value, expected):
    assert run(op, key, values, request_value) is expected


NUMERIC_CASES = [
    # AWS example: NumericLessThanEquals s3:max-keys "10"
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "10", "11", False),
    ("NumericLessThan", "10", "9.5", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericGreaterThan", "10", "10.01", True),
    ("NumericGreaterThanEquals", "10", "10.0", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", ["1", "2"], "2", True),
    ("NumericEquals", "10", "ten", False),
    ("NumericNotEquals", ["1", "2"], "3", True),
    ("NumericNotEquals", ["1", "2"], "2", False),
    ("NumericNotEquals", "1", MISSING, True),
    ("NumericLessThan", "10", MISSING, False),
    ("NumericLessThan", "bogus", "1", False),
    ("NumericEquals", "-3", "-3", True),
    ("NumericLessThan", "1e3", "999", True),
]


@pytest.mark.parametrize("op, values, request_value, expected", NUMERIC_CASES)
def test_numeric_operators(op, values, request_value, expected):
    assert run(op, "s3:max-keys", values, request_value) is expected


DATE_CASES = [
    # AWS example: DateGreaterThan aws:TokenIssueTime "2020-01-01T00:00:01Z"
    ("DateGreaterThan", "2020-01-01T00:00:01Z", "2020-01-01T00:00:02Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:01Z", "2020-01-01T00:00:01Z", False),
    ("DateGreaterThanEquals", "2020-01-01T00:00:01Z", "2020-01-01T00:00:01Z", True),
    ("DateLessThan", "2020-01-01", "2019-12-31T23:59:59Z", True),
    ("DateLessThan", "2020-01-01", "2020-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "2020-01-01", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "2020-01-01T01:00:00+01:00", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "1577836800", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", MISSING, True),
    ("DateLessThan", "2020-01-01", MISSING, False),
    ("DateLessThan", "2020-01-01", "not a date", False),
    ("DateLessThan", "not a date", "2019-01-01", False),
    ("DateLessThan", "2020-01-01T00:00:00.500Z", "2020-01-01T00:00:00.250Z", True),
]


@pytest.mark.parametrize("op, values, request_value, expected", DATE_CASES)
def test_date_operators_accept_iso8601_and_epoch(op, values, request_value, expected):
    assert run(op, "aws:TokenIssueTime", values, request_value) is expected


@pytest.mark.parametrize(
    "values, request_value, expected",
    [
        ("true", "true", True),
        ("true", "false", False),
        (True, "true", True),
        ("false", "false", True),
        ("true", "TRUE", True),
        ("true", MISSING, False),
        (["true", "false"], "false", True),
    ],
)
def test_bool_operator(values, request_value, expected):
    # AWS example: Bool aws:SecureTransport "true"
    assert run("Bool", "aws:SecureTransport", values, request_value) is expected


def test_bool_ifexists_guard_from_the_mfa_example():
    # AWS: "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"} denies long-term
    # keys without MFA and requests where the key is false.
    guard = policy(
        allow(), deny("*", "*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    )
    assert not allowed(
        "iam:GetUser", "*", identity=[guard], context={"aws:MultiFactorAuthPresent": "false"}
    )
    assert not allowed("iam:GetUser", "*", identity=[guard], context={})
    assert allowed(
        "iam:GetUser", "*", identity=[guard], context={"aws:MultiFactorAuthPresent": "true"}
    )


@pytest.mark.parametrize(
    "values, request_value, expected",
    [
        ("QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True),
        ("QmluYXJ5VmFsdWVJbkJhc2U2NA==", "b3RoZXI=", False),
        ("QmluYXJ5VmFsdWVJbkJhc2U2NA==", MISSING, False),
        ("not base64!", "not base64!", False),
    ],
)
def test_binary_equals_compares_decoded_base64(values, request_value, expected):
    assert run("BinaryEquals", "s3:x-amz-meta-key", values, request_value) is expected


@pytest.mark.parametrize(
    "op, values, request_value, expected",
    [
        # AWS examples: 203.0.113.0/24 and 2001:DB8:1234:5678::/64
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("IpAddress", "203.0.113.0/24", "203.0.114.7", False),
        ("IpAddress", "203.0.113.9", "203.0.113.9", True),
        ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678::1", True),
        ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
        ("IpAddress", "0.0.0.0/0", "::1", False),
        ("IpAddress", "203.0.113.0/24", "garbage", False),
        ("IpAddress", "203.0.113.0/24", MISSING, False),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
        ("NotIpAddress", "203.0.113.0/24", MISSING, True),
    ],
)
def test_ip_address_operators(op, values, request_value, expected):
    assert run(op, "aws:SourceIp", values, request_value) is expected


@pytest.mark.parametrize(
    "op, values, request_value, expected",
    [
        # AWS example: ArnLike aws:SourceArn "arn:aws:sns:REGION:123456789012:TOPIC-ID"
        (
            "ArnLike",
            "arn:aws:sns:*:123456789012:topic-*",
            "arn:aws:sns:us-east-1:123456789012:topic-1",
            True,
        ),
        (
            "ArnLike",
            "arn:aws:sns:*:123456789012:topic-*",
            "arn:aws:sns:us-east-1:999999999999:topic-1",
            False,
        ),
        (
            "ArnEquals",
            "arn:aws:sns:us-east-1:123456789012:t",
            "arn:aws:sns:us-east-1:123456789012:t",
            True,
        ),
        ("ArnEquals", "arn:aws:sns:*:123456789012:t", "arn:aws:sns:eu-west-1:123456789012:t", True),
        (
            "ArnEquals",
            "arn:aws:sns:us-east-1:123456789012:t",
            "arn:aws:sns:us-east-1:123456789012:T",
            False,
        ),
        (
            "ArnNotEquals",
            "arn:aws:sns:us-east-1:123456789012:t",
            "arn:aws:sns:us-east-1:123456789012:u",
            True,
        ),
        ("ArnNotLike", "arn:aws:iam::*:role/admin-*", "arn:aws:iam::1:role/admin-x", False),
        ("ArnNotLike", "arn:aws:iam::*:role/admin-*", MISSING, True),
        ("ArnLike", "arn:aws:iam::1:role/a.b", "arn:aws:iam::1:role/aXb", False),
    ],
)
def test_arn_operators(op, values, request_value, expected):
    assert run(op, "aws:SourceArn", values, request_value) is expected


@pytest.mark.parametrize(
    "value, present, expected",
    [("true", False, True), ("true", True, False), ("false", True, True), ("false", False, False)],
)
def test_null_checks_presence(value, present, expected):
    # AWS example: "Null": {"aws:TokenIssueTime": "true"} - long-term credentials.
    context = {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"} if present else {}
    assert condition_allows({"Null": {"aws:TokenIssueTime": value}}, context) is expected


IF_EXISTS_CASES = [
    # AWS example: StringLikeIfExists ec2:InstanceType ["t1.*", "t2.*", "m3.*"]
    ("StringLikeIfExists", ["t1.*", "t2.*", "m3.*"], "t2.micro", True),
    ("StringLikeIfExists", ["t1.*", "t2.*", "m3.*"], "c5.large", False),
    ("StringLikeIfExists", ["t1.*", "t2.*", "m3.*"], MISSING, True),
    ("StringEqualsIfExists", "x", MISSING, True),
    ("StringNotEqualsIfExists", "x", "x", False),
    ("StringNotEqualsIfExists", "x", MISSING, True),
    ("NumericLessThanIfExists", "5", "6", False),
    ("NumericLessThanIfExists", "5", MISSING, True),
    ("DateLessThanIfExists", "2020-01-01", MISSING, True),
    ("BoolIfExists", "true", MISSING, True),
    ("IpAddressIfExists", "10.0.0.0/8", MISSING, True),
    ("ArnLikeIfExists", "arn:*", MISSING, True),
    ("BinaryEqualsIfExists", "eA==", MISSING, True),
]


@pytest.mark.parametrize("op, values, request_value, expected", IF_EXISTS_CASES)
def test_ifexists_is_true_when_the_key_is_absent_and_normal_otherwise(
    op, values, request_value, expected
):
    assert run(op, "ec2:InstanceType", values, request_value) is expected


SET_CASES = [
    # AWS: ForAllValues:StringEquals aws:TagKeys ["environment", "cost-center"]
    ("ForAllValues:StringEquals", ["environment"], True),
    ("ForAllValues:StringEquals", ["environment", "cost-center"], True),
    ("ForAllValues:StringEquals", ["environment", "dept"], False),
    ("ForAllValues:StringEquals", [], True),
    ("ForAllValues:StringEquals", MISSING, True),
    ("ForAnyValue:StringEquals", ["environment", "dept"], True),
    ("ForAnyValue:StringEquals", ["dept"], False),
    ("ForAnyValue:StringEquals", [], False),
    ("ForAnyValue:StringEquals", MISSING, False),
    ("ForAllValues:StringLike", ["env-1", "cost-center"], False),
    ("ForAnyValue:StringLike", ["env-1", "cost-center"], True),
    # Negated operators with a set qualifier negate per request value.
    ("ForAllValues:StringNotEquals", ["dept", "owner"], True),
    ("ForAllValues:StringNotEquals", ["dept", "environment"], False),
    ("ForAnyValue:StringNotEquals", ["dept", "environment"], True),
    ("ForAnyValue:StringNotEquals", ["environment", "cost-center"], False),
    ("ForAnyValue:StringNotEquals", MISSING, False),
    ("ForAllValues:StringEqualsIfExists", MISSING, True),
    ("ForAnyValue:StringEqualsIfExists", MISSING, True),
]


@pytest.mark.parametrize("op, request_value, expected", SET_CASES)
def test_set_qualifiers_over_multivalued_keys(op, request_value, expected):
    assert run(op, "aws:TagKeys", ["environment", "cost-center"], request_value) is expected


def test_unqualified_operator_on_a_multivalued_key_matches_any_value():
    assert run("StringEquals", "aws:TagKeys", "a", ["b", "a"]) is True
    assert run("StringNotEquals", "aws:TagKeys", "a", ["b", "a"]) is False
    assert run("StringNotEquals", "aws:TagKeys", "a", ["b", "c"]) is True


def test_null_with_set_qualifiers_is_constant_as_access_analyzer_documents():
    assert condition_allows({"ForAllValues:Null": {"aws:TagKeys": "false"}}, {}) is True
    assert condition_allows({"ForAnyValue:Null": {"aws:TagKeys": "true"}}, {}) is False


def test_several_values_are_ored_several_keys_and_operators_are_anded():
    condition = {
        "StringEquals": {
            "aws:PrincipalTag/team": ["blue", "green"],
            "aws:RequestedRegion": "us-east-1",
        },
        "Bool": {"aws:SecureTransport": "true"},
    }
    good = {
        "aws:PrincipalTag/team": "green",
        "aws:RequestedRegion": "us-east-1",
        "aws:SecureTransport": "true",
    }
    assert condition_allows(condition, good)
    for key, bad in (
        ("aws:PrincipalTag/team", "red"),
        ("aws:RequestedRegion", "eu-west-1"),
        ("aws:SecureTransport", "false"),
    ):
        assert not condition_allows(condition, {**good, key: bad})


def test_condition_key_names_are_case_insensitive_values_are_not():
    assert condition_allows(
        {"StringEquals": {"AWS:RequestedRegion": "us-east-1"}}, {"aws:requestedregion": "us-east-1"}
    )
    assert not condition_allows(
        {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}, {"aws:RequestedRegion": "US-EAST-1"}
    )


def test_an_allow_whose_condition_fails_is_an_implicit_deny_not_a_deny():
    conditional = policy(
        allow("iam:GetUser", "*", Condition={"Bool": {"aws:SecureTransport": "true"}}), name="cond"
    )
    plain = policy(allow("iam:GetUser", "*"), name="plain")
    context = {"aws:SecureTransport": "false"}
    alone = allowed("iam:GetUser", "*", identity=[conditional], context=context)
    together = allowed("iam:GetUser", "*", identity=[conditional, plain], context=context)
    assert (alone, together) == (False, True)


def test_a_deny_whose_condition_fails_does_not_deny():
    guarded = policy(
        allow(), deny("*", "*", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}})
    )
    assert allowed(
        "iam:GetUser", "*", identity=[guarded], context={"aws:RequestedRegion": "us-east-1"}
    )
    assert not allowed(
        "iam:GetUser", "*", identity=[guarded], context={"aws:RequestedRegion": "eu-west-1"}
    )
    # The key is absent: the negated operator is true, so the deny applies.
    assert not allowed("iam:GetUser", "*", identity=[guarded], context={})


def test_python_booleans_and_numbers_in_the_context_are_read_as_text():
    assert condition_allows(
        {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True}
    )
    assert condition_allows(
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": 60}
    )
