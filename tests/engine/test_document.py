"""Parsing: what IAM accepts, what it refuses, and how the refusal reads."""

from __future__ import annotations

import json

import pytest

from policies.engine import PolicyError, PolicyKind, parse_policy, policy_size
from policies.engine.document import PrincipalBlock

from .helpers import text


def parse(doc: dict | str, kind: PolicyKind = PolicyKind.MANAGED):
    return parse_policy(doc if isinstance(doc, str) else json.dumps(doc, indent=2), kind)


def error(doc: dict | str, kind: PolicyKind = PolicyKind.MANAGED) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse(doc, kind)
    return info.value


def test_statement_may_be_an_object_or_a_list_and_strings_become_tuples():
    single = parse(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},
        }
    )
    listed = parse(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["iam:GetUser"], "Resource": ["*"]}],
        }
    )
    assert single.statements[0].action == listed.statements[0].action == ("iam:GetUser",)
    assert single.statements[0].resource == ("*",)


def test_missing_version_means_the_2008_language():
    doc = parse({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    assert doc.version == "2008-10-17" and not doc.version_given and not doc.variables_enabled


def test_both_documented_versions_are_accepted_and_others_refused():
    for version in ("2012-10-17", "2008-10-17"):
        assert (
            parse(
                text({"Effect": "Allow", "Action": "*", "Resource": "*"}, version=version)
            ).version
            == version
        )
    err = error(text({"Effect": "Allow", "Action": "*", "Resource": "*"}, version="2020-01-01"))
    assert err.code == "MalformedPolicyDocument" and "Version" in err.message


def test_condition_values_keep_numbers_and_booleans_as_their_text():
    doc = parse(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "NumericLessThan": {"s3:max-keys": 10.50},
                    "Bool": {"aws:SecureTransport": True},
                },
            },
        }
    )
    values = {c.key: c.values for c in doc.statements[0].conditions}
    assert values == {"s3:max-keys": ("10.5",), "aws:SecureTransport": ("true",)}


def test_condition_operator_is_split_into_qualifier_base_and_ifexists():
    doc = parse(
        text(
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]}},
            }
        )
    )
    cond = doc.statements[0].conditions[0]
    assert (cond.qualifier, cond.base, cond.if_exists, cond.key) == (
        "ForAnyValue",
        "StringLike",
        True,
        "aws:TagKeys",
    )


def test_account_id_principal_is_stored_as_the_root_arn():
    doc = parse(
        text(
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["123456789012", "arn:aws:iam::444455556666:role/r"]},
                "Action": "sts:AssumeRole",
            }
        ),
        PolicyKind.TRUST,
    )
    assert doc.statements[0].principal == PrincipalBlock(
        aws=("arn:aws:iam::123456789012:root", "arn:aws:iam::444455556666:role/r")
    )


def test_star_and_aws_star_principals_are_both_everyone():
    for principal in ("*", {"AWS": "*"}):
        doc = parse(
            text({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}),
            PolicyKind.TRUST,
        )
        assert doc.statements[0].principal.wildcard


def test_resource_policy_may_omit_resource_identity_policy_may_not():
    trust = parse(
        text(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
        PolicyKind.TRUST,
    )
    assert trust.statements[0].resource is None
    err = error(text({"Effect": "Allow", "Action": "iam:GetUser"}))
    assert "Resource" in err.message and "Statement[0]" in err.message


@pytest.mark.parametrize(
    "statement, fragment",
    [
        ({"Effect": "Alow", "Action": "*", "Resource": "*"}, "Effect"),
        ({"Action": "*", "Resource": "*"}, "no Effect"),
        ({"Effect": "Allow", "Resource": "*"}, "no Action"),
        (
            {"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"},
            "both Action and NotAction",
        ),
        (
            {"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"},
            "both Resource and NotResource",
        ),
        ({"Effect": "Allow", "Action": "GetUser", "Resource": "*"}, "prefaced by a service"),
        ({"Effect": "Allow", "Action": "*", "Resource": "bucket/key"}, "ARN format"),
        ({"Effect": "Allow", "Action": 7, "Resource": "*"}, "strings"),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEqualz": {"aws:a": "b"}},
            },
            "operator",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"NullIfExists": {"aws:a": "true"}},
            },
            "IfExists",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"nokey": "b"}},
            },
            "service:keyname",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:a": {"x": 1}}},
            },
            "Condition values",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:a": None}},
            },
            "Condition values",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:a": "x", "AWS:A": "y"}},
            },
            "different case",
        ),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}, "identity-based"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": "has space"}, "alpha-numeric"),
        (
            {"Effect": "Allow", "Action": "*", "Resource": "*", "Extra": 1},
            "not a statement element",
        ),
    ],
)
def test_malformed_statements_are_refused_with_a_located_message(statement, fragment):
    err = error(text(statement))
    assert err.code == "MalformedPolicyDocument"
    assert fragment in err.message
    assert "Statement[0]" in err.message and err.line is not None


