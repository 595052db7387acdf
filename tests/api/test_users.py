"""IAM users through boto3: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser and tags."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.api.helpers import error_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_user_returns_the_user_and_stores_it(iam, account):
    from identities.models import User

    created = iam.create_user(UserName="carol", Path="/eng/",
                              Tags=[{"Key": "team", "Value": "platform"}])["User"]

    row = User.objects.get(account=account.account, name="carol")
    assert created["UserName"] == "carol"
    assert created["Path"] == "/eng/"
    assert created["UserId"] == row.user_id and created["UserId"].startswith("AIDA")
    assert created["Arn"] == "arn:aws:iam::111122223333:user/eng/carol"
    assert isinstance(created["CreateDate"], datetime)
    assert created["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert row.tags == [{"Key": "team", "Value": "platform"}]


def test_get_user_by_name_and_without_name_is_the_caller(iam):
    iam.create_user(UserName="carol")

    assert iam.get_user(UserName="CAROL")["User"]["UserName"] == "carol"
    me = iam.get_user()["User"]
    assert me["UserName"] == "alice"
    assert me["Arn"] == "arn:aws:iam::111122223333:user/alice"
    assert "Tags" not in me


def test_get_user_reports_the_permissions_boundary(iam, account):
    from policies.models import ManagedPolicy, PermissionsBoundary
    from tests.factories import make_iam_user

    carol = make_iam_user(account.account, "carol", password=None)
    policy = ManagedPolicy.objects.create(
        account=account.account, name="Bound", policy_id="ANPABOUND",
        default_document='{"Version":"2012-10-17","Statement":[]}')
    PermissionsBoundary.objects.create(user=carol, policy=policy)

    user = iam.get_user(UserName="carol")["User"]

    assert user["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/Bound",
    }


def test_missing_user_is_no_such_entity_with_aws_message(iam):
    response = error_of(iam.get_user, UserName="nobody")

    assert response["Error"]["Code"] == "NoSuchEntity"
    assert response["Error"]["Message"] == "The user with name nobody cannot be found."
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert response["Error"]["Type"] == "Sender"


def test_second_user_with_the_same_name_in_any_case_already_exists(iam):
    iam.create_user(UserName="carol")

    response = error_of(iam.create_user, UserName="Carol")

    assert response["Error"]["Code"] == "EntityAlreadyExists"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_user_name_of_65_characters_is_a_validation_error_in_aws_words(iam, account):
    from identities.models import User

    name = "u" * 65
    response = error_of(iam.create_user, UserName=name)

    assert response["Error"]["Code"] == "ValidationError"
    assert response["Error"]["Message"] == (
        f"1 validation error detected: Value '{name}' at 'userName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert not User.objects.filter(name=name).exists()


def test_user_name_with_a_space_fails_the_pattern(iam):
    response = error_of(iam.create_user, UserName="carol smith")

    assert response["Error"]["Code"] == "ValidationError"
    assert "Member must satisfy regular expression pattern: [\\w+=,.@-]+" in \
        response["Error"]["Message"]


def test_list_users_pages_with_marker_and_max_items(iam):
    for index in range(5):
        iam.create_user(UserName=f"user{index}")

    first = iam.list_users(MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["alice", "user0"]
    assert first["IsTruncated"] is True and first["Marker"]
    second = iam.list_users(MaxItems=2, Marker=first["Marker"])
    assert [u["UserName"] for u in second["Users"]] == ["user1", "user2"]

    names = [u["UserName"] for page in iam.get_paginator("list_users").paginate(
        PaginationConfig={"PageSize": 2}) for u in page["Users"]]
    assert names == ["alice", "user0", "user1", "user2", "user3", "user4"]


def test_list_users_filters_by_path_prefix(iam):
    iam.create_user(UserName="carol", Path="/eng/")
    iam.create_user(UserName="dave", Path="/ops/")

    users = iam.list_users(PathPrefix="/eng/")["Users"]

    assert [u["UserName"] for u in users] == ["carol"]
    assert users[0]["Path"] == "/eng/"


def test_update_user_renames_and_moves(iam, account):
    from identities.models import User

    iam.create_user(UserName="carol")

    iam.update_user(UserName="carol", NewUserName="caroline", NewPath="/eng/")

    row = User.objects.get(account=account.account, name="caroline")
    assert row.path == "/eng/"
    assert iam.get_user(UserName="caroline")["User"]["Arn"].endswith(":user/eng/caroline")


def test_delete_user_removes_it(iam, account):
    from identities.models import User

    iam.create_user(UserName="carol")

    iam.delete_user(UserName="carol")

    assert not User.objects.filter(account=account.account, name="carol").exists()
    assert error_of(iam.get_user, UserName="carol")["Error"]["Code"] == "NoSuchEntity"


def test_delete_user_in_a_group_is_a_delete_conflict(iam, account):
    from identities.models import User

    iam.create_user(UserName="carol")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="carol")

    response = error_of(iam.delete_user, UserName="carol")

    assert response["Error"]["Code"] == "DeleteConflict"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert User.objects.filter(account=account.account, name="carol").exists()


def test_tag_untag_and_list_user_tags(iam):
    iam.create_user(UserName="carol")

    iam.tag_user(UserName="carol", Tags=[{"Key": "team", "Value": "a"},
                                         {"Key": "cost", "Value": ""}])
    iam.tag_user(UserName="carol", Tags=[{"Key": "TEAM", "Value": "b"}])
    assert iam.list_user_tags(UserName="carol")["Tags"] == [
        {"Key": "TEAM", "Value": "b"}, {"Key": "cost", "Value": ""}]

    iam.untag_user(UserName="carol", TagKeys=["team"])

    listed = iam.list_user_tags(UserName="carol")
    assert listed["Tags"] == [{"Key": "cost", "Value": ""}]
    assert listed["IsTruncated"] is False


def test_fifty_one_tags_are_refused_by_the_model(iam):
    iam.create_user(UserName="carol")
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]

    response = error_of(iam.tag_user, UserName="carol", Tags=tags)

    assert response["Error"]["Code"] == "ValidationError"
    assert "at 'tags' failed to satisfy constraint: Member must have length less than or " \
        "equal to 50" in response["Error"]["Message"]


def test_tag_limit_across_calls_is_limit_exceeded(iam):
    iam.create_user(UserName="carol", Tags=[{"Key": f"a{i}", "Value": "v"} for i in range(30)])

    response = error_of(iam.tag_user, UserName="carol",
                        Tags=[{"Key": f"b{i}", "Value": "v"} for i in range(21)])

    assert response["Error"]["Code"] == "LimitExceeded"
