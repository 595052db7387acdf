"""AWS's evaluation logic: explicit deny wins, an allow is needed, boundaries and
session policies only narrow, resource-based policies and cross-account rules."""

from __future__ import annotations

from policies.engine import DecisionEffect, PolicyKind, PolicySet, Principal, Request, evaluate

from .helpers import ACCT, OTHER, allow, allowed, decide, deny, policy, root, session, user

ALICE_ARN = f"arn:aws:iam::{ACCT}:user/alice"
BOB_ARN = f"arn:aws:iam::{ACCT}:user/bob"
ROLE_ARN = f"arn:aws:iam::{ACCT}:role/Admin"
SESSION_ARN = f"arn:aws:sts::{ACCT}:assumed-role/Admin/sess"
BUCKET = "arn:aws:s3:::carlossalazar-logs"


def resource_policy(*statements: dict, kind: PolicyKind = PolicyKind.RESOURCE, name: str = "rp"):
    return policy(*statements, kind=kind, name=name)


def grant(principal, action="*", resource=None, effect="Allow", **extra) -> dict:
    statement = {"Effect": effect, "Principal": principal, "Action": action, **extra}
    if resource is not None:
        statement["Resource"] = resource
    return statement


# -- the basics ----------------------------------------------------------------


def test_everything_is_implicitly_denied_by_default():
    decision = decide("iam:GetUser", BOB_ARN)
    assert decision.effect is DecisionEffect.IMPLICIT_DENY and not decision.effect.allowed
    assert decision.deciding == () and decision.denied_by == "identity-based policy"


def test_an_allow_allows_and_names_the_deciding_statement():
    p = policy({"Sid": "ReadUsers", **allow("iam:GetUser", BOB_ARN)}, name="ReadOnly")
    decision = decide("iam:GetUser", BOB_ARN, identity=[p])
    assert decision.effect is DecisionEffect.ALLOW and decision.effect.allowed and decision.allowed
    (ref,) = decision.deciding
    assert (ref.policy_id, ref.policy_name, ref.sid, ref.index, ref.effect) == (
        "id-ReadOnly",
        "ReadOnly",
        "ReadUsers",
        0,
        "Allow",
    )


def test_an_explicit_deny_overrides_any_allow():
    grants = policy(allow(), name="Admin")
    guard = policy({"Sid": "NoDelete", **deny("iam:DeleteUser")}, name="Guard")
    decision = decide("iam:DeleteUser", BOB_ARN, identity=[grants, guard])
    assert decision.effect is DecisionEffect.EXPLICIT_DENY
    assert [r.sid for r in decision.deciding] == ["NoDelete"]
    assert {r.policy_name for r in decision.matched_statements} == {"Admin", "Guard"}
    assert allowed("iam:GetUser", BOB_ARN, identity=[grants, guard])


def test_deny_effect_is_never_read_as_allow():
    only_deny = policy(deny("iam:GetUser"))
    assert (
        decide("iam:GetUser", BOB_ARN, identity=[only_deny]).effect is DecisionEffect.EXPLICIT_DENY
    )
    assert decide("iam:ListUsers", "*", identity=[only_deny]).effect is DecisionEffect.IMPLICIT_DENY


def test_statements_in_several_policies_are_combined():
    read = policy(allow("iam:Get*"), name="read")
    keys = policy(allow("iam:CreateAccessKey", ALICE_ARN), name="keys")
    assert allowed("iam:GetUser", BOB_ARN, identity=[read, keys])
    assert allowed("iam:CreateAccessKey", ALICE_ARN, identity=[read, keys])
    assert not allowed("iam:CreateAccessKey", BOB_ARN, identity=[read, keys])


# -- messages ------------------------------------------------------------------


def _message(decision, action="iam:GetUser", resource=BOB_ARN, principal=None):
    return decision.message(Request(action, resource, principal or user()))


def test_implicit_deny_message_is_awss_sentence():
    assert _message(decide("iam:GetUser", BOB_ARN)) == (
        f"User: {ALICE_ARN} is not authorized to perform: iam:GetUser on resource: {BOB_ARN} "
        "because no identity-based policy allows the iam:GetUser action"
    )


