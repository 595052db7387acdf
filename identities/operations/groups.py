"""IAM group operations: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from audit.recording import operation
from core import ids
from core.caller import Caller
from core.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from core.pagination import Page, paginate
from identities import validation
from identities.lookups import find_group, find_user, group_arn
from identities.models import Group, GroupMembership, User
from policies import policyset
from policies.authz import authorize
from policies.models import InlinePolicy, PolicyAttachment

MAX_GROUPS_PER_USER = 10


@dataclass(frozen=True)
class GroupWithUsers:
    group: Group
    users: Page


@operation("iam:CreateGroup")
def create_group(caller: Caller, *, group_name: str, path: str = "/") -> Group:
    """CreateGroup (iam:CreateGroup on the new group's ARN)."""
    validation.name(group_name, field="groupName", max_length=128)
    path = validation.path(path)
    authorize(caller, "iam:CreateGroup", group_arn(caller.account_id, group_name, path))
    if Group.objects.filter(account_id=caller.account_id, name__iexact=group_name).exists():
        raise EntityAlreadyExists(f"Group with name {group_name} already exists.")
    group = Group(account_id=caller.account_id, name=group_name, path=path,
                  group_id=ids.unique_id(ids.GROUP_PREFIX))
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"Group with name {group_name} already exists.") from exc
    return group


@operation("iam:GetGroup")
def get_group(caller: Caller, *, group_name: str, marker: str | None = None,
              max_items: int | None = None) -> GroupWithUsers:
    """GetGroup: the group and a page of its users."""
    group = find_group(caller, group_name, "iam:GetGroup")
    users = User.objects.filter(memberships__group=group)
    return GroupWithUsers(group, paginate(users, marker=marker,
                                          max_items=validation.max_items(max_items)))


@operation("iam:ListGroups")
def list_groups(caller: Caller, *, path_prefix: str | None = None, marker: str | None = None,
                max_items: int | None = None) -> Page:
    """ListGroups (iam:ListGroups on arn:aws:iam::<account>:group/)."""
    prefix = validation.path_prefix(path_prefix)
    authorize(caller, "iam:ListGroups", f"arn:aws:iam::{caller.account_id}:group/")
    groups = Group.objects.filter(account_id=caller.account_id, path__startswith=prefix)
    return paginate(groups, marker=marker, max_items=validation.max_items(max_items))


@operation("iam:UpdateGroup")
def update_group(caller: Caller, *, group_name: str, new_group_name: str | None = None,
                 new_path: str | None = None) -> Group:
    """UpdateGroup: rename or move a group."""
    group = find_group(caller, group_name, "iam:UpdateGroup", for_update=True)
    if new_group_name is not None:
        validation.name(new_group_name, field="newGroupName", max_length=128)
        clash = (Group.objects.filter(account_id=caller.account_id, name__iexact=new_group_name)
                 .exclude(pk=group.pk).exists())
        if clash:
            raise EntityAlreadyExists(f"Group with name {new_group_name} already exists.")
        group.name = new_group_name
    if new_path is not None:
        group.path = validation.path(new_path, field="newPath")
    group.save(update_fields=["name", "path"])
    policyset.bump(caller.account_id)
    return group


@operation("iam:DeleteGroup")
def delete_group(caller: Caller, *, group_name: str) -> None:
    """DeleteGroup: refused while it has members or policies, as in AWS."""
    group = find_group(caller, group_name, "iam:DeleteGroup", for_update=True)
    if GroupMembership.objects.filter(group=group).exists():
        raise DeleteConflict("Cannot delete entity, must remove users from group first.")
    if InlinePolicy.objects.filter(group=group).exists():
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    if PolicyAttachment.objects.filter(group=group).exists():
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    group.delete()
    policyset.bump(caller.account_id)


@operation("iam:AddUserToGroup")
def add_user_to_group(caller: Caller, *, group_name: str, user_name: str) -> None:
    """AddUserToGroup (authorized on the group): at most 10 groups per user."""
    group = find_group(caller, group_name, "iam:AddUserToGroup")
    # The user row is locked so that parallel additions count one another.
    user = (User.objects.select_for_update()
            .filter(account_id=caller.account_id, kind=User.Kind.IAM, name__iexact=user_name)
            .first())
    if user is None:
        raise NoSuchEntity(f"The user with name {user_name} cannot be found.")
    if GroupMembership.objects.filter(group=group, user=user).exists():
        return  # AWS answers success when the user is already a member.
    if GroupMembership.objects.filter(user=user).count() >= MAX_GROUPS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}")
    GroupMembership.objects.create(group=group, user=user)
    policyset.bump(caller.account_id)


@operation("iam:RemoveUserFromGroup")
def remove_user_from_group(caller: Caller, *, group_name: str, user_name: str) -> None:
    """RemoveUserFromGroup (authorized on the group)."""
    group = find_group(caller, group_name, "iam:RemoveUserFromGroup")
    deleted, _ = GroupMembership.objects.filter(
        group=group, user__name__iexact=user_name, user__account_id=caller.account_id,
    ).delete()
    if not deleted:
        raise NoSuchEntity(f"The user with name {user_name} cannot be found.")
    policyset.bump(caller.account_id)


@operation("iam:ListGroupsForUser")
def list_groups_for_user(caller: Caller, *, user_name: str, marker: str | None = None,
                         max_items: int | None = None) -> Page:
    """ListGroupsForUser (authorized on the user)."""
    user = find_user(caller, user_name, "iam:ListGroupsForUser")
    groups = Group.objects.filter(memberships__user=user)
    return paginate(groups, marker=marker, max_items=validation.max_items(max_items))
