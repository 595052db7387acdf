"""IAM groups through boto3: create, get (with members), list, update, delete, membership."""

from __future__ import annotations

import pytest

from tests.api.helpers import error_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_get_and_list_groups(iam):
    created = iam.create_group(GroupName="devs", Path="/eng/")["Group"]

    assert created["GroupName"] == "devs"
    assert created["GroupId"].startswith("AGPA")
    assert created["Arn"] == "arn:aws:iam::111122223333:group/eng/devs"
    got = iam.get_group(GroupName="devs")
    assert got["Group"]["GroupId"] == created["GroupId"]
    assert got["Users"] == []
    assert got["IsTruncated"] is False
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["devs"]
    assert iam.list_groups(PathPrefix="/ops/")["Groups"] == []


def test_group_members_are_listed_and_paged(iam):
    iam.create_group(GroupName="devs")
    for name in ("carol", "dave", "erin"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="devs", UserName=name)

    first = iam.get_group(GroupName="devs", MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["carol", "dave"]
    assert first["IsTruncated"] is True
    rest = iam.get_group(GroupName="devs", Marker=first["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["erin"]

    pages = iam.get_paginator("get_group").paginate(GroupName="devs",
                                                    PaginationConfig={"PageSize": 1})
    assert [u["UserName"] for page in pages for u in page["Users"]] == ["carol", "dave", "erin"]


def test_groups_for_user_and_removal(iam):
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="devs")
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="devs", UserName="carol")
    iam.add_user_to_group(GroupName="ops", UserName="carol")

    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="carol")["Groups"]] == \
        ["devs", "ops"]

    iam.remove_user_from_group(GroupName="devs", UserName="carol")

    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="carol")["Groups"]] == ["ops"]
    assert error_of(iam.remove_user_from_group, GroupName="devs",
                    UserName="carol")["Error"]["Code"] == "NoSuchEntity"


def test_eleventh_group_for_a_user_is_limit_exceeded(iam):
    iam.create_user(UserName="carol")
    for index in range(10):
        iam.create_group(GroupName=f"g{index}")
        iam.add_user_to_group(GroupName=f"g{index}", UserName="carol")
    iam.create_group(GroupName="g10")

    response = error_of(iam.add_user_to_group, GroupName="g10", UserName="carol")

    assert response["Error"]["Code"] == "LimitExceeded"
    assert response["Error"]["Message"] == "Cannot exceed quota for GroupsPerUser: 10"


def test_update_group_renames_it(iam, account):
    from identities.models import Group

    iam.create_group(GroupName="devs")

    iam.update_group(GroupName="devs", NewGroupName="developers", NewPath="/eng/")

    assert Group.objects.get(account=account.account, name="developers").path == "/eng/"


def test_delete_group_with_members_conflicts_then_succeeds_when_empty(iam, account):
    from identities.models import Group

    iam.create_user(UserName="carol")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="carol")

    assert error_of(iam.delete_group, GroupName="devs")["Error"]["Code"] == "DeleteConflict"

    iam.remove_user_from_group(GroupName="devs", UserName="carol")
    iam.delete_group(GroupName="devs")

    assert not Group.objects.filter(account=account.account).exists()


def test_duplicate_group_already_exists(iam):
    iam.create_group(GroupName="devs")

    assert error_of(iam.create_group, GroupName="DEVS")["Error"]["Code"] == "EntityAlreadyExists"