def test_explicit_deny_message_names_the_policy_type():
    decision = decide("iam:GetUser", BOB_ARN, identity=[policy(deny())])
    assert _message(decision) == (
        f"User: {ALICE_ARN} is not authorized to perform: iam:GetUser on resource: {BOB_ARN} "
        "with an explicit deny in an identity-based policy"
    )


def test_allow_has_no_denial_message():
    assert _message(decide("iam:GetUser", BOB_ARN, identity=[policy(allow())])) == ""


# -- permissions boundaries ----------------------------------------------------


def test_boundary_limits_what_identity_policies_allow():
    boundary = policy(allow(["iam:Get*", "iam:List*"]), kind=PolicyKind.BOUNDARY, name="boundary")
    admin = policy(allow())
    assert allowed("iam:GetUser", BOB_ARN, identity=[admin], boundary=boundary)
    decision = decide("iam:DeleteUser", BOB_ARN, identity=[admin], boundary=boundary)
    assert (
        decision.effect is DecisionEffect.IMPLICIT_DENY
        and decision.denied_by == "permissions boundary"
    )
    assert _message(decision, "iam:DeleteUser").endswith(
        "because no permissions boundary allows the iam:DeleteUser action"
    )


def test_boundary_alone_grants_nothing():
    boundary = policy(allow(), kind=PolicyKind.BOUNDARY)
    decision = decide("iam:GetUser", BOB_ARN, boundary=boundary)
    assert (
        decision.effect is DecisionEffect.IMPLICIT_DENY
        and decision.denied_by == "identity-based policy"
    )


def test_boundary_deny_is_an_explicit_deny_in_a_permissions_boundary():
    boundary = policy(allow(), deny("iam:DeleteUser"), kind=PolicyKind.BOUNDARY)
    decision = decide("iam:DeleteUser", BOB_ARN, identity=[policy(allow())], boundary=boundary)
    assert (
        decision.effect is DecisionEffect.EXPLICIT_DENY
        and decision.denied_by == "permissions boundary"
    )
    assert _message(decision, "iam:DeleteUser").endswith(
        "with an explicit deny in a permissions boundary"
    )


def test_resource_policy_naming_the_user_arn_is_not_limited_by_the_boundary():
    # AWS: "resource-based policies that grant permissions to an IAM user ARN are not
    # limited by an implicit deny in an identity-based policy or permissions boundary."
    boundary = policy(allow("iam:List*"), kind=PolicyKind.BOUNDARY)
    bucket = resource_policy(grant({"AWS": ALICE_ARN}, "s3:GetObject", f"{BUCKET}/*"))
    assert allowed(
        "s3:GetObject", f"{BUCKET}/log.txt", boundary=boundary, resource_policies=[bucket]
    )


def test_resource_policy_naming_the_role_is_limited_by_the_sessions_boundary():
    boundary = policy(allow("iam:List*"), kind=PolicyKind.BOUNDARY)
    bucket = resource_policy(grant({"AWS": ROLE_ARN}, "s3:GetObject", f"{BUCKET}/*"))
    decision = decide(
        "s3:GetObject",
        f"{BUCKET}/log.txt",
        session(),
        boundary=boundary,
        resource_policies=[bucket],
    )
    assert (
        decision.effect is DecisionEffect.IMPLICIT_DENY
        and decision.denied_by == "permissions boundary"
    )
    assert allowed("s3:GetObject", f"{BUCKET}/log.txt", session(), resource_policies=[bucket])


def test_resource_policy_naming_the_session_arn_is_not_limited_by_boundary_or_session_policy():
    boundary = policy(allow("iam:List*"), kind=PolicyKind.BOUNDARY)
    session_policy = policy(allow("iam:List*"), kind=PolicyKind.SESSION)
    bucket = resource_policy(grant({"AWS": SESSION_ARN}, "s3:GetObject", f"{BUCKET}/*"))
    assert allowed(
        "s3:GetObject",
        f"{BUCKET}/log.txt",
        session(),
        boundary=boundary,
        session_policies=[session_policy],
        resource_policies=[bucket],
    )


# -- session policies ------------------------------------------------------------


