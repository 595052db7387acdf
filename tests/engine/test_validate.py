"""Validation findings: type, Access Analyzer issue code, JSON path and position."""

from __future__ import annotations

import json

import pytest

from policies.engine import Finding, PolicyKind, validate_policy

from .helpers import ACCT, text


def findings(doc, kind: PolicyKind = PolicyKind.MANAGED) -> list[Finding]:
    return validate_policy(
        doc if isinstance(doc, str) else text(*doc) if isinstance(doc, list) else json.dumps(doc),
        kind,
    )


def codes(doc, kind: PolicyKind = PolicyKind.MANAGED) -> set[tuple[str, str, str]]:
    return {(f.finding_type, f.issue_code, f.path) for f in findings(doc, kind)}


OK = {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}


def test_a_clean_policy_has_no_findings():
    assert findings([OK]) == []


def test_json_syntax_error_has_line_and_column():
    (finding,) = findings('{\n  "Version": "2012-10-17"\n  "Statement": []\n}')
    assert (finding.finding_type, finding.issue_code) == ("ERROR", "JSON_SYNTAX_ERROR")
    assert (finding.line, finding.column) == (3, 3)
    assert "line 3 column 3" in finding.message


def test_every_grammar_error_is_reported_not_just_the_first():
    found = codes(
        [
            {"Effect": "Alow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Resource": "*"},
            {"Effect": "Allow", "Action": "*"},
        ]
    )
    assert {
        ("ERROR", "INVALID_EFFECT", "Statement[0].Effect"),
        ("ERROR", "MISSING_ACTION", "Statement[1]"),
        ("ERROR", "MISSING_RESOURCE", "Statement[2]"),
    } <= found


def test_finding_positions_point_at_the_element():
    doc = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n'
        '    "Action": ["iam:GetUser", "iam:NoSuchThing"],\n    "Resource": "*"\n  }]\n}'
    )
    (finding,) = findings(doc)
    assert (finding.issue_code, finding.path, finding.line, finding.column) == (
        "INVALID_ACTION",
        "Statement[0].Action[1]",
        5,
        31,
    )


@pytest.mark.parametrize(
    "statement, code, path",
    [
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEqualsX": {"aws:a": "b"}},
            },
            "INVALID_OPERATOR",
            "Statement[0].Condition.StringEqualsX",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:CurrentTime": "yesterday"}},
            },
            "TYPE_MISMATCH_DATE",
            "Statement[0].Condition.DateLessThan.aws:CurrentTime",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"NumericLessThan": {"s3:max-keys": ["1", "ten"]}},
            },
            "TYPE_MISMATCH_NUMBER",
            "Statement[0].Condition.NumericLessThan.s3:max-keys[1]",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "yes"}},
            },
            "TYPE_MISMATCH_BOOLEAN",
            "Statement[0].Condition.Bool.aws:SecureTransport",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}},
            },
            "TYPE_MISMATCH_IP_RANGE",
            "Statement[0].Condition.IpAddress.aws:SourceIp",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"BinaryEquals": {"aws:x": "***"}},
            },
            "TYPE_MISMATCH_STRING",
            "Statement[0].Condition.BinaryEquals.aws:x",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"NumericEquals": {"aws:x": "${aws:y}"}},
            },
            "INVALID_VARIABLE_FOR_OPERATOR",
            "Statement[0].Condition.NumericEquals.aws:x",
        ),
        (
            {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": {"AWS": ACCT}},
            "UNSUPPORTED_PRINCIPAL",
            "Statement[0].Principal",
        ),
        (
            {"Effect": "Allow", "Action": "*", "Resource": "*", "Bogus": 1},
            "INVALID_POLICY_ELEMENT",
            "Statement[0].Bogus",
        ),
        ({"Effect": 1, "Action": "*", "Resource": "*"}, "INVALID_EFFECT", "Statement[0].Effect"),
        (
            {"Effect": "Allow", "Action": "GetUser", "Resource": "*"},
            "INVALID_ACTION",
            "Statement[0].Action",
        ),
        (
            {"Effect": "Allow", "Action": "*", "Resource": "user/bob"},
            "INVALID_ARN_PREFIX",
            "Statement[0].Resource",
        ),
    ],
)
def test_errors(statement, code, path):
    assert ("ERROR", code, path) in codes([statement])


