"""What a session looks like to the engine, and the other STS operations."""

from __future__ import annotations

import pytest

from core.caller import Caller
from core.errors import AccessDenied, NoSuchEntity, ValidationError
from identities.models import AccessKey
from policies.authz import authorize, request_context
from sts import services
from sts.models import RoleSession
from sts.operations import (
    assume_role,
    get_access_key_info,
    get_caller_identity,
    get_session_token,
)
from tests.sts.conftest import ALICE, CHARLIE, allow, doc, give, trust

pytestmark = pytest.mark.django_db

ACCOUNT_ROOT = f"arn:aws:iam::{ALICE}:root"
STS_ACTIONS = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
TAG_AND_SOURCE = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT},
                  "Action": ["sts:TagSession", "sts:SetSourceIdentity"]}


def test_role_session_context_keys(make_role, alice_user, clock):
    clock.set("2030-01-01T12:00:00")
    role = make_role("Tagged", trust(ACCOUNT_ROOT), TAG_AND_SOURCE,
                     tags=[{"Key": "team", "Value": "red"}, {"Key": "tier", "Value": "gold"}])
    give(alice_user, doc(allow(STS_ACTIONS)))
    session = assume_role(Caller.for_user(alice_user), role_arn=role.arn,
                          role_session_name="ci-run", tags=[{"Key": "Team", "Value": "blue"}],
                          transitive_tag_keys=["team"], source_identity="alice").session
    caller = services.caller_for_session(session, source_ip="10.0.0.1")

    context = request_context(caller)

    assert caller.principal_arn == f"arn:aws:sts::{ALICE}:assumed-role/Tagged/ci-run"
    assert caller.principal_type == "AssumedRole" and caller.account_id == ALICE
    assert context["aws:userid"] == f"{role.role_id}:ci-run"
    assert context["aws:PrincipalArn"] == role.arn
    assert context["aws:TokenIssueTime"] == "2030-01-01T12:00:00Z"
    assert context["aws:MultiFactorAuthPresent"] == "false"
    assert context["sts:RoleSessionName"] == "ci-run"
    assert context["aws:SourceIdentity"] == "alice"
    assert context["aws:PrincipalTag/Team"] == "blue"  # the session tag overrides the role's
    assert context["aws:PrincipalTag/tier"] == "gold"
    assert "aws:PrincipalTag/team" not in context
    assert "aws:username" not in context
    assert session.transitive_tag_keys == ["Team"]


def test_principal_tag_conditions_see_session_tags(make_role, alice_user):
    role = make_role("Abac", trust(ACCOUNT_ROOT),
                     {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT},
                      "Action": "sts:TagSession"},
                     policy=doc(allow("iam:GetRole", Condition={
                         "StringEquals": {"aws:PrincipalTag/team": "blue"}})))
    give(alice_user, doc(allow(["sts:AssumeRole", "sts:TagSession"])))
    alice = Caller.for_user(alice_user)

    blue = assume_role(alice, role_arn=role.arn, role_session_name="blue",
                       tags=[{"Key": "team", "Value": "blue"}]).session
    red = assume_role(alice, role_arn=role.arn, role_session_name="red",
                      tags=[{"Key": "team", "Value": "red"}]).session

    assert authorize(services.caller_for_session(blue), "iam:GetRole", role.arn).allowed
    with pytest.raises(AccessDenied):
        authorize(services.caller_for_session(red), "iam:GetRole", role.arn)


def test_transitive_tags_carry_through_a_role_chain_and_cannot_be_overridden(make_role,
                                                                              alice_user):
    first = make_role("First", trust(ACCOUNT_ROOT), TAG_AND_SOURCE,
                      policy=doc(allow(["sts:AssumeRole", "sts:TagSession"])))
    second = make_role("Second", trust(first.arn),
                       {"Effect": "Allow", "Principal": {"AWS": first.arn},
                        "Action": "sts:TagSession"})
    give(alice_user, doc(allow(STS_ACTIONS)))
    session = assume_role(Caller.for_user(alice_user), role_arn=first.arn,
                          role_session_name="one", tags=[{"Key": "project", "Value": "x"},
                                                         {"Key": "scratch", "Value": "y"}],
                          transitive_tag_keys=["project"], source_identity="alice").session
    in_first = services.caller_for_session(session)

    chained = assume_role(in_first, role_arn=second.arn, role_session_name="two").session
    assert chained.tags == [{"Key": "project", "Value": "x"}]
    assert chained.transitive_tag_keys == ["project"]
    assert chained.source_identity == "alice"
    with pytest.raises(ValidationError):
        assume_role(in_first, role_arn=second.arn, role_session_name="three",
                    tags=[{"Key": "Project", "Value": "z"}])
    with pytest.raises(AccessDenied):
        assume_role(in_first, role_arn=second.arn, role_session_name="four",
                    source_identity="mallory")