def test_session_permissions_are_the_intersection_of_role_and_session_policies():
    role = policy(allow(["iam:Get*", "iam:List*"]))
    session_policy = policy(allow(["iam:GetUser", "iam:CreateUser"]), kind=PolicyKind.SESSION)
    assert allowed(
        "iam:GetUser", BOB_ARN, session(), identity=[role], session_policies=[session_policy]
    )
    for action in ("iam:ListUsers", "iam:CreateUser"):
        assert not allowed(
            action, BOB_ARN, session(), identity=[role], session_policies=[session_policy]
        )
    decision = decide(
        "iam:ListUsers", BOB_ARN, session(), identity=[role], session_policies=[session_policy]
    )
    assert decision.denied_by == "session policy"
    assert _message(decision, "iam:ListUsers", principal=session()).endswith(
        "because no session policy allows the iam:ListUsers action"
    )


def test_inline_and_managed_session_policies_count_as_one_set():
    role = policy(allow())
    inline = policy(allow("iam:GetUser"), kind=PolicyKind.SESSION, name="inline")
    managed = policy(allow("iam:ListUsers"), kind=PolicyKind.MANAGED, name="managed")
    for action in ("iam:GetUser", "iam:ListUsers"):
        assert allowed(
            action, BOB_ARN, session(), identity=[role], session_policies=[inline, managed]
        )
    assert not allowed(
        "iam:DeleteUser", BOB_ARN, session(), identity=[role], session_policies=[inline, managed]
    )


def test_a_deny_in_a_session_policy_is_an_explicit_deny():
    decision = decide(
        "iam:GetUser",
        BOB_ARN,
        session(),
        identity=[policy(allow())],
        session_policies=[policy(allow(), deny("iam:GetUser"), kind=PolicyKind.SESSION)],
    )
    assert (
        decision.effect is DecisionEffect.EXPLICIT_DENY and decision.denied_by == "session policy"
    )


def test_resource_policy_naming_the_role_is_limited_by_session_policies():
    session_policy = policy(allow("iam:List*"), kind=PolicyKind.SESSION)
    bucket = resource_policy(grant({"AWS": ROLE_ARN}, "s3:GetObject", f"{BUCKET}/*"))
    decision = decide(
        "s3:GetObject",
        f"{BUCKET}/x",
        session(),
        session_policies=[session_policy],
        resource_policies=[bucket],
    )
    assert (
        decision.effect is DecisionEffect.IMPLICIT_DENY and decision.denied_by == "session policy"
    )


# -- resource-based policies in one account --------------------------------------


def test_same_account_identity_or_resource_policy_is_enough():
    # AWS's Carlos example: either policy allowing is enough within one account.
    identity = policy(allow("s3:PutObject", f"{BUCKET}/*"))
    bucket = resource_policy(grant({"AWS": ALICE_ARN}, "s3:PutObject", f"{BUCKET}/*"))
    assert allowed("s3:PutObject", f"{BUCKET}/x", identity=[identity])
    assert allowed("s3:PutObject", f"{BUCKET}/x", resource_policies=[bucket])
    assert allowed("s3:PutObject", f"{BUCKET}/x", identity=[identity], resource_policies=[bucket])


def test_resource_policy_naming_only_the_account_delegates_to_identity_policies():
    bucket = resource_policy(grant({"AWS": ACCT}, "s3:GetObject", f"{BUCKET}/*"))
    assert not allowed("s3:GetObject", f"{BUCKET}/x", resource_policies=[bucket])
    assert allowed(
        "s3:GetObject", f"{BUCKET}/x", identity=[policy(allow("s3:*"))], resource_policies=[bucket]
    )


def test_resource_policy_statement_must_name_the_caller():
    bucket = resource_policy(grant({"AWS": BOB_ARN}, "s3:GetObject", f"{BUCKET}/*"))
    assert not allowed("s3:GetObject", f"{BUCKET}/x", resource_policies=[bucket])


def test_resource_policy_deny_applies_even_with_an_identity_allow():
    bucket = resource_policy(grant("*", "s3:DeleteObject", f"{BUCKET}/*", effect="Deny"))
    decision = decide(
        "s3:DeleteObject", f"{BUCKET}/x", identity=[policy(allow())], resource_policies=[bucket]
    )
    assert (
        decision.effect is DecisionEffect.EXPLICIT_DENY
        and decision.denied_by == "resource-based policy"
    )
    assert _message(decision, "s3:DeleteObject", f"{BUCKET}/x").endswith(
        "with an explicit deny in a resource-based policy"
    )