def test_missing_principal_in_a_trust_policy():
    assert ("ERROR", "MISSING_PRINCIPAL", "Statement[0]") in codes(
        [{"Effect": "Allow", "Action": "sts:AssumeRole"}], PolicyKind.TRUST
    )


def test_missing_statement_and_non_object_documents():
    assert ("ERROR", "MISSING_STATEMENT", "") in codes({"Version": "2012-10-17"})
    assert ("ERROR", "DATA_TYPE_MISMATCH", "") in codes("[]")


@pytest.mark.parametrize(
    "statement, code, path",
    [
        (
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            "ALLOW_WITH_NOT_ACTION",
            "Statement[0].NotAction",
        ),
        (
            {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"},
            "ALLOW_WITH_NOT_RESOURCE",
            "Statement[0].NotResource",
        ),
        (
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            "PASS_ROLE_WITH_STAR_IN_RESOURCE",
            "Statement[0].Resource",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{ACCT}:role/*",
            },
            "PASS_ROLE_WITH_STAR_IN_RESOURCE",
            "Statement[0].Resource",
        ),
        (
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
            "Statement[0].Resource",
        ),
        (
            {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
            "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
            "Statement[0].Resource",
        ),
        (
            {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::1:role/x"},
            "PASS_ROLE_WITH_NOT_RESOURCE",
            "Statement[0].NotResource",
        ),
    ],
)
def test_security_warnings(statement, code, path):
    assert ("SECURITY_WARNING", code, path) in codes([statement])


def test_pass_role_scoped_to_a_role_or_a_service_is_not_flagged():
    scoped = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": f"arn:aws:iam::{ACCT}:role/app",
    }
    to_service = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": "*",
        "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
    }
    assert findings([scoped]) == [] and findings([to_service]) == []


def test_deny_with_notaction_is_not_a_security_warning():
    assert findings([{"Effect": "Deny", "NotAction": "iam:GetUser", "Resource": "*"}]) == []


def test_allow_with_notprincipal_is_a_security_warning():
    statement = {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": ACCT},
        "Action": "s3:GetObject",
        "Resource": "*",
    }
    assert ("SECURITY_WARNING", "ALLOW_WITH_NOT_PRINCIPAL", "Statement[0].NotPrincipal") in codes(
        [statement], PolicyKind.RESOURCE
    )


@pytest.mark.parametrize(
    "doc, code, path",
    [
        (
            [{"Effect": "Allow", "Action": "iam:CreateUsr", "Resource": "*"}],
            "INVALID_ACTION",
            "Statement[0].Action",
        ),
        (
            [{"Effect": "Allow", "Action": "sts:AssumeRoleNow", "Resource": "*"}],
            "INVALID_ACTION",
            "Statement[0].Action",
        ),
        (
            [{"Effect": "Allow", "Action": "iam:Frobnicate*", "Resource": "*"}],
            "INVALID_ACTION",
            "Statement[0].Action",
        ),
        ([OK, dict(OK)], "REDUNDANT_STATEMENT", "Statement[1]"),
        (
            [{**OK, "Sid": "A"}, {**OK, "Action": "iam:ListUsers", "Sid": "A"}],
            "UNIQUE_SIDS_RECOMMENDED",
            "Statement[1].Sid",
        ),
        (
            [{**OK, "Condition": {"StringEquals": {"aws:PrincipalTag/x": "a*"}}}],
            "WILDCARD_WITHOUT_LIKE_OPERATOR",
            "Statement[0].Condition.StringEquals.aws:PrincipalTag/x",
        ),
    ],
)
def test_warnings(doc, code, path):
    assert ("WARNING", code, path) in codes(doc)


def test_policy_variable_in_a_2008_document_is_a_warning():
    doc = text(
        {
            "Effect": "Allow",
            "Action": "iam:GetUser",
            "Resource": f"arn:aws:iam::{ACCT}:user/${{aws:username}}",
        },
        version="2008-10-17",
    )
    assert ("WARNING", "VARIABLE_IN_OLD_VERSION", "Statement[0].Resource") in codes(doc)
    unversioned = text(
        {
            "Effect": "Allow",
            "Action": "iam:GetUser",
            "Resource": f"arn:aws:iam::{ACCT}:user/${{aws:username}}",
        },
        version=None,
    )
    assert {
        ("WARNING", "VARIABLE_IN_OLD_VERSION", "Statement[0].Resource"),
        ("WARNING", "MISSING_VERSION", ""),
    } <= codes(unversioned)


def test_known_actions_and_patterns_are_not_flagged_in_any_case():
    assert (
        findings(
            [
                {
                    "Effect": "Allow",
                    "Action": [
                        "iam:getuser",
                        "IAM:List*",
                        "iam:ListEvents",
                        "iam:PassRole",
                        "s3:Whatever",
                    ],
                    "Resource": "arn:aws:iam::1:role/x",
                }
            ]
        )
        == []
    )


@pytest.mark.parametrize(
    "doc, code, path",
    [
        ([{**OK, "Sid": ""}], "EMPTY_SID_VALUE", "Statement[0].Sid"),
        ([{**OK, "Condition": {}}], "EMPTY_OBJECT_CONDITION", "Statement[0].Condition"),
        ([{**OK, "Action": []}], "EMPTY_ARRAY_ACTION", "Statement[0].Action"),
        ([{**OK, "Resource": []}], "EMPTY_ARRAY_RESOURCE", "Statement[0].Resource"),
        (
            [{**OK, "Condition": {"StringEquals": {"aws:a": []}}}],
            "EMPTY_ARRAY_CONDITION",
            "Statement[0].Condition.StringEquals.aws:a",
        ),
        (
            [{**OK, "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": []}}}],
            "EMPTY_ARRAY_CONDITION_FORALLVALUES",
            "Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys",
        ),
        (
            [{**OK, "Condition": {"ForAnyValue:Null": {"aws:TagKeys": "true"}}}],
            "NULL_WITH_QUALIFIER",
            "Statement[0].Condition.ForAnyValue:Null",
        ),
        (
            [{**OK, "Condition": {"IpAddress": {"aws:SourceIp": "10.1.2.3/8"}}}],
            "IMPROVE_IP_RANGE",
            "Statement[0].Condition.IpAddress.aws:SourceIp",
        ),
    ],
)
def test_suggestions(doc, code, path):
    assert ("SUGGESTION", code, path) in codes(doc)


def test_empty_principal_object_is_a_suggestion():
    statement = {"Effect": "Allow", "Principal": {}, "Action": "sts:AssumeRole"}
    assert ("SUGGESTION", "EMPTY_OBJECT_PRINCIPAL", "Statement[0].Principal") in codes(
        [statement], PolicyKind.TRUST
    )


def test_single_statement_object_paths_have_no_index():
    doc = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    }
    assert ("SECURITY_WARNING", "ALLOW_WITH_NOT_ACTION", "Statement.NotAction") in codes(doc)


def test_size_over_the_quota_is_an_error_and_other_findings_still_appear():
    big = text({"Sid": "x" * 2100, "Effect": "Alow", "Action": "*", "Resource": "*"})
    found = codes(big, PolicyKind.USER_INLINE)
    assert ("ERROR", "POLICY_SIZE_EXCEEDS_QUOTA", "") in found
    assert ("ERROR", "INVALID_EFFECT", "Statement[0].Effect") in found
    assert not any(c == "POLICY_SIZE_EXCEEDS_QUOTA" for _, c, _ in codes(big, PolicyKind.MANAGED))


@pytest.mark.parametrize(
    "doc",
    [
        "",
        "\ud800",
        "[" * 100000,
        "{" * 50,
        '{"Statement": {"Condition": {"a": {"b": {"c": 1}}}}}',
        None,
        42,
    ],
)
def test_validation_never_raises(doc):
    result = validate_policy(doc, PolicyKind.MANAGED)  # type: ignore[arg-type]
    assert any(f.finding_type == "ERROR" for f in result)


def test_findings_are_frozen_records():
    (finding,) = findings([{**OK, "Sid": ""}])
    assert finding == Finding(
        "SUGGESTION",
        "EMPTY_SID_VALUE",
        finding.message,
        "Statement[0].Sid",
        finding.line,
        finding.column,
    )
