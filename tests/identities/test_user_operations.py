"""User and group operations: who may, who is refused, and AWS's errors and limits."""

from __future__ import annotations

import pytest

from audit.models import Event
from core.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from identities.models import Group, GroupMembership, User
from identities.operations import credentials, groups, users

pytestmark = pytest.mark.django_db


def test_create_user_works_with_aws_ids_and_arn(alice):
    user = users.create_user(alice, user_name="dev-1", path="/eng/",
                             tags=[{"Key": "team", "Value": "core"}])
    assert user.arn == f"arn:aws:iam::{alice.account_id}:user/eng/dev-1"
    assert user.user_id.startswith("AIDA") and len(user.user_id) == 21
    assert user.tags == [{"Key": "team", "Value": "core"}]
    event = Event.objects.get(action="iam:CreateUser", outcome="Success")
    assert event.resources == [user.arn, ] or user.arn in event.resources


def test_user_names_are_unique_without_regard_to_case(alice):
    users.create_user(alice, user_name="Dev")
    with pytest.raises(EntityAlreadyExists, match="User with name dev already exists."):
        users.create_user(alice, user_name="dev")


@pytest.mark.parametrize("name", ["", "a" * 65, "has space", "bad/slash", "nul\x00byte", "ｆｕｌｌ"])
def test_bad_user_names_are_refused_and_nothing_is_written(alice, name):
    before = User.objects.count()
    with pytest.raises(ValidationError):
        users.create_user(alice, user_name=name)
    assert User.objects.count() == before


def test_bob_is_refused_with_the_aws_message_and_nothing_changes(bob):
    with pytest.raises(AccessDenied) as refused:
        users.create_user(bob, user_name="sneaky")
    assert str(refused.value) == (
        f"User: arn:aws:iam::{bob.account_id}:user/bob is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{bob.account_id}:user/sneaky because no "
        "identity-based policy allows the iam:CreateUser action")
    assert not User.objects.filter(name="sneaky").exists()
    assert Event.objects.filter(action="iam:CreateUser", outcome="AccessDenied").count() == 1


def test_bob_gets_access_denied_even_for_a_user_that_does_not_exist(bob):
    with pytest.raises(AccessDenied):
        users.get_user(bob, user_name="ghost")


def test_charlie_cannot_see_alices_users(alice, charlie):
    users.create_user(alice, user_name="private")
    with pytest.raises(NoSuchEntity):
        users.get_user(charlie, user_name="private")
    with pytest.raises(NoSuchEntity):
        users.delete_user(charlie, user_name="private")
    names = [u.name for u in users.list_users(charlie).items]
    assert "private" not in names and "alice" not in names


def test_list_users_paginates_with_markers(alice):
    for index in range(5):
        users.create_user(alice, user_name=f"u{index}")
    first = users.list_users(alice, max_items=4)
    assert first.is_truncated and len(first.items) == 4
    second = users.list_users(alice, max_items=4, marker=first.marker)
    assert not second.is_truncated
    seen = [u.name for u in first.items + second.items]
    assert sorted(seen) == sorted(["alice", "u0", "u1", "u2", "u3", "u4"])


def test_a_forged_marker_is_invalid_input(alice):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        users.list_users(alice, marker="not-a-marker!!")


@pytest.mark.parametrize("position", [[5, "alice"], ["alice"], ["alice", "1"],
                                      ["alice", 2**63], ["alice", True]])
def test_a_marker_holding_the_wrong_kind_of_position_is_invalid_input(alice, position):
    from core.errors import InvalidInput
    from core.pagination import _encode

    with pytest.raises(InvalidInput, match="Invalid Marker"):
        users.list_users(alice, marker=_encode(position))


def test_list_users_goes_on_after_a_marker_whose_user_was_deleted(alice):
    for name in ("b", "c", "d"):
        users.create_user(alice, user_name=name)
    first = users.list_users(alice, max_items=2)  # alice, b
    users.delete_user(alice, user_name="b")

    second = users.list_users(alice, marker=first.marker)

    assert [u.name for u in second.items] == ["c", "d"] and not second.is_truncated


