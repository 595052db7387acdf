"""The hot-path reads in fixed SQL give exactly what the ORM gives."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from awsquery import lookups
from tests.api.helpers import make_key

pytestmark = pytest.mark.django_db


def test_access_key_with_user_matches_the_orm(make_account, make_user):
    from identities.models import AccessKey

    account = make_account()
    user = make_user(account.account, "carol")
    user.tags = [{"Key": "team", "Value": "ü"}]
    user.save()
    holder = make_key(user)

    loaded, generation = lookups.access_key_with_user(holder.access_key_id)
    expected = AccessKey.objects.select_related("user").get(access_key_id=holder.access_key_id)

    assert model_to_dict(loaded) == model_to_dict(expected)
    assert model_to_dict(loaded.user) == model_to_dict(expected.user)
    assert loaded.user.tags == [{"Key": "team", "Value": "ü"}]
    assert loaded.created_at.tzinfo is not None
    assert loaded.secret == holder.secret
    assert loaded._state.adding is False and loaded._state.db == "default"
    loaded.user.save(update_fields=["tags"])  # a normal instance: it saves as an update
    assert generation == expected.user.account.policy_generation


def test_unknown_access_key_is_none(db):
    assert lookups.access_key_with_user("AKIANOTHING") is None


def test_boundary_arn_of_users_and_roles(make_account, make_user):
    from identities.models import Role
    from policies.models import ManagedPolicy, PermissionsBoundary

    account = make_account()
    carol = make_user(account.account, "carol")
    role = Role.objects.create(account=account.account, name="r", role_id="AROAX",
                               trust_policy="{}")
    policy = ManagedPolicy.objects.create(account=account.account, name="B", path="/b/",
                                          policy_id="ANPAB", default_document="{}")

    assert lookups.boundary_arn("user", carol.pk) is None
    PermissionsBoundary.objects.create(user=carol, policy=policy)
    PermissionsBoundary.objects.create(role=role, policy=policy)

    assert lookups.boundary_arn("user", carol.pk) == f"arn:aws:iam::{account.id}:policy/b/B"
    assert lookups.boundary_arn("role", role.pk) == f"arn:aws:iam::{account.id}:policy/b/B"


def test_a_user_found_by_name_matches_the_orm_and_carries_its_boundary(make_account, make_user):
    from identities.lookups import find_user
    from identities.models import User
    from policies.models import ManagedPolicy, PermissionsBoundary
    from tests.factories import caller_for, grant

    account = make_account()
    admin = make_user(account.account, "admin")
    grant(admin)
    carol = make_user(account.account, "Carol")
    carol.tags = [{"Key": "team", "Value": "ü"}]
    carol.save()
    caller = caller_for(admin)

    found = find_user(caller, "carol", "iam:GetUser")  # names are case-insensitive
    expected = User.objects.get(pk=carol.pk)

    assert model_to_dict(found) == model_to_dict(expected)
    assert found.account == expected.account  # loaded when asked for
    assert found._state.adding is False and found.known_boundary_arn is None

    aws_managed = ManagedPolicy.objects.filter(account=None).first()
    PermissionsBoundary.objects.create(user=carol, policy=aws_managed)
    found = find_user(caller, "Carol", "iam:GetUser")
    assert found.known_boundary_arn == f"arn:aws:iam::aws:policy{aws_managed.path}{aws_managed.name}"


def test_instances_come_from_from_db_when_something_listens_to_init(make_account):
    from django.db.models.signals import post_init

    from identities.models import AccessKey

    holder = make_key(make_account().root)
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=AccessKey)
    try:
        loaded, _ = lookups.access_key_with_user(holder.access_key_id)
    finally:
        post_init.disconnect(listener, sender=AccessKey)

    assert seen == [loaded]