def test_error_message_names_the_json_path_and_position():
    doc = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {"Effect": "Allow", "Action": "*", "Resource": "*"},\n'
        '    {"Effect": "Maybe", "Action": "*", "Resource": "*"}\n  ]\n}'
    )
    err = error(doc)
    assert err.path == "Statement[1].Effect"
    assert (err.line, err.column) == (5, 16)
    assert "Statement[1].Effect, line 5, column 16" in err.message


def test_json_syntax_error_reports_line_and_column():
    err = error(
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",, }\n  ]\n}'
    )
    assert err.code == "MalformedPolicyDocument" and err.issue_code == "JSON_SYNTAX_ERROR"
    assert (err.line, err.column) == (4, 24)
    assert "line 4, column 24" in err.message


@pytest.mark.parametrize(
    "doc",
    [
        '{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}',
        '{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}}',
    ],
)
def test_duplicate_keys_are_refused(doc):
    assert "Duplicate key" in error(doc).message


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(literal):
    err = error(
        '{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Action": "*", "Resource": "*", '
        f'"Condition": {{"NumericEquals": {{"s3:max-keys": {literal}}}}}}}}}'
    )
    assert err.issue_code == "JSON_SYNTAX_ERROR"


@pytest.mark.parametrize(
    "doc", ['{"Id": "\\ud800", "Statement": []}', '{"Id": "\ud800", "Statement": []}']
)
def test_lone_surrogates_are_refused(doc):
    assert "surrogate" in error(doc).message


def test_a_valid_surrogate_pair_is_one_character():
    doc = parse(
        '{"Version": "2012-10-17", "Id": "\\ud83d\\ude00", '
        '"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}'
    )
    assert doc.id == "\U0001F600"


@pytest.mark.parametrize("depth", [40, 5000, 10000])
def test_deep_nesting_is_a_policy_error_not_a_recursion_error(depth):
    err = error("[" * depth + "]" * depth, PolicyKind.RESOURCE)
    assert err.code == "MalformedPolicyDocument"


@pytest.mark.parametrize("opener, closer", [("[", "]"), ('{"a":', "}")])
def test_json_reader_refuses_nesting_beyond_its_limit_without_recursing(opener, closer):
    from policies.engine.jsonsource import JsonSyntaxError, load, load_fast

    deep = opener * 200000 + "1" + closer * 200000
    for reader in (load, load_fast):
        with pytest.raises(JsonSyntaxError, match="nested more than"):
            reader(deep)


@pytest.mark.parametrize(
    "doc", ["", "   ", "null", "[]", "42", '"text"', "{", '{"Statement": []}', "{}"]
)
def test_degenerate_documents_are_policy_errors(doc):
    assert error(doc).code == "MalformedPolicyDocument"


def test_non_string_input_is_a_policy_error():
    with pytest.raises(PolicyError):
        parse_policy(b"{}", PolicyKind.MANAGED)  # type: ignore[arg-type]