def test_resource_policy_without_resource_element_covers_the_resource_it_is_on():
    trust = resource_policy(grant({"AWS": ALICE_ARN}, "sts:AssumeRole"), kind=PolicyKind.TRUST)
    assert allowed("sts:AssumeRole", ROLE_ARN, resource_policies=[trust])


# -- cross-account -----------------------------------------------------------------


CROSS_ROLE = f"arn:aws:iam::{OTHER}:role/Partner"


def test_cross_account_needs_both_identity_and_resource_policy():
    identity = policy(allow("sts:AssumeRole", CROSS_ROLE))
    trust = resource_policy(grant({"AWS": ACCT}, "sts:AssumeRole"), kind=PolicyKind.TRUST)
    only_identity = decide("sts:AssumeRole", CROSS_ROLE, identity=[identity])
    assert (
        only_identity.effect is DecisionEffect.IMPLICIT_DENY
        and only_identity.denied_by == "resource-based policy"
    )
    assert _message(only_identity, "sts:AssumeRole", CROSS_ROLE).endswith(
        "because no resource-based policy allows the sts:AssumeRole action"
    )
    only_trust = decide("sts:AssumeRole", CROSS_ROLE, resource_policies=[trust])
    assert (
        only_trust.effect is DecisionEffect.IMPLICIT_DENY
        and only_trust.denied_by == "identity-based policy"
    )
    both = decide("sts:AssumeRole", CROSS_ROLE, identity=[identity], resource_policies=[trust])
    assert both.allowed and len(both.deciding) == 2


def test_cross_account_resource_policy_naming_the_user_still_needs_the_identity_side():
    trust = resource_policy(grant({"AWS": ALICE_ARN}, "sts:AssumeRole"), kind=PolicyKind.TRUST)
    assert not allowed("sts:AssumeRole", CROSS_ROLE, resource_policies=[trust])
    assert allowed(
        "sts:AssumeRole",
        CROSS_ROLE,
        identity=[policy(allow("sts:AssumeRole"))],
        resource_policies=[trust],
    )


def test_cross_account_identity_side_is_narrowed_by_the_boundary():
    trust = resource_policy(grant({"AWS": ACCT}, "sts:AssumeRole"), kind=PolicyKind.TRUST)
    boundary = policy(allow("iam:*"), kind=PolicyKind.BOUNDARY)
    decision = decide(
        "sts:AssumeRole",
        CROSS_ROLE,
        identity=[policy(allow())],
        boundary=boundary,
        resource_policies=[trust],
    )
    assert decision.denied_by == "permissions boundary"


def test_resource_account_comes_from_the_arn_or_the_request():
    trust = resource_policy(grant({"AWS": ACCT}, "s3:GetObject", "*"))
    identity = policy(allow("s3:GetObject"))
    # S3 ARNs name no account: treated as the caller's own unless told otherwise.
    assert allowed("s3:GetObject", f"{BUCKET}/x", identity=[identity])
    request = Request("s3:GetObject", f"{BUCKET}/x", user(), {}, resource_account=OTHER)
    assert not evaluate(request, PolicySet(identity=(identity,))).allowed
    assert evaluate(request, PolicySet(identity=(identity,), resource=(trust,))).allowed


def test_aws_managed_policy_arns_count_as_the_callers_account():
    identity = policy(allow("iam:GetPolicy"))
    assert allowed("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess", identity=[identity])
    assert Request("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess", user()).same_account


# -- trust policies and sts:AssumeRole ------------------------------------------------


def test_trust_policy_naming_the_user_lets_them_assume_the_role_without_identity_policy():
    trust = resource_policy(grant({"AWS": ALICE_ARN}, "sts:AssumeRole"), kind=PolicyKind.TRUST)
    assert allowed("sts:AssumeRole", ROLE_ARN, resource_policies=[trust])
    assert not allowed("sts:AssumeRole", ROLE_ARN, user("bob"), resource_policies=[trust])


