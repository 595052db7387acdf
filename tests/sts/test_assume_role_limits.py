"""AssumeRole's bounds: durations, role chaining, MFA, session policies and their size."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from core.caller import Caller
from core.errors import AccessDenied, MalformedPolicyDocument, ValidationError
from identities import services as identity_services
from identities.models import MFADevice
from policies.authz import authorize
from policies.models import ManagedPolicy
from sts.errors import PackedPolicyTooLarge
from sts.models import RoleSession
from sts.operations import assume_role
from sts.services import caller_for_session
from tests.sts.conftest import ALICE, allow, doc, give, trust

pytestmark = pytest.mark.django_db

ACCOUNT_ROOT = f"arn:aws:iam::{ALICE}:root"
CHAIN_LIMIT = ("The requested DurationSeconds exceeds the 1 hour session limit for roles "
               "assumed by role chaining.")


def assume(caller, role, **kwargs):
    return assume_role(caller, role_arn=role.arn, role_session_name="limits", **kwargs)


def can(caller, action, resource="*") -> bool:
    try:
        authorize(caller, action, resource)
    except AccessDenied:
        return False
    return True


def test_duration_is_900_seconds_up_to_the_roles_maximum(make_role, alice_user, clock):
    now = clock.set("2030-01-01T12:00:00")
    role = make_role("Long", trust(ACCOUNT_ROOT), max_session_duration=7200)
    alice = Caller.for_user(alice_user)

    assert assume(alice, role).credentials.expiration == now + timedelta(hours=1)
    assert assume(alice, role, duration_seconds=900).credentials.expiration == \
        now + timedelta(seconds=900)
    assert assume(alice, role, duration_seconds=7200).credentials.expiration == \
        now + timedelta(seconds=7200)
    with pytest.raises(ValidationError) as too_short:
        assume(alice, role, duration_seconds=899)
    assert "Member must have value greater than or equal to 900" in too_short.value.message
    with pytest.raises(ValidationError) as too_long:
        assume(alice, role, duration_seconds=7201)
    assert too_long.value.message == ("The requested DurationSeconds exceeds the "
                                      "MaxSessionDuration set for this role.")


def test_role_chaining_is_capped_at_one_hour_whatever_the_roles_maximum(make_role, alice_user):
    first = make_role("First", trust(ACCOUNT_ROOT), max_session_duration=43200,
                      policy=doc(allow("sts:AssumeRole")))
    second = make_role("Second", trust(first.arn), max_session_duration=43200)
    session = assume(Caller.for_user(alice_user), first, duration_seconds=43200).session
    in_first = caller_for_session(session)

    with pytest.raises(ValidationError) as refused:
        assume(in_first, second, duration_seconds=3601)
    assert refused.value.message == CHAIN_LIMIT
    chained = assume(in_first, second, duration_seconds=3600).session
    assert chained.chained
    assert (chained.expires_at - chained.issued_at).total_seconds() == 3600


def test_role_session_name_follows_aws_rules(make_role, alice_user):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    alice = Caller.for_user(alice_user)

    for bad in ("x", "a" * 65, "has space", "semi;colon"):
        with pytest.raises(ValidationError):
            assume_role(alice, role_arn=role.arn, role_session_name=bad)
    assert assume_role(alice, role_arn=role.arn, role_session_name="a+b=c,d.e@f-g_h")


def _mfa_user(account, name="mia"):
    from tests.factories import make_iam_user

    user = make_iam_user(account, name)
    give(user, doc(allow("sts:AssumeRole")))
    device = identity_services.add_virtual_mfa_device(user, name=name)
    return user, device


def _code(device: MFADevice) -> str:
    device.refresh_from_db()
    totp = device.totp_at(time.time())
    return f"{totp.token():06d}"


MFA_REQUIRED = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_mfa_required_by_trust_refuses_without_and_admits_with_a_code(make_role, alice_account):
    role = make_role("Sensitive", trust(ACCOUNT_ROOT, condition=MFA_REQUIRED))
    user, device = _mfa_user(alice_account.account)
    caller = Caller.for_user(user)

    with pytest.raises(AccessDenied):
        assume(caller, role)
    session = assume(caller, role, serial_number=device.serial_number,
                     token_code=_code(device)).session
    assert session.mfa_authenticated and session.mfa_authenticated_at is not None
    keys = session.context_keys()
    assert keys["aws:MultiFactorAuthPresent"] == "true"
    assert int(keys["aws:MultiFactorAuthAge"]) >= 0


def test_wrong_mfa_code_or_someone_elses_device_is_refused(make_role, alice_account):
    role = make_role("Sensitive", trust(ACCOUNT_ROOT, condition=MFA_REQUIRED))
    user, device = _mfa_user(alice_account.account)
    _, other_device = _mfa_user(alice_account.account, "otto")
    good = _code(device)
    wrong = f"{(int(good) + 1) % 1000000:06d}"

    with pytest.raises(AccessDenied) as bad_code:
        assume(Caller.for_user(user), role, serial_number=device.serial_number, token_code=wrong)
    assert bad_code.value.message == ("MultiFactorAuthentication failed with invalid MFA one "
                                      "time pass code.")
    with pytest.raises(AccessDenied) as not_theirs:
        assume(Caller.for_user(user), role, serial_number=other_device.serial_number,
               token_code=_code(other_device))
    assert "unable to validate MFA code" in not_theirs.value.message
    with pytest.raises(ValidationError):
        assume(Caller.for_user(user), role, serial_number=device.serial_number)
    assert not RoleSession.objects.exists()


def test_console_sign_in_with_mfa_satisfies_an_mfa_trust(make_role, alice_user):
    from django.utils import timezone

    role = make_role("Sensitive", trust(ACCOUNT_ROOT, condition=MFA_REQUIRED))
    console = Caller.for_user(alice_user, mfa_authenticated_at=timezone.now())

    assert assume(console, role, is_console=True).session.is_console


def test_session_policy_narrows_the_role(make_role, alice_user):
    role = make_role("Admin", trust(ACCOUNT_ROOT))
    session = assume(Caller.for_user(alice_user), role,
                     policy=doc(allow("iam:GetRole"))).session
    in_role = caller_for_session(session)

    assert can(in_role, "iam:GetRole", role.arn)
    assert not can(in_role, "iam:ListRoles")


def test_session_policy_never_widens_the_role(make_role, alice_user):
    role = make_role("Reader", trust(ACCOUNT_ROOT), policy=doc(allow("iam:GetRole")))
    session = assume(Caller.for_user(alice_user), role,
                     policy=doc(allow("*"))).session
    in_role = caller_for_session(session)

    assert can(in_role, "iam:GetRole", role.arn)
    assert not can(in_role, "iam:CreateUser")


def test_managed_session_policy_narrows_and_a_deleted_one_does_not_widen(make_role, alice_user,
                                                                        alice_account):
    managed = ManagedPolicy.objects.create(account=alice_account.account, name="OnlyListRoles",
                                           policy_id="ANPATESTONLYLISTROLES",
                                           default_document=doc(allow("iam:ListRoles")))
    role = make_role("Admin", trust(ACCOUNT_ROOT))
    session = assume(Caller.for_user(alice_user), role, policy_arns=[{"arn": managed.arn}]).session
    in_role = caller_for_session(session)

    assert session.policy_arns == [managed.arn]
    assert can(in_role, "iam:ListRoles")
    assert not can(in_role, "iam:GetRole", role.arn)
    managed.delete()
    from policies import policyset

    policyset.bump(ALICE)
    assert not can(caller_for_session(session), "iam:ListRoles")


def test_unknown_session_policy_arn_is_refused(make_role, alice_user):
    role = make_role("Admin", trust(ACCOUNT_ROOT))

    with pytest.raises(MalformedPolicyDocument):
        assume(Caller.for_user(alice_user), role,
               policy_arns=[f"arn:aws:iam::{ALICE}:policy/Nope"])


def test_packed_policy_size_is_reported_and_too_large_is_refused(make_role, alice_user):
    role = make_role("Admin", trust(ACCOUNT_ROOT))
    alice = Caller.for_user(alice_user)
    small = doc(allow("iam:GetRole"))

    assert assume(alice, role).packed_policy_size is None
    assert 0 < assume(alice, role, policy=small).packed_policy_size < 10
    actions = [f"iam:GetRole{i:04d}" for i in range(150)]
    big = json.dumps({"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    with pytest.raises(PackedPolicyTooLarge) as refused:
        assume(alice, role, policy=big)
    assert refused.value.code == "PackedPolicyTooLarge" and refused.value.status == 400
    assert "Packed policy consumes" in refused.value.message


def test_malformed_session_policy_is_refused(make_role, alice_user):
    role = make_role("Admin", trust(ACCOUNT_ROOT))

    with pytest.raises(MalformedPolicyDocument):
        assume(Caller.for_user(alice_user), role, policy='{"Statement": "nope"}')


@pytest.mark.django_db(transaction=True)
def test_a_wrong_mfa_code_counts_against_the_throttle_although_the_call_rolls_back(
        make_role, alice_account):
    role = make_role("Sensitive", trust(ACCOUNT_ROOT, condition=MFA_REQUIRED))
    user, device = _mfa_user(alice_account.account)
    wrong = f"{(int(_code(device)) + 1) % 1000000:06d}"

    with pytest.raises(AccessDenied):
        assume(Caller.for_user(user), role, serial_number=device.serial_number, token_code=wrong)

    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert not RoleSession.objects.exists()