def test_size_is_counted_without_whitespace():
    compact = text({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert policy_size(compact) == len("".join(compact.split()))
    assert policy_size(" \n\t{ } ") == 2


@pytest.mark.parametrize(
    "kind, limit",
    [
        (PolicyKind.MANAGED, 6144),
        (PolicyKind.USER_INLINE, 2048),
        (PolicyKind.GROUP_INLINE, 5120),
        (PolicyKind.ROLE_INLINE, 10240),
        (PolicyKind.TRUST, 2048),
        (PolicyKind.BOUNDARY, 6144),
        (PolicyKind.SESSION, 2048),
        (PolicyKind.RESOURCE, 20480),
    ],
)
def test_each_kind_has_its_iam_size_quota(kind, limit):
    assert kind.max_size == limit
    target = (
        '"Principal":"*","Action":"sts:AssumeRole"'
        if kind.is_resource_policy
        else '"Action":"*","Resource":"*"'
    )

    def sized(n: int) -> str:
        base = '{"Version":"2012-10-17","Statement":{"Effect":"Allow",%s,"Sid":"%s"}}'
        fixed = len(base % (target, ""))
        return base % (target, "a" * (n - fixed))

    padded = sized(limit).replace(",", ",   \n   ")  # whitespace does not count
    assert policy_size(padded) == limit
    parse_policy(padded, kind)
    with pytest.raises(PolicyError) as info:
        parse_policy(sized(limit + 1), kind)
    assert info.value.code == "LimitExceeded"
    quota = "ACLSizePerRole" if kind is PolicyKind.TRUST else "PolicySize"
    assert info.value.message == f"Cannot exceed quota for {quota}: {limit}"


def test_kinds_say_whether_they_are_resource_policies():
    assert {k for k in PolicyKind if k.is_resource_policy} == {
        PolicyKind.TRUST,
        PolicyKind.RESOURCE,
    }


def test_trust_policy_needs_a_principal_and_refuses_notprincipal():
    assert (
        "Principal"
        in error(text({"Effect": "Allow", "Action": "sts:AssumeRole"}), PolicyKind.TRUST).message
    )
    err = error(
        text(
            {"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}
        ),
        PolicyKind.TRUST,
    )
    assert "NotPrincipal" in err.message


def test_resource_policy_accepts_notprincipal():
    doc = parse(
        text(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": "123456789012"},
                "Action": "s3:*",
                "Resource": "*",
            }
        ),
        PolicyKind.RESOURCE,
    )
    assert doc.statements[0].not_principal.aws == ("arn:aws:iam::123456789012:root",)


@pytest.mark.parametrize(
    "principal, fragment",
    [
        ({"AWS": "arn:aws:iam::123456789012:user/*"}, "wildcards"),
        ({"AWS": "bob"}, "account id or an ARN"),
        ({"Users": "x"}, "principal type"),
        ("everyone", "principal must be"),
    ],
)
def test_invalid_principals_are_refused(principal, fragment):
    err = error(
        text({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}),
        PolicyKind.TRUST,
    )
    assert fragment in err.message


def test_resource_policy_sids_may_contain_spaces_but_iam_sids_may_not():
    statement = {
        "Sid": "Allow everyone",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "*",
    }
    parse(text(statement), PolicyKind.RESOURCE)
    error(text(statement), PolicyKind.TRUST)


def test_trust_policy_refuses_a_resource_element_and_non_sts_actions():
    with_resource = {
        "Effect": "Allow",
        "Principal": {"AWS": "123456789012"},
        "Action": "sts:AssumeRole",
        "Resource": "*",
    }
    assert "prohibited field Resource" in error(text(with_resource), PolicyKind.TRUST).message
    other_service = {
        "Effect": "Allow",
        "Principal": {"AWS": "123456789012"},
        "Action": ["sts:AssumeRole", "iam:GetUser"],
    }
    assert (
        "may only specify STS AssumeRole actions"
        in error(text(other_service), PolicyKind.TRUST).message
    )
    tagging = {
        "Effect": "Allow",
        "Principal": {"AWS": "123456789012"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    }
    assert parse(text(tagging), PolicyKind.TRUST).statements[0].action == (
        "sts:AssumeRole",
        "sts:TagSession",
    )
