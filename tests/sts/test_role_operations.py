"""IAM role operations: alice may, bob (no policy) may not, charlie's account never sees them."""

from __future__ import annotations

import pytest

from audit.models import Event
from core.caller import Caller
from core.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from identities.models import Role
from identities.operations import roles
from policies.models import InlinePolicy, ManagedPolicy, PermissionsBoundary, PolicyAttachment
from tests.sts.conftest import ALICE, allow, doc, give, trust

pytestmark = pytest.mark.django_db

TRUST = doc(trust(f"arn:aws:iam::{ALICE}:root"))


@pytest.fixture
def alice(alice_account):
    from tests.factories import make_iam_user

    user = make_iam_user(alice_account.account, "admin")
    give(user, doc(allow()))
    return Caller.for_user(user)


@pytest.fixture
def bob(bob_user):
    return Caller.for_user(bob_user)


@pytest.fixture
def charlie(charlie_account):
    from tests.factories import make_iam_user

    user = make_iam_user(charlie_account.account, "charlie-admin")
    give(user, doc(allow()))
    return Caller.for_user(user)


def test_create_role_stores_it_with_an_aroa_id(alice):
    role = roles.create_role(alice, role_name="Deploy", assume_role_policy_document=TRUST,
                             path="/ci/", description="CI deploys",
                             max_session_duration=7200, tags=[{"Key": "env", "Value": "prod"}])

    stored = Role.objects.get(pk=role.pk)
    assert stored.arn == f"arn:aws:iam::{ALICE}:role/ci/Deploy"
    assert stored.role_id.startswith("AROA") and len(stored.role_id) == 21
    assert (stored.description, stored.max_session_duration) == ("CI deploys", 7200)
    assert stored.trust_policy == TRUST and stored.tags == [{"Key": "env", "Value": "prod"}]
    assert Event.objects.filter(action="iam:CreateRole", outcome="Success").exists()


def test_create_role_is_denied_without_policy_and_nothing_changes(bob):
    with pytest.raises(AccessDenied) as refused:
        roles.create_role(bob, role_name="Deploy", assume_role_policy_document=TRUST)

    assert "iam:CreateRole" in refused.value.message
    assert not Role.objects.exists()


def test_create_role_refuses_a_trust_policy_without_principal(alice):
    with pytest.raises(MalformedPolicyDocument):
        roles.create_role(alice, role_name="Deploy",
                          assume_role_policy_document=doc(allow("sts:AssumeRole")))
    with pytest.raises(MalformedPolicyDocument):
        roles.create_role(alice, role_name="Deploy", assume_role_policy_document="{not json")
    assert not Role.objects.exists()


def test_role_names_are_unique_without_regard_to_case(alice):
    roles.create_role(alice, role_name="Deploy", assume_role_policy_document=TRUST)

    with pytest.raises(EntityAlreadyExists):
        roles.create_role(alice, role_name="DEPLOY", assume_role_policy_document=TRUST)


def test_max_session_duration_is_one_to_twelve_hours(alice):
    role = roles.create_role(alice, role_name="Deploy", assume_role_policy_document=TRUST)

    for bad in (3599, 43201):
        with pytest.raises(ValidationError):
            roles.update_role(alice, role_name="Deploy", max_session_duration=bad)
    roles.update_role(alice, role_name="Deploy", max_session_duration=43200, description="x")
    role.refresh_from_db()
    assert (role.max_session_duration, role.description) == (43200, "x")
    assert roles.update_role_description(alice, role_name="Deploy",
                                         description="y").description == "y"


def test_create_role_with_boundary(alice):
    boundary = ManagedPolicy.objects.filter(account=None, name="IAMReadOnlyAccess").first()
    if boundary is None:
        pytest.skip("the AWS managed catalogue is not loaded")

    role = roles.create_role(alice, role_name="Bounded", assume_role_policy_document=TRUST,
                             permissions_boundary=boundary.arn)

    assert PermissionsBoundary.objects.get(role=role).policy == boundary


def test_other_accounts_roles_are_not_found(alice, charlie):
    roles.create_role(alice, role_name="Deploy", assume_role_policy_document=TRUST)

    with pytest.raises(NoSuchEntity):
        roles.get_role(charlie, role_name="Deploy")
    with pytest.raises(NoSuchEntity):
        roles.delete_role(charlie, role_name="Deploy")
    assert roles.list_roles(charlie).items == []


def test_get_role_denies_before_revealing_existence(bob):
    with pytest.raises(AccessDenied):
        roles.get_role(bob, role_name="NoSuchRole")


def test_list_roles_pages_by_name(alice):
    for name in ("c-role", "a-role", "b-role"):
        roles.create_role(alice, role_name=name, assume_role_policy_document=TRUST,
                          path="/team/" if name == "b-role" else "/")

    first = roles.list_roles(alice, max_items=2)
    second = roles.list_roles(alice, max_items=2, marker=first.marker)

    assert [r.name for r in first.items] == ["a-role", "b-role"] and first.is_truncated
    assert [r.name for r in second.items] == ["c-role"] and not second.is_truncated
    assert [r.name for r in roles.list_roles(alice, path_prefix="/team/").items] == ["b-role"]


def test_update_assume_role_policy_replaces_the_trust(alice):
    roles.create_role(alice, role_name="Deploy", assume_role_policy_document=TRUST)
    new = doc(trust(f"arn:aws:iam::{ALICE}:user/admin"))

    roles.update_assume_role_policy(alice, role_name="Deploy", policy_document=new)

    assert roles.get_role(alice, role_name="Deploy").trust_policy == new
    with pytest.raises(MalformedPolicyDocument):
        roles.update_assume_role_policy(alice, role_name="Deploy",
                                        policy_document=doc(allow()))


def test_delete_role_conflicts_while_policies_remain(alice):
    role = roles.create_role(alice, role_name="Deploy", assume_role_policy_document=TRUST)
    give(role, doc(allow("iam:GetRole")), name="inline")
    managed = ManagedPolicy.objects.create(account_id=ALICE, name="Mine", policy_id="ANPAMINE",
                                           default_document=doc(allow("iam:GetRole")))
    PolicyAttachment.objects.create(role=role, policy=managed)

    with pytest.raises(DeleteConflict) as inline:
        roles.delete_role(alice, role_name="Deploy")
    assert inline.value.message == "Cannot delete entity, must delete policies first."
    InlinePolicy.objects.filter(role=role).delete()
    with pytest.raises(DeleteConflict) as attached:
        roles.delete_role(alice, role_name="Deploy")
    assert attached.value.message == "Cannot delete entity, must detach all policies first."
    PolicyAttachment.objects.filter(role=role).delete()
    roles.delete_role(alice, role_name="Deploy")
    assert not Role.objects.exists()


def test_role_tags(alice, bob):
    roles.create_role(alice, role_name="Deploy", assume_role_policy_document=TRUST)

    roles.tag_role(alice, role_name="Deploy", tags=[{"Key": "a", "Value": "1"},
                                                    {"Key": "b", "Value": "2"}])
    roles.untag_role(alice, role_name="Deploy", tag_keys=["A"])

    assert roles.list_role_tags(alice, role_name="Deploy") == [{"Key": "b", "Value": "2"}]
    with pytest.raises(AccessDenied):
        roles.tag_role(bob, role_name="Deploy", tags=[{"Key": "c", "Value": "3"}])
