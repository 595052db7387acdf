"""Bad input to the policy language: whatever text arrives, the parser answers with a
policy or with MalformedPolicyDocument/LimitExceeded (never another exception),
quickly; and wildcard patterns cannot make matching take exponential time.

Hypothesis generates the documents; examples are few and deadlines off so that
the suite stays fast, while every run still tries a new handful.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import IamError
from policies.engine import PolicyKind, PolicySet, Principal, Request, compile_policy, evaluate
from policies.engine.matching import compile_arn, compile_glob
from policies.services import check_document
from tests.security import figures

# IAM_FUZZ_EXAMPLES=2000 for a deeper run; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("IAM_FUZZ_EXAMPLES", "120"))
FAST = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SECONDS = 1.0  # a policy of any size is parsed and matched well within this
KINDS = [PolicyKind.MANAGED, PolicyKind.USER_INLINE, PolicyKind.TRUST, PolicyKind.SESSION]
_REQUEST = Request(action="iam:GetUser", resource="arn:aws:iam::111122223333:user/" + "a" * 60,
                   principal=Principal.from_arn("arn:aws:iam::111122223333:user/fuzz"),
                   context={"aws:username": "fuzz"})

_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
            | st.text(max_size=40))
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)
_words = st.sampled_from(["Version", "Statement", "Effect", "Action", "NotAction", "Resource",
                          "NotResource", "Principal", "NotPrincipal", "Condition", "Sid", "AWS",
                          "Allow", "Deny", "*", "iam:*", "2012-10-17", "2008-10-17",
                          "StringLike", "aws:username", "${aws:username}", "arn:aws:iam::*:user/*",
                          "ForAllValues:StringEquals", "IfExists", "Null", "true"])
_policy_like = st.recursive(_words | _scalars, lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(_words, inner, max_size=5), max_leaves=30)


def _parse_quickly(text: str, kind: PolicyKind) -> None:
    """Parse (and, when it parses, compile and evaluate) within SECONDS; only IamErrors."""
    figures.count("fuzz_inputs")
    started = time.perf_counter()
    try:
        check_document(text, kind)
    except IamError as error:
        assert error.code in ("MalformedPolicyDocument", "LimitExceeded"), error.code
    else:
        compiled = compile_policy(text, kind, policy_id="fuzz", name="fuzz")
        if kind in (PolicyKind.MANAGED, PolicyKind.USER_INLINE, PolicyKind.SESSION):
            evaluate(_REQUEST, PolicySet(identity=(compiled,)))
    elapsed = time.perf_counter() - started
    if elapsed > SECONDS:
        figures.count("fuzz_server_errors")
    assert elapsed < SECONDS, f"{elapsed:.2f}s for {text[:200]!r}"


@FAST
@given(value=_json, kind=st.sampled_from(KINDS))
def test_any_json_value_is_a_policy_or_a_malformed_policy_document(value, kind):
    _parse_quickly(json.dumps(value, allow_nan=True), kind)


@FAST
@given(value=_policy_like, kind=st.sampled_from(KINDS))
def test_policy_shaped_nonsense_is_a_policy_or_a_malformed_policy_document(value, kind):
    document = value if isinstance(value, dict) else {"Version": "2012-10-17", "Statement": value}
    _parse_quickly(json.dumps(document, allow_nan=True), kind)


@FAST
@given(text=st.text(max_size=300), kind=st.sampled_from(KINDS))
def test_any_text_at_all_is_a_policy_or_a_malformed_policy_document(text, kind):
    _parse_quickly(text, kind)


RAW = {
    "duplicate keys": '{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}',
    "duplicate statement keys": ('{"Version":"2012-10-17","Statement":{"Effect":"Allow",'
                                 '"Effect":"Deny","Action":"*","Resource":"*"}}'),
    "NaN": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
           '"Condition":{"NumericLessThan":{"aws:EpochTime":NaN}}}]}',
    "Infinity": '{"Version":"2012-10-17","Statement":[],"Id":-Infinity}',
    "lone surrogate escape": ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                              '"Action":"iam:\\ud800","Resource":"*"}]}'),
    "lone surrogate character": ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                 '"Action":"iam:\ud800","Resource":"*"}]}'),
    "NUL": '{"Version":"2012-10-17","Statement":[{"Sid":"\\u0000","Effect":"Allow"}]}',
    "deep arrays": '{"Version":"2012-10-17","Statement":' + "[" * 5000 + "]" * 5000 + "}",
    "deep objects": '{"a":' * 3000 + "1" + "}" * 3000,
    "huge string": '{"Version":"2012-10-17","Statement":[],"Id":"' + "x" * 1_000_000 + '"}',
    "huge whitespace": "{" + " " * 2_000_000 + "}",
    "many statements": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}] * 5000}),
    "huge number": '{"Version":"2012-10-17","Statement":[],"Id":1' + "0" * 5000 + "}",
    "byte order mark": '\ufeff{"Version":"2012-10-17","Statement":[]}',
    "trailing garbage": '{"Version":"2012-10-17","Statement":[]} {}',
    "empty": "",
}


@pytest.mark.parametrize("label", RAW)
def test_hostile_documents_are_refused_quickly_and_cleanly(label):
    for kind in KINDS:
        _parse_quickly(RAW[label], kind)


# Wildcards ---------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(stars=st.integers(2, 40), length=st.integers(1, 2048), arn=st.booleans())
def test_wildcard_patterns_match_in_bounded_time_whatever_their_stars(stars, length, arn):
    """"a*a*a*...b" against a run of a's is the classic catastrophic backtracking case
    for a regex-based matcher; it must stay fast for every count of stars."""
    figures.count("fuzz_inputs")
    pattern, text = "a*" * stars + "b", "a" * max(length, stars)
    if arn:
        pattern, text = "arn:aws:iam::*:user/" + pattern, "arn:aws:iam::111122223333:user/" + text
    matcher = compile_arn(pattern) if arn else compile_glob(pattern)
    started = time.perf_counter()
    assert not matcher(text)  # no "b": every way of placing the stars is tried and fails
    assert matcher(text + "b")
    elapsed = time.perf_counter() - started
    if elapsed > 0.2:
        figures.count("fuzz_server_errors")
    assert elapsed < 0.2, f"{stars} stars, {length} characters: {elapsed:.2f}s"


@settings(max_examples=150, deadline=None)
@given(pattern=st.text("ab:*?", min_size=1, max_size=9), text=st.text("ab:", max_size=12),
       arn=st.booleans())
def test_the_long_text_matcher_agrees_with_the_regex_on_short_texts(pattern, text, arn):
    """Long texts are matched by an automaton instead of the regex: both must agree."""
    import re

    from policies.engine import matching

    chars = [(c, c in "*?") for c in pattern]
    regex = re.compile(matching._regex(chars, arn), re.DOTALL).fullmatch
    assert bool(regex(text)) == matching._automaton(chars, arn)(text)


def test_a_backtracking_pattern_in_the_simulator_is_answered_in_time(db, alice_account):
    """SimulateCustomPolicy hands any caller's pattern and ARN to the engine: the
    worst case there (a pattern of many stars against a 2,000-character ARN) is
    one request, and must be answered in a moment rather than block a worker."""
    from tests.factories import grant, make_iam_user
    from tests.security.support import allow, doc, in_process_client, new_key

    user = make_iam_user(alice_account.account, "sim", password=None)
    grant(user)
    iam = in_process_client("iam", *new_key(user))
    pattern = "arn:aws:iam::*:user/" + "a*" * 30 + "b"
    started = time.perf_counter()
    result = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("iam:GetUser", pattern))], ActionNames=["iam:GetUser"],
        ResourceArns=["arn:aws:iam::111122223333:user/" + "a" * 60,
                      "arn:aws:iam::111122223333:user/" + "a" * 60 + "b"])
    assert time.perf_counter() - started < 2
    assert [r["EvalDecision"] for r in result["EvaluationResults"]] == ["implicitDeny", "allowed"]
