"""Properties over random documents and requests (hypothesis):

* an added Deny never turns a refusal into an Allow;
* an added permissions boundary never widens what is allowed;
* the compiled engine agrees with the plain reference evaluator in ``reference.py``;
* ``parse_policy`` raises nothing but ``PolicyError`` for any text, and
  ``validate_policy`` reports an ERROR whenever ``parse_policy`` refuses.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.engine import (
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
    parse_policy,
    validate_policy,
)

from . import reference

A, B = "111122223333", "444455556666"
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONOTONIC = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ACTIONS = [
    "iam:GetUser",
    "iam:ListUsers",
    "iam:CreateUser",
    "iam:DeleteUser",
    "sts:AssumeRole",
    "sts:GetCallerIdentity",
]
ACTION_PATTERNS = ACTIONS + [
    "*",
    "iam:*",
    "iam:Get*",
    "iam:?etUser",
    "IAM:getuser",
    "iam:*User",
    "sts:*",
    "iam:List?sers",
    "iam:*e*",
]
USERS = ["alice", "bob", "a.b", "axb", "ab"]
RESOURCES = [f"arn:aws:iam::{acct}:user/{u}" for acct in (A, B) for u in USERS] + [
    f"arn:aws:iam::{A}:role/Admin",
    f"arn:aws:iam::{B}:role/Admin",
    "*",
    "arn:aws:s3:::bucket/a:b",
]
RESOURCE_PATTERNS = [
    "*",
    f"arn:aws:iam::{A}:user/*",
    f"arn:aws:iam::{A}:user/a.b",
    f"arn:aws:iam::{A}:user/a?b",
    "arn:aws:iam::*:user/alice",
    "arn:aws:iam::*",
    "arn:aws:iam::1*:user/bob",
    f"arn:aws:iam::{A}:user/${{aws:username}}",
    "arn:aws:iam::*:user/${aws:username, 'bob'}",
    f"arn:aws:iam::{A}:user/${{aws:PrincipalTag/team}}",
    "arn:aws:iam::*:role/*",
    "arn:aws:s3:::bucket/*",
    f"arn:aws:iam::{A}:user/${{*}}",
]
CONDITIONS = [
    ("StringEquals", "aws:RequestedRegion", ["us-east-1", "eu-west-1"]),
    ("StringNotEquals", "aws:RequestedRegion", ["us-east-1"]),
    ("StringEqualsIfExists", "aws:RequestedRegion", ["eu-west-1"]),
    ("StringLike", "aws:RequestedRegion", ["us-*"]),
    ("StringNotLike", "aws:RequestedRegion", ["*-west-?"]),
    ("StringEqualsIgnoreCase", "aws:RequestedRegion", ["US-EAST-1"]),
    ("StringEquals", "aws:username", ["alice"]),
    ("StringLike", "aws:PrincipalArn", ["arn:aws:iam::*:user/a*"]),
    ("ArnLike", "aws:PrincipalArn", [f"arn:aws:iam::{A}:*"]),
    ("ArnNotLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/*"]),
    ("StringEquals", "aws:RequestedRegion", ["${aws:username}"]),
    ("NumericLessThan", "aws:MultiFactorAuthAge", ["3600"]),
    ("NumericNotEquals", "aws:MultiFactorAuthAge", ["0", "60"]),
    ("NumericGreaterThanEqualsIfExists", "aws:MultiFactorAuthAge", ["60"]),
    ("Bool", "aws:MultiFactorAuthPresent", ["true"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", ["false"]),
    ("Null", "aws:MultiFactorAuthPresent", ["true"]),
    ("Null", "aws:TagKeys", ["false"]),
    ("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "2001:db8::/32"]),
    ("NotIpAddress", "aws:SourceIp", ["10.1.0.0/16"]),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["team", "env"]),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["team"]),
    ("ForAnyValue:StringLike", "aws:TagKeys", ["e*"]),
    ("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"]),
    ("ForAnyValue:StringNotLike", "aws:TagKeys", ["t*"]),
]


def one_or_many(strategy):
    return st.one_of(strategy, st.lists(strategy, min_size=1, max_size=3))


@st.composite
def statements(draw, effect=None, resource_policy=False):
    statement: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    if resource_policy:
        who = draw(
            st.sampled_from(
                [
                    "*",
                    {"AWS": A},
                    {"AWS": B},
                    {"AWS": f"arn:aws:iam::{A}:user/alice"},
                    {"AWS": f"arn:aws:iam::{A}:role/Admin"},
                    {"AWS": f"arn:aws:sts::{A}:assumed-role/Admin/s1"},
                    {"AWS": [f"arn:aws:iam::{B}:user/bob", A]},
                ]
            )
        )
        statement[
            "NotPrincipal" if who != "*" and draw(st.integers(0, 6)) == 0 else "Principal"
        ] = who
    statement["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = draw(
        one_or_many(st.sampled_from(ACTION_PATTERNS))
    )
    if not resource_policy or draw(st.booleans()):
        statement["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = draw(
            one_or_many(st.sampled_from(RESOURCE_PATTERNS))
        )
    chosen = draw(st.lists(st.sampled_from(CONDITIONS), max_size=2, unique_by=lambda c: c[0]))
    if chosen:
        statement["Condition"] = {op: {key: values} for op, key, values in chosen}
    return statement


def document(statement_list, version="2012-10-17") -> str:
    body: dict = {"Statement": statement_list}
    if version:
        body = {"Version": version, **body}
    return json.dumps(body)


@st.composite
def documents(draw, resource_policy=False, effect=None):
    version = draw(st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17"]))
    return document(
        draw(
            st.lists(
                statements(effect=effect, resource_policy=resource_policy), min_size=1, max_size=4
            )
        ),
        version,
    )


PRINCIPALS = [
    Principal.from_arn(f"arn:aws:iam::{A}:user/alice", tags={"team": "alice"}),
    Principal.from_arn(f"arn:aws:iam::{A}:user/a.b"),
    Principal.from_arn(f"arn:aws:iam::{B}:user/bob"),
    Principal.from_arn(f"arn:aws:sts::{A}:assumed-role/Admin/s1"),
    Principal.from_arn(f"arn:aws:iam::{A}:root"),
    Principal.from_arn(f"arn:aws:iam::{B}:root"),
]


@st.composite
def requests(draw):
    context: dict = {}
    if draw(st.booleans()):
        context["aws:RequestedRegion"] = draw(
            st.sampled_from(["us-east-1", "eu-west-1", "alice", "US-EAST-1"])
        )
    if draw(st.booleans()):
        context["aws:MultiFactorAuthPresent"] = draw(st.sampled_from(["true", "false"]))
    if draw(st.booleans()):
        context["aws:MultiFactorAuthAge"] = draw(st.sampled_from(["0", "60", "4000", "abc"]))
    if draw(st.booleans()):
        context["aws:SourceIp"] = draw(
            st.sampled_from(["10.1.2.3", "10.2.0.1", "192.0.2.1", "2001:db8::5"])
        )
    if draw(st.booleans()):
        context["aws:TagKeys"] = draw(
            st.lists(st.sampled_from(["team", "env", "secret", "owner"]), max_size=3)
        )
    return Request(
        draw(st.sampled_from(ACTIONS)),
        draw(st.sampled_from(RESOURCES)),
        draw(st.sampled_from(PRINCIPALS)),
        context,
    )


@st.composite
def scenarios(draw):
    identity = draw(st.lists(documents(), max_size=3))
    resource = draw(st.lists(documents(resource_policy=True), max_size=1))
    boundary = draw(st.one_of(st.none(), documents()))
    session = draw(st.lists(documents(), max_size=2)) if draw(st.booleans()) else []
    return draw(requests()), identity, resource, boundary, session


def policy_set(identity, resource, boundary, session) -> PolicySet:
    return PolicySet(
        identity=tuple(
            compile_policy(t, PolicyKind.MANAGED, name=f"i{n}") for n, t in enumerate(identity)
        ),
        resource=tuple(
            compile_policy(t, PolicyKind.RESOURCE, name=f"r{n}") for n, t in enumerate(resource)
        ),
        boundary=compile_policy(boundary, PolicyKind.BOUNDARY) if boundary else None,
        session=tuple(
            compile_policy(t, PolicyKind.MANAGED, name=f"s{n}") for n, t in enumerate(session)
        ),
    )


def run(request, identity, resource, boundary, session):
    return evaluate(request, policy_set(identity, resource, boundary, session))


@SETTINGS
@given(scenarios(), st.lists(requests(), max_size=3))
def test_engine_agrees_with_the_reference_evaluator(scenario, more_requests):
    first, identity, resource, boundary, session = scenario
    # One policy set answers several requests, as in the service: its per-action
    # plans and lazily compiled tests must not leak from one request to the next.
    shared = policy_set(identity, resource, boundary, session)
    for request in [first, *more_requests, first]:
        expected = reference.evaluate(request, identity, resource, boundary, session)
        assert evaluate(request, shared).effect.value == expected, request


@MONOTONIC
@given(scenarios(), statements(effect="Deny"), st.integers(0, 3))
def test_adding_a_deny_never_turns_a_refusal_into_an_allow(scenario, denial, where):
    request, identity, resource, boundary, session = scenario
    before = run(*scenario)
    if where < len(identity):
        extended = list(identity)
        body = json.loads(extended[where])
        body["Statement"] = (
            body["Statement"] if isinstance(body["Statement"], list) else [body["Statement"]]
        ) + [denial]
        extended[where] = json.dumps(body)
    else:
        extended = identity + [document([denial])]
    after = run(request, extended, resource, boundary, session)
    if after.allowed:
        assert before.allowed


@MONOTONIC
@given(scenarios(), documents())
def test_adding_a_boundary_never_widens(scenario, boundary):
    request, identity, resource, _, session = scenario
    without = run(request, identity, resource, None, session)
    with_boundary = run(request, identity, resource, boundary, session)
    if with_boundary.allowed:
        assert without.allowed


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)
POLICY_KEYS = st.sampled_from(
    [
        "Version",
        "Statement",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "Condition",
        "Sid",
        "AWS",
        "StringEquals",
        "aws:x",
    ]
)
POLICYISH = st.recursive(
    st.sampled_from(
        [
            "2012-10-17",
            "Allow",
            "Deny",
            "*",
            "iam:GetUser",
            "arn:aws:iam::1:user/x",
            "${aws:username}",
            1,
            True,
            None,
        ]
    ),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(POLICY_KEYS, children, max_size=5),
    max_leaves=30,
)


def _parse_outcome(text: str, kind: PolicyKind) -> bool:
    try:
        parse_policy(text, kind)
    except PolicyError as exc:
        assert exc.code in ("MalformedPolicyDocument", "LimitExceeded")
        assert exc.__cause__ is None, f"an internal error was hidden: {exc.__cause__!r}"
        assert exc.message
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=300), JSON.map(json.dumps), POLICYISH.map(json.dumps)),
    st.sampled_from(list(PolicyKind)),
)
def test_parse_raises_only_policy_error_and_validate_agrees(text, kind):
    parsed = _parse_outcome(text, kind)
    found = validate_policy(text, kind)
    errors = [f for f in found if f.finding_type == "ERROR"]
    assert all(f.issue_code != "INTERNAL_ERROR" for f in found)
    if not parsed:
        assert errors, "validate_policy must explain every refusal"
    else:
        assert all(e.issue_code.startswith(("TYPE_MISMATCH", "INVALID_VARIABLE")) for e in errors)


@settings(max_examples=150, deadline=None)
@given(
    st.builds(lambda statement: document([statement]), statements()),
    st.sampled_from(["", " ", "\n", "}", "{", ",", '"', "\\", "\x00", "\ud800"]),
    st.integers(0, 400),
)
def test_corrupted_policies_raise_only_policy_error(text, junk, at):
    at = min(at, len(text))
    _parse_outcome(text[:at] + junk + text[at:], PolicyKind.MANAGED)