def test_trust_policy_naming_a_role_matches_that_roles_sessions_for_role_chaining():
    trust = resource_policy(grant({"AWS": ROLE_ARN}, "sts:AssumeRole"), kind=PolicyKind.TRUST)
    target = f"arn:aws:iam::{ACCT}:role/Target"
    assert allowed("sts:AssumeRole", target, session("Admin"), resource_policies=[trust])
    assert not allowed("sts:AssumeRole", target, session("Other"), resource_policies=[trust])


def test_role_path_is_part_of_the_role_arn_a_trust_policy_names():
    trust = resource_policy(
        grant({"AWS": f"arn:aws:iam::{ACCT}:role/ops/Admin"}, "sts:AssumeRole"),
        kind=PolicyKind.TRUST,
    )
    chained = Principal.from_arn(SESSION_ARN, role_arn=f"arn:aws:iam::{ACCT}:role/ops/Admin")
    assert allowed(
        "sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/T", chained, resource_policies=[trust]
    )
    assert not allowed(
        "sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/T", session("Admin"), resource_policies=[trust]
    )


def test_service_principal_in_a_trust_policy():
    trust = resource_policy(
        grant({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole"), kind=PolicyKind.TRUST
    )
    assert allowed(
        "sts:AssumeRole",
        ROLE_ARN,
        Principal.service("ec2.amazonaws.com"),
        resource_policies=[trust],
    )
    assert not allowed(
        "sts:AssumeRole",
        ROLE_ARN,
        Principal.service("lambda.amazonaws.com"),
        resource_policies=[trust],
    )
    assert not allowed("sts:AssumeRole", ROLE_ARN, resource_policies=[trust])


def test_trust_policy_conditions_such_as_external_id():
    trust = resource_policy(
        grant(
            {"AWS": OTHER}, "sts:AssumeRole", Condition={"StringEquals": {"sts:ExternalId": "x-1"}}
        ),
        kind=PolicyKind.TRUST,
    )
    partner = user("p", account=OTHER)
    identity = policy(allow("sts:AssumeRole"))
    assert allowed(
        "sts:AssumeRole",
        ROLE_ARN,
        partner,
        identity=[identity],
        resource_policies=[trust],
        context={"sts:ExternalId": "x-1"},
    )
    decision = decide(
        "sts:AssumeRole", ROLE_ARN, partner, identity=[identity], resource_policies=[trust]
    )
    assert not decision.allowed and decision.missing_context_keys == ("sts:ExternalId",)


def test_anonymous_principal_only_matches_star():
    anyone = resource_policy(grant("*", "s3:GetObject", f"{BUCKET}/*"))
    account = resource_policy(grant({"AWS": ACCT}, "s3:GetObject", f"{BUCKET}/*"))
    assert allowed("s3:GetObject", f"{BUCKET}/x", Principal.anonymous(), resource_policies=[anyone])
    assert not allowed(
        "s3:GetObject", f"{BUCKET}/x", Principal.anonymous(), resource_policies=[account]
    )


# -- NotPrincipal ----------------------------------------------------------------------


def test_notprincipal_deny_exempts_a_user_only_with_their_account_listed():
    # AWS: "When you use NotPrincipal, you must also specify the account ARN of the
    # not-denied principal. Otherwise, the policy might deny access to the entire
    # account containing the principal."
    admin = policy(allow())
    user_only = resource_policy(
        {"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE_ARN]}, "Action": "s3:*", "Resource": "*"}
    )
    with_account = resource_policy(
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": [ALICE_ARN, f"arn:aws:iam::{ACCT}:root"]},
            "Action": "s3:*",
            "Resource": "*",
        }
    )
    assert not allowed(
        "s3:GetObject", f"{BUCKET}/x", identity=[admin], resource_policies=[user_only]
    )
    assert allowed(
        "s3:GetObject", f"{BUCKET}/x", identity=[admin], resource_policies=[with_account]
    )
    assert not allowed(
        "s3:GetObject",
        f"{BUCKET}/x",
        user("bob"),
        identity=[admin],
        resource_policies=[with_account],
    )


def test_notprincipal_deny_exempts_a_session_only_with_account_role_and_session_listed():
    admin = policy(allow())
    names = [f"arn:aws:iam::{ACCT}:root", ROLE_ARN, SESSION_ARN]
    complete = resource_policy(
        {"Effect": "Deny", "NotPrincipal": {"AWS": names}, "Action": "s3:*", "Resource": "*"}
    )
    partial = resource_policy(
        {"Effect": "Deny", "NotPrincipal": {"AWS": names[:2]}, "Action": "s3:*", "Resource": "*"}
    )
    assert allowed(
        "s3:GetObject", f"{BUCKET}/x", session(), identity=[admin], resource_policies=[complete]
    )
    assert not allowed(
        "s3:GetObject", f"{BUCKET}/x", session(), identity=[admin], resource_policies=[partial]
    )


def test_notprincipal_allow_grants_everyone_not_listed():
    everyone_but_bob = resource_policy(
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": BOB_ARN},
            "Action": "s3:GetObject",
            "Resource": "*",
        }
    )
    assert allowed("s3:GetObject", f"{BUCKET}/x", resource_policies=[everyone_but_bob])


# -- the account root user -----------------------------------------------------------------


def test_root_is_allowed_in_its_own_account_without_policies():
    decision = decide("iam:DeleteUser", BOB_ARN, root())
    assert decision.allowed and decision.reason == "account root" and decision.deciding == ()


def test_root_is_not_restricted_by_identity_policies_but_is_by_resource_policy_denies():
    assert allowed("iam:DeleteUser", BOB_ARN, root(), identity=[policy(deny())])
    bucket = resource_policy(grant("*", "s3:DeleteBucket", BUCKET, effect="Deny"))
    decision = decide("s3:DeleteBucket", BUCKET, root(), resource_policies=[bucket])
    assert (
        decision.effect is DecisionEffect.EXPLICIT_DENY
        and decision.denied_by == "resource-based policy"
    )


def test_root_of_another_account_needs_the_resource_policy():
    other_root = root(OTHER)
    assert not allowed("sts:AssumeRole", ROLE_ARN, other_root)
    trust = resource_policy(grant({"AWS": OTHER}, "sts:AssumeRole"), kind=PolicyKind.TRUST)
    assert allowed("sts:AssumeRole", ROLE_ARN, other_root, resource_policies=[trust])


# -- what the decision reports ---------------------------------------------------------------


def test_matched_statements_include_every_statement_that_applied():
    a = policy({"Sid": "A", **allow("iam:Get*")}, {"Sid": "B", **allow("iam:List*")}, name="one")
    b = policy({"Sid": "C", **allow("iam:GetUser", BOB_ARN)}, name="two")
    decision = decide("iam:GetUser", BOB_ARN, identity=[a, b])
    assert [(r.policy_name, r.sid) for r in decision.matched_statements] == [
        ("one", "A"),
        ("two", "C"),
    ]


def test_missing_context_keys_lists_keys_of_relevant_statements_absent_from_the_request():
    p = policy(
        allow(
            "iam:GetUser",
            "*",
            Condition={
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            },
        ),
        allow(
            "iam:ListUsers", "*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
        ),
    )
    decision = decide("iam:GetUser", BOB_ARN, identity=[p], context={"aws:SourceIp": "10.1.1.1"})
    assert decision.missing_context_keys == ("aws:MultiFactorAuthPresent",)
    assert (
        decide(
            "iam:GetUser",
            BOB_ARN,
            identity=[p],
            context={"aws:SourceIp": "10.1.1.1", "aws:MultiFactorAuthPresent": "true"},
        ).missing_context_keys
        == ()
    )


def test_decisions_are_immutable():
    import dataclasses

    import pytest

    decision = decide("iam:GetUser", BOB_ARN, identity=[policy(allow())])
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.effect = DecisionEffect.IMPLICIT_DENY  # type: ignore[misc]


def test_a_policy_set_is_reusable_across_requests_and_actions():
    policies = PolicySet(identity=(policy(allow("iam:Get*"), deny("iam:GetUser", BOB_ARN)),))
    outcomes = [
        evaluate(Request(action, resource, user()), policies).effect
        for action, resource in [
            ("iam:GetUser", BOB_ARN),
            ("iam:GetUser", ALICE_ARN),
            ("iam:ListUsers", "*"),
        ]
        * 3
    ]
    assert (
        outcomes
        == [DecisionEffect.EXPLICIT_DENY, DecisionEffect.ALLOW, DecisionEffect.IMPLICIT_DENY] * 3
    )
