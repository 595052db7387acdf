"""Presenting temporary credentials: expiry to the second, revocation, deleted roles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.caller import Caller
from core.errors import AccessDenied
from identities.operations.roles import create_role, delete_role
from policies.authz import authorize
from policies.models import InlinePolicy
from sts import services
from sts.errors import ExpiredToken, InvalidClientTokenId
from sts.operations import assume_role, revoke_role_sessions
from tests.sts.conftest import ALICE, at, doc, trust

pytestmark = pytest.mark.django_db

ACCOUNT_ROOT = f"arn:aws:iam::{ALICE}:root"


def issue(caller, role, **kwargs):
    return assume_role(caller, role_arn=role.arn, role_session_name="life", **kwargs).credentials


def resolve(credentials, now):
    return services.resolve_temporary_credentials(credentials.access_key_id,
                                                  credentials.session_token, now=now)


def test_credentials_work_until_one_second_before_expiry_and_not_at_it(make_role, alice_user,
                                                                       clock):
    issued_at = clock.set("2030-01-01T12:00:00")
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    credentials = issue(Caller.for_user(alice_user), role, duration_seconds=900)
    expiry = issued_at + timedelta(seconds=900)

    assert credentials.expiration == expiry
    assert resolve(credentials, expiry - timedelta(seconds=1)).access_key_id == \
        credentials.access_key_id
    # AWS's rule: expired from the expiration instant on.
    with pytest.raises(ExpiredToken) as at_expiry:
        resolve(credentials, expiry)
    assert at_expiry.value.message == "The security token included in the request is expired"
    assert at_expiry.value.status == 400
    with pytest.raises(ExpiredToken):
        resolve(credentials, expiry + timedelta(seconds=1))


def test_expired_credential_is_refused_with_no_worker_having_marked_it(make_role, alice_user,
                                                                       clock):
    clock.set("2030-01-01T12:00:00")
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    credentials = issue(Caller.for_user(alice_user), role, duration_seconds=900)
    clock.set("2030-01-01T13:00:00")

    assert credentials.session.expired_marked_at is None
    with pytest.raises(ExpiredToken):
        services.resolve_temporary_credentials(credentials.access_key_id,
                                               credentials.session_token)


def test_wrong_token_or_unknown_key_is_invalid(make_role, alice_user):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    credentials = issue(Caller.for_user(alice_user), role)

    for key, token in ((credentials.access_key_id, credentials.session_token + "x"),
                       ("ASIAUNKNOWNKEY000000", credentials.session_token),
                       (credentials.access_key_id, "")):
        with pytest.raises(InvalidClientTokenId) as refused:
            services.resolve_temporary_credentials(key, token)
        assert refused.value.status == 403


def test_session_token_and_secret_are_not_stored_in_clear(make_role, alice_user):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    credentials = issue(Caller.for_user(alice_user), role)
    row = credentials.session.__class__.objects.get(pk=credentials.session.pk)

    assert credentials.session_token not in str(row.__dict__)
    assert credentials.secret_access_key not in row.encrypted_secret
    assert row.token_hash == services.hash_token(credentials.session_token)
    assert row.secret == credentials.secret_access_key


def test_session_of_a_deleted_role_is_refused_and_not_revived_by_a_new_role(
        make_role, alice_user, alice_root):
    role = make_role("Temp", trust(ACCOUNT_ROOT), policy=None)
    credentials = issue(Caller.for_user(alice_user), role)
    delete_role(alice_root, role_name="Temp")

    with pytest.raises(InvalidClientTokenId):
        resolve(credentials, None)
    create_role(alice_root, role_name="Temp", assume_role_policy_document=doc(trust(ACCOUNT_ROOT)))
    with pytest.raises(InvalidClientTokenId):
        resolve(credentials, None)


def test_ended_console_session_is_refused(make_role, alice_user):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    result = assume_role(Caller.for_user(alice_user), role_arn=role.arn,
                         role_session_name="alice", is_console=True)
    session = result.session

    found = services.resolve_console_session(session.pk, source_arn=alice_user.arn)
    assert found.pk == session.pk
    with pytest.raises(InvalidClientTokenId):
        services.resolve_console_session(session.pk, source_arn="arn:aws:iam::1:user/mallory")
    services.end_session(session)
    with pytest.raises(InvalidClientTokenId):
        services.resolve_console_session(session.pk, source_arn=alice_user.arn)
    with pytest.raises(InvalidClientTokenId):
        resolve(result.credentials, None)


def _allowed(session) -> bool:
    try:
        authorize(services.caller_for_session(session), "iam:ListRoles", "*")
    except AccessDenied as refused:
        assert "with an explicit deny in an identity-based policy" in refused.message
        return False
    return True


def test_revoking_sessions_denies_those_issued_before_the_second_and_not_after(
        make_role, alice_user, alice_root, clock):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    alice = Caller.for_user(alice_user)
    sessions = {}
    for label, moment in (("before", "2030-01-01T11:59:59"), ("at", "2030-01-01T12:00:00"),
                          ("after", "2030-01-01T12:00:01")):
        clock.set(moment)
        sessions[label] = issue(alice, role).session
    clock.set("2030-01-01T12:00:00")

    cutoff = revoke_role_sessions(alice_root, role_name="Deploy")

    assert cutoff == at("2030-01-01T12:00:00")
    policy = InlinePolicy.objects.get(role=role, name="AWSRevokeOlderSessions")
    assert '"DateLessThan":{"aws:TokenIssueTime":"2030-01-01T12:00:00Z"}' in policy.document
    assert not _allowed(sessions["before"])
    assert _allowed(sessions["at"])
    assert _allowed(sessions["after"])


def test_revoking_mid_second_also_denies_sessions_issued_earlier_in_that_second(
        make_role, alice_user, alice_root, clock):
    role = make_role("Deploy", trust(ACCOUNT_ROOT))
    clock.set("2030-01-01T12:00:00.200000")
    session = issue(Caller.for_user(alice_user), role).session
    clock.set("2030-01-01T12:00:00.700000")

    assert revoke_role_sessions(alice_root, role_name="Deploy") == at("2030-01-01T12:00:01")
    assert not _allowed(session)


def test_revoking_needs_put_role_policy(make_role, bob_user):
    make_role("Deploy", trust(ACCOUNT_ROOT))

    with pytest.raises(AccessDenied) as refused:
        revoke_role_sessions(Caller.for_user(bob_user), role_name="Deploy")

    assert "iam:PutRolePolicy" in refused.value.message
    assert not InlinePolicy.objects.filter(name="AWSRevokeOlderSessions").exists()
