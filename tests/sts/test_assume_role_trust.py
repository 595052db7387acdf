"""Who may assume a role: the caller's identity policies and the role's trust policy."""

from __future__ import annotations

import pytest

from audit.models import Event
from core.caller import Caller
from core.errors import AccessDenied
from sts.models import RoleSession
from sts.operations import assume_role
from tests.factories import make_iam_user
from tests.sts.conftest import ALICE, CHARLIE, allow, doc, give, trust

pytestmark = pytest.mark.django_db

ACCOUNT_ROOT = f"arn:aws:iam::{ALICE}:root"


def refusal(caller: Caller, role_arn: str) -> str:
    return (f"User: {caller.principal_arn} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn}")


def assume(caller: Caller, role, **kwargs):
    arn = role if isinstance(role, str) else role.arn
    return assume_role(caller, role_arn=arn, role_session_name="test-session", **kwargs)


def test_same_account_user_allowed_by_identity_policy_when_trust_names_the_account(
        make_role, alice_user):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))

    result = assume(Caller.for_user(alice_user), role)

    assert result.assumed_role_arn == f"arn:aws:sts::{ALICE}:assumed-role/Deploy/test-session"
    assert result.assumed_role_id == f"{role.role_id}:test-session"
    assert result.assumed_role_id.startswith("AROA")
    assert result.credentials.access_key_id.startswith("ASIA")
    assert len(result.credentials.secret_access_key) == 40
    assert len(result.credentials.session_token) >= 100
    session = RoleSession.objects.get(access_key_id=result.credentials.access_key_id)
    assert session.source_arn == alice_user.arn
    assert session.role_id == role.pk and not session.chained
    role.refresh_from_db()
    assert role.last_used_at == session.issued_at


def test_same_account_user_without_identity_policy_is_refused_when_trust_names_the_account(
        make_role, bob_user):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    bob = Caller.for_user(bob_user)

    with pytest.raises(AccessDenied) as refused:
        assume(bob, role)

    assert refused.value.message == refusal(bob, role.arn)
    assert not RoleSession.objects.exists()
    event = Event.objects.get(action="sts:AssumeRole")
    assert event.outcome == "AccessDenied" and event.resources == [role.arn]


def test_user_named_directly_in_trust_needs_no_identity_policy(make_role, bob_user):
    role = make_role("Direct", trust(bob_user.arn))

    result = assume(Caller.for_user(bob_user), role)

    assert result.session.source_arn == bob_user.arn


def test_trust_naming_someone_else_refuses_even_with_identity_allow(make_role, alice_user,
                                                                     bob_user):
    role = make_role("BobOnly", trust(bob_user.arn))
    alice = Caller.for_user(alice_user)

    with pytest.raises(AccessDenied) as refused:
        assume(alice, role)

    assert refused.value.message == refusal(alice, role.arn)


def test_other_account_user_needs_both_the_trust_and_its_own_policy(make_role, charlie_user,
                                                                    charlie_account):
    role = make_role("Partner", trust(f"arn:aws:iam::{CHARLIE}:root"))

    result = assume(Caller.for_user(charlie_user), role)

    assert result.assumed_role_arn.startswith(f"arn:aws:sts::{ALICE}:assumed-role/Partner/")
    assert result.session.account_id == ALICE
    assert result.session.source_account == CHARLIE

    no_policy = Caller.for_user(make_iam_user(charlie_account.account, "dave"))
    with pytest.raises(AccessDenied) as refused:
        assume(no_policy, role)
    assert refused.value.message == refusal(no_policy, role.arn)


def test_other_account_is_refused_when_trust_names_only_the_own_account(make_role, charlie_user):
    role = make_role("Internal", trust(ACCOUNT_ROOT))
    charlie = Caller.for_user(charlie_user)

    with pytest.raises(AccessDenied) as refused:
        assume(charlie, role)

    assert refused.value.message == refusal(charlie, role.arn)


def test_missing_role_is_refused_with_the_same_sentence_in_any_account(charlie_user, alice_user):
    charlie = Caller.for_user(charlie_user)
    alice = Caller.for_user(alice_user)
    missing_there = f"arn:aws:iam::{ALICE}:role/NoSuchRole"
    missing_here = f"arn:aws:iam::{CHARLIE}:role/NoSuchRole"

    for caller, arn in ((charlie, missing_there), (alice, missing_there),
                        (charlie, missing_here)):
        with pytest.raises(AccessDenied) as refused:
            assume(caller, arn)
        assert refused.value.message == refusal(caller, arn)


