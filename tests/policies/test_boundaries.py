"""Permissions boundaries: setting, removing, and the engine narrowing what is allowed."""

from __future__ import annotations

import pytest

from core.errors import AccessDenied, InvalidInput, NoSuchEntity
from identities.models import User
from identities.operations.users import create_user
from policies.models import PermissionsBoundary
from policies.operations import (
    attach_user_policy,
    create_policy,
    delete_role_permissions_boundary,
    delete_user_permissions_boundary,
    put_role_permissions_boundary,
    put_user_permissions_boundary,
    put_user_policy,
    simulate_principal_policy,
)
from tests.factories import make_iam_user
from tests.policies.helpers import (
    ADMIN,
    IAM_READ_ONLY,
    allow,
    allowed,
    caller_for,
    doc,
    make_role,
    policy_state,
)

pytestmark = pytest.mark.django_db

USERS = "arn:aws:iam::111122223333:user/"


def test_a_boundary_narrows_an_administrator(alice_account, alice):
    dave = caller_for(make_iam_user(alice_account.account, "dave"))
    attach_user_policy(alice, user_name="dave", policy_arn=ADMIN)
    assert allowed(dave, "iam:CreateUser", USERS + "x")
    put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=IAM_READ_ONLY)
    assert not allowed(dave, "iam:CreateUser", USERS + "x")
    assert allowed(dave, "iam:ListUsers", USERS)
    delete_user_permissions_boundary(alice, user_name="dave")
    assert allowed(dave, "iam:CreateUser", USERS + "x")
    assert not PermissionsBoundary.objects.filter(user__name="dave").exists()


def test_a_boundary_grants_nothing_by_itself(alice_account, alice):
    dave = caller_for(make_iam_user(alice_account.account, "dave"))
    put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=ADMIN)
    assert not allowed(dave, "iam:ListUsers", USERS)


def test_a_customer_policy_can_be_a_boundary_and_is_replaced_by_the_next_put(alice_account, alice):
    make_iam_user(alice_account.account, "dave")
    mine = create_policy(alice, policy_name="Bound", policy_document=doc(allow("iam:Get*")))
    put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=mine.arn)
    put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=IAM_READ_ONLY)
    boundary = PermissionsBoundary.objects.get(user__name="dave")
    assert boundary.policy.name == "IAMReadOnlyAccess"


def test_unknown_other_account_and_malformed_boundaries(alice_account, alice, charlie):
    make_iam_user(alice_account.account, "dave")
    theirs = create_policy(charlie, policy_name="Theirs", policy_document=doc(allow()))
    for arn in ("arn:aws:iam::aws:policy/NoSuch", theirs.arn):
        with pytest.raises(NoSuchEntity,
                           match=f"Scope ARN: {arn} does not exist or is not attachable."):
            put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=arn)
    with pytest.raises(InvalidInput, match="is not valid"):
        put_user_permissions_boundary(alice, user_name="dave", permissions_boundary="nope")
    assert not PermissionsBoundary.objects.exists()


def test_deleting_a_boundary_that_is_not_there_changes_nothing(alice_account, alice):
    make_iam_user(alice_account.account, "dave")
    before = policy_state()
    delete_user_permissions_boundary(alice, user_name="dave")
    assert policy_state() == before


def test_put_boundary_condition_key_lets_a_policy_force_a_boundary(alice_account, root):
    """A delegated admin may only set IAMReadOnlyAccess as the boundary, and never remove it."""
    make_iam_user(alice_account.account, "dave")
    delegate = caller_for(make_iam_user(alice_account.account, "delegate"))
    put_user_policy(root, user_name="delegate", policy_name="Delegated", policy_document=doc(
        allow(["iam:PutUserPermissionsBoundary", "iam:DeleteUserPermissionsBoundary"], USERS + "*",
              Condition={"StringEquals": {"iam:PermissionsBoundary": IAM_READ_ONLY}})))
    with pytest.raises(AccessDenied):
        put_user_permissions_boundary(delegate, user_name="dave", permissions_boundary=ADMIN)
    put_user_permissions_boundary(delegate, user_name="dave", permissions_boundary=IAM_READ_ONLY)
    # Deleting passes the current boundary in the context, so this one may be removed ...
    delete_user_permissions_boundary(delegate, user_name="dave")
    put_user_permissions_boundary(root, user_name="dave", permissions_boundary=ADMIN)
    # ... but another one may not.
    with pytest.raises(AccessDenied):
        delete_user_permissions_boundary(delegate, user_name="dave")
    assert PermissionsBoundary.objects.get(user__name="dave").policy.name == "AdministratorAccess"