def test_get_session_token_acts_as_the_user_with_its_policies(alice_user, clock):
    issued = clock.set("2030-01-01T12:00:00")
    credentials = get_session_token(Caller.for_user(alice_user))

    assert credentials.access_key_id.startswith("ASIA")
    assert (credentials.expiration - issued).total_seconds() == 43200
    session = services.resolve_temporary_credentials(credentials.access_key_id,
                                                     credentials.session_token)
    caller = services.caller_for_session(session)
    assert session.role_arn is None
    assert caller.principal_arn == alice_user.arn and caller.user == alice_user
    assert request_context(caller)["aws:username"] == "alice"
    assert request_context(caller)["aws:TokenIssueTime"] == "2030-01-01T12:00:00Z"
    assert authorize(caller, "sts:AssumeRole", f"arn:aws:iam::{ALICE}:role/X").allowed
    with pytest.raises(AccessDenied):
        authorize(caller, "iam:ListUsers", "*")
    assert get_caller_identity(caller).arn == alice_user.arn


def test_get_session_token_bounds_and_root_cap(alice_user, alice_root, clock):
    issued = clock.set("2030-01-01T12:00:00")
    alice = Caller.for_user(alice_user)

    assert (get_session_token(alice, duration_seconds=129600).expiration - issued) \
        .total_seconds() == 129600
    for bad in (899, 129601):
        with pytest.raises(ValidationError):
            get_session_token(alice, duration_seconds=bad)
    root = get_session_token(alice_root, duration_seconds=7200)
    assert (root.expiration - issued).total_seconds() == 3600


def test_get_session_token_refuses_temporary_credentials(make_role, alice_user):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    in_role = services.caller_for_session(
        assume_role(Caller.for_user(alice_user), role_arn=role.arn,
                    role_session_name="sess").session)
    token_caller = services.caller_for_session(
        get_session_token(Caller.for_user(alice_user)).session)

    for caller in (in_role, token_caller):
        with pytest.raises(AccessDenied) as refused:
            get_session_token(caller)
        assert refused.value.message == "Cannot call GetSessionToken with session credentials"


def test_get_session_token_with_mfa_marks_the_session(alice_account):
    import time

    from identities import services as identity_services
    from tests.factories import make_iam_user

    user = make_iam_user(alice_account.account, "mia")
    device = identity_services.add_virtual_mfa_device(user, name="mia")
    code = f"{device.totp_at(time.time()).token():06d}"

    credentials = get_session_token(Caller.for_user(user), serial_number=device.serial_number,
                                    token_code=code)

    caller = services.caller_for_session(credentials.session)
    assert request_context(caller)["aws:MultiFactorAuthPresent"] == "true"


def test_get_caller_identity_needs_no_permission(make_role, alice_user, bob_user, alice_root):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    give(bob_user, doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))
    session = assume_role(Caller.for_user(alice_user), role_arn=role.arn,
                          role_session_name="who").session

    bob = get_caller_identity(Caller.for_user(bob_user))
    assert (bob.user_id, bob.account, bob.arn) == (bob_user.user_id, ALICE, bob_user.arn)
    root = get_caller_identity(alice_root)
    assert (root.user_id, root.arn) == (ALICE, f"arn:aws:iam::{ALICE}:root")
    in_role = get_caller_identity(services.caller_for_session(session))
    assert in_role.user_id == f"{role.role_id}:who"
    assert in_role.arn == f"arn:aws:sts::{ALICE}:assumed-role/Deploy/who"


def test_get_access_key_info_names_the_account_of_any_key(make_role, alice_user, charlie_user):
    give(charlie_user, doc(allow("sts:GetAccessKeyInfo")))
    charlie = Caller.for_user(charlie_user)
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    temporary = assume_role(Caller.for_user(alice_user), role_arn=role.arn,
                            role_session_name="key").credentials
    long_term = AccessKey(user=alice_user, access_key_id="AKIATESTKEY000000001")
    long_term.set_secret("x" * 40)
    long_term.save()

    assert get_access_key_info(charlie, access_key_id=temporary.access_key_id) == ALICE
    assert get_access_key_info(charlie, access_key_id="AKIATESTKEY000000001") == ALICE
    with pytest.raises(NoSuchEntity):
        get_access_key_info(charlie, access_key_id="AKIANOSUCHKEY0000000")
    with pytest.raises(AccessDenied):
        get_access_key_info(Caller.for_user(alice_user), access_key_id="AKIATESTKEY000000001")
    assert CHARLIE != ALICE and RoleSession.objects.count() == 1


def test_session_token_credentials_reach_iam_only_with_mfa_and_sts_only_partly(alice_user):
    from sts.errors import InvalidClientTokenId

    plain = get_session_token(Caller.for_user(alice_user)).session

    with pytest.raises(InvalidClientTokenId):
        services.check_credential_scope(plain, "iam:ListUsers")
    with pytest.raises(AccessDenied) as refused:
        services.check_credential_scope(plain, "sts:GetAccessKeyInfo")
    assert refused.value.message == "Cannot call GetAccessKeyInfo with session credentials"
    services.check_credential_scope(plain, "sts:AssumeRole")
    services.check_credential_scope(plain, "sts:GetCallerIdentity")
    RoleSession.objects.filter(pk=plain.pk).update(mfa_authenticated=True)
    plain.refresh_from_db()
    services.check_credential_scope(plain, "iam:ListUsers")