def test_role_arn_must_match_path_and_name_exactly(make_role, alice_user):
    make_role("Deploy", trust(ACCOUNT_ROOT))
    alice = Caller.for_user(alice_user)

    for wrong in (f"arn:aws:iam::{ALICE}:role/deploy", f"arn:aws:iam::{ALICE}:role/ops/Deploy"):
        with pytest.raises(AccessDenied):
            assume(alice, wrong)


def test_specific_role_arn_in_trust_admits_that_roles_sessions_only(make_role, alice_user):
    hub = make_role("Hub", trust(ACCOUNT_ROOT), policy=doc(allow("sts:AssumeRole")))
    other = make_role("Other", trust(ACCOUNT_ROOT), policy=doc(allow("sts:AssumeRole")))
    target = make_role("Target", trust(hub.arn), policy=None)
    alice = Caller.for_user(alice_user)
    from sts.services import caller_for_session

    in_hub = caller_for_session(assume(alice, hub).session)
    in_other = caller_for_session(assume(alice, other).session)

    chained = assume(in_hub, target)
    assert chained.session.chained
    assert chained.session.source_arn == in_hub.principal_arn
    with pytest.raises(AccessDenied) as refused:
        assume(in_other, target)
    assert refused.value.message == refusal(in_other, target.arn)
    with pytest.raises(AccessDenied):
        assume(alice, target)


def test_wildcard_principal_is_narrowed_by_its_conditions(make_role, charlie_user, alice_user):
    condition = {"StringEquals": {"aws:PrincipalAccount": CHARLIE}}
    role = make_role("Wild", trust(principal="*", condition=condition))

    assert assume(Caller.for_user(charlie_user), role).session.source_account == CHARLIE
    with pytest.raises(AccessDenied):
        assume(Caller.for_user(alice_user), role)


def test_external_id_required_missing_or_wrong_is_refused(make_role, charlie_user):
    condition = {"StringEquals": {"sts:ExternalId": "Unique-1234"}}
    role = make_role("Vendor", trust(f"arn:aws:iam::{CHARLIE}:root", condition=condition))
    charlie = Caller.for_user(charlie_user)

    with pytest.raises(AccessDenied):
        assume(charlie, role)
    with pytest.raises(AccessDenied):
        assume(charlie, role, external_id="Unique-9999")
    assert assume(charlie, role, external_id="Unique-1234").session.role_id == role.pk


def test_explicit_deny_in_trust_wins_over_every_allow(make_role, alice_user, bob_user):
    role = make_role("Guarded", trust(ACCOUNT_ROOT),
                     {"Effect": "Deny", "Principal": {"AWS": alice_user.arn},
                      "Action": "sts:AssumeRole"})
    give(bob_user, doc(allow("sts:AssumeRole")))
    alice = Caller.for_user(alice_user)

    with pytest.raises(AccessDenied) as refused:
        assume(alice, role)
    assert refused.value.message == refusal(alice, role.arn)
    assert assume(Caller.for_user(bob_user), role).session.source_arn == bob_user.arn


def test_identity_deny_wins_over_a_trust_that_names_the_user(make_role, bob_user):
    role = make_role("Direct", trust(bob_user.arn))
    give(bob_user, doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}))

    with pytest.raises(AccessDenied):
        assume(Caller.for_user(bob_user), role)


def test_root_user_may_not_assume_roles(make_role, alice_root):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))

    with pytest.raises(AccessDenied) as refused:
        assume(alice_root, role)

    assert refused.value.message == "Roles may not be assumed by root accounts."


def test_session_tags_need_sts_tag_session_in_the_trust(make_role, alice_user):
    plain = make_role("Plain", trust(ACCOUNT_ROOT))
    taggable = make_role("Taggable", trust(ACCOUNT_ROOT),
                         {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT},
                          "Action": "sts:TagSession"})
    give(alice_user, doc(allow(["sts:AssumeRole", "sts:TagSession"])))
    alice = Caller.for_user(alice_user)
    tags = [{"Key": "team", "Value": "blue"}]

    with pytest.raises(AccessDenied) as refused:
        assume(alice, plain, tags=tags)
    assert "sts:TagSession" in refused.value.message
    assert assume(alice, taggable, tags=tags).session.tags == tags