def test_create_user_with_a_boundary_sets_it_after_authorizing(alice):
    user = create_user(alice, user_name="newbie", permissions_boundary=IAM_READ_ONLY)
    assert PermissionsBoundary.objects.get(user=user).policy.name == "IAMReadOnlyAccess"


def test_create_user_with_a_boundary_needs_put_user_permissions_boundary(alice_account, root):
    creator = caller_for(make_iam_user(alice_account.account, "creator"))
    put_user_policy(root, user_name="creator", policy_name="CreateOnly",
                    policy_document=doc(allow("iam:CreateUser")))
    with pytest.raises(AccessDenied, match="iam:PutUserPermissionsBoundary"):
        create_user(creator, user_name="newbie", permissions_boundary=IAM_READ_ONLY)
    assert not User.objects.filter(name="newbie").exists()  # the whole operation rolled back


def test_create_user_with_an_unknown_boundary_creates_nothing(alice):
    with pytest.raises(NoSuchEntity, match="Scope ARN"):
        create_user(alice, user_name="newbie", permissions_boundary="arn:aws:iam::aws:policy/Nope")
    assert not User.objects.filter(name="newbie").exists()


def test_role_boundaries_narrow_the_roles_simulated_permissions(alice_account, alice):
    role = make_role(alice_account.account, "app")
    from policies.operations import attach_role_policy

    attach_role_policy(alice, role_name="app", policy_arn=ADMIN)
    put_role_permissions_boundary(alice, role_name="app", permissions_boundary=IAM_READ_ONLY)

    def decision(action):
        [result] = simulate_principal_policy(alice, policy_source_arn=role.arn,
                                             action_names=[action])
        return result

    assert decision("iam:ListUsers").eval_decision == "allowed"
    denied = decision("iam:CreateUser")
    assert (denied.eval_decision, denied.allowed_by_permissions_boundary) == ("implicitDeny", False)
    delete_role_permissions_boundary(alice, role_name="app")
    assert decision("iam:CreateUser").eval_decision == "allowed"


BOUNDARY_CALLS = {
    "put_user_permissions_boundary": lambda c: put_user_permissions_boundary(
        c, user_name="dave", permissions_boundary=ADMIN),
    "delete_user_permissions_boundary": lambda c: delete_user_permissions_boundary(
        c, user_name="dave"),
    "put_role_permissions_boundary": lambda c: put_role_permissions_boundary(
        c, role_name="app", permissions_boundary=ADMIN),
    "delete_role_permissions_boundary": lambda c: delete_role_permissions_boundary(
        c, role_name="app"),
}


@pytest.mark.parametrize("name", sorted(BOUNDARY_CALLS))
def test_boundary_calls_deny_bob_and_hide_from_charlie(alice_account, alice, bob, charlie, name):
    make_iam_user(alice_account.account, "dave")
    make_role(alice_account.account, "app")
    put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=IAM_READ_ONLY)
    put_role_permissions_boundary(alice, role_name="app", permissions_boundary=IAM_READ_ONLY)
    before = policy_state()
    with pytest.raises(AccessDenied):
        BOUNDARY_CALLS[name](bob)
    with pytest.raises(NoSuchEntity):
        BOUNDARY_CALLS[name](charlie)
    assert policy_state() == before