def test_list_users_path_prefix_is_a_case_sensitive_literal_prefix(alice):
    for name, path in (("under", "/a_b/"), ("wild", "/axb/"), ("pct", "/a%/"),
                       ("upper", "/A_B/"), ("deeper", "/a_b/c/")):
        users.create_user(alice, user_name=name, path=path)

    def listed(prefix):
        return sorted(u.name for u in users.list_users(alice, path_prefix=prefix).items)

    assert listed("/a_") == ["deeper", "under"]  # "_" is no wildcard
    assert listed("/a%") == ["pct"]
    assert listed("/A") == ["upper"]
    assert listed("/a_b/c/") == ["deeper"]
    assert listed("/") == ["alice", "deeper", "pct", "under", "upper", "wild"]


def test_list_users_shows_what_the_rows_hold(alice):
    created = users.create_user(alice, user_name="eve", path="/ops/")

    [listed] = users.list_users(alice, path_prefix="/ops/").items

    assert (listed.name, listed.path, listed.user_id, listed.arn, listed.created_at) == (
        "eve", "/ops/", created.user_id, created.arn, created.created_at)
    assert listed.created_at.tzinfo is not None and listed.last_login is None


def test_delete_user_refuses_while_it_has_a_login_profile(alice):
    users.create_user(alice, user_name="leaver")
    credentials.create_login_profile(alice, user_name="leaver", password="Pumpkin-Rocket-92")
    with pytest.raises(DeleteConflict, match="must delete login profile first"):
        users.delete_user(alice, user_name="leaver")
    credentials.delete_login_profile(alice, user_name="leaver")
    users.delete_user(alice, user_name="leaver")
    assert not User.objects.filter(name="leaver").exists()


def test_update_user_renames_and_moves(alice):
    users.create_user(alice, user_name="old")
    user = users.update_user(alice, user_name="old", new_user_name="new", new_path="/x/")
    assert user.arn.endswith(":user/x/new")


def test_tags_merge_and_untag(alice):
    users.create_user(alice, user_name="t", tags=[{"Key": "a", "Value": "1"}])
    users.tag_user(alice, user_name="t", tags=[{"Key": "A", "Value": "2"}, {"Key": "b", "Value": ""}])
    assert users.list_user_tags(alice, user_name="t") == [{"Key": "A", "Value": "2"},
                                                          {"Key": "b", "Value": ""}]
    users.untag_user(alice, user_name="t", tag_keys=["a"])
    assert users.list_user_tags(alice, user_name="t") == [{"Key": "b", "Value": ""}]


def test_groups_add_members_up_to_ten_groups_per_user(alice):
    users.create_user(alice, user_name="joiner")
    for index in range(10):
        groups.create_group(alice, group_name=f"g{index}")
        groups.add_user_to_group(alice, group_name=f"g{index}", user_name="joiner")
    groups.create_group(alice, group_name="g10")
    with pytest.raises(LimitExceeded, match="GroupsPerUser: 10"):
        groups.add_user_to_group(alice, group_name="g10", user_name="joiner")
    assert GroupMembership.objects.filter(user__name="joiner").count() == 10
    page = groups.list_groups_for_user(alice, user_name="joiner")
    assert len(page.items) == 10


def test_delete_group_refuses_while_it_has_members(alice):
    groups.create_group(alice, group_name="team")
    groups.add_user_to_group(alice, group_name="team", user_name="alice")
    with pytest.raises(DeleteConflict):
        groups.delete_group(alice, group_name="team")
    groups.remove_user_from_group(alice, group_name="team", user_name="alice")
    groups.delete_group(alice, group_name="team")
    assert not Group.objects.filter(name="team").exists()


def test_group_policy_reaches_its_members_at_once(alice, bob):
    from policies.models import InlinePolicy
    from policies import policyset

    with pytest.raises(AccessDenied):
        users.list_users(bob)
    group = groups.create_group(alice, group_name="readers")
    InlinePolicy.objects.create(group=group, name="list", document=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers",'
        '"Resource":"*"}]}'))
    policyset.bump(alice.account_id)
    groups.add_user_to_group(alice, group_name="readers", user_name="bob")
    assert users.list_users(bob).items
    groups.remove_user_from_group(alice, group_name="readers", user_name="bob")
    with pytest.raises(AccessDenied):
        users.list_users(bob)
