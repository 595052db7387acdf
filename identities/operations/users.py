"""IAM user operations: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, tags."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from audit.recording import operation
from core import ids
from core.caller import Caller
from core.errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity
from core.pagination import Page, decode_marker, page_of
from identities import services, validation
from identities.lookups import find_user, user_arn, user_summaries
from identities.models import (
    AccessKey,
    GroupMembership,
    LoginProfile,
    MFADevice,
    User,
)
from policies import boundaries, policyset
from policies.authz import authorize
from policies.models import InlinePolicy, PolicyAttachment


def own_or_named_user(caller: Caller, user_name: str | None, action: str) -> User:
    """AWS's rule for self-service actions: no UserName means the caller itself."""
    if user_name:
        return find_user(caller, user_name, action)
    if caller.user is None or caller.user.is_root or caller.session is not None:
        raise NoSuchEntity("Must specify userName when calling with non-User credentials")
    authorize(caller, action, caller.user.arn)
    return caller.user


@operation("iam:CreateUser")
def create_user(caller: Caller, *, user_name: str, path: str = "/",
                permissions_boundary: str | None = None, tags: list | None = None) -> User:
    """CreateUser (iam:CreateUser on the new user's ARN; iam:TagUser when tagged)."""
    validation.name(user_name, field="userName")
    path = validation.path(path)
    arn = user_arn(caller.account_id, user_name, path)
    authorize(caller, "iam:CreateUser", arn, context=_tag_context(tags))
    if tags:
        authorize(caller, "iam:TagUser", arn, context=_tag_context(tags))
    clean_tags = validation.tags(tags)
    if User.objects.filter(account_id=caller.account_id, kind=User.Kind.IAM,
                           name__iexact=user_name).exists():
        raise EntityAlreadyExists(f"User with name {user_name} already exists.")
    user = User(account_id=caller.account_id, kind=User.Kind.IAM, name=user_name, path=path,
                user_id=ids.unique_id(ids.USER_PREFIX), tags=clean_tags)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"User with name {user_name} already exists.") from exc
    if permissions_boundary:
        boundaries.set_boundary(caller, user=user, policy_arn=permissions_boundary)
    return user


@operation("iam:GetUser")
def get_user(caller: Caller, *, user_name: str | None = None) -> User:
    """GetUser: the named user, or the caller itself (root included) without a name."""
    if not user_name and caller.is_root:
        authorize(caller, "iam:GetUser", caller.principal_arn)
        return caller.user
    return own_or_named_user(caller, user_name, "iam:GetUser")


@operation("iam:ListUsers")
def list_users(caller: Caller, *, path_prefix: str | None = None, marker: str | None = None,
               max_items: int | None = None) -> Page:
    """ListUsers (iam:ListUsers on arn:aws:iam::<account>:user/)."""
    prefix = validation.path_prefix(path_prefix)
    authorize(caller, "iam:ListUsers", f"arn:aws:iam::{caller.account_id}:user/")
    limit = validation.max_items(max_items)
    users = user_summaries(caller.account_id, path_prefix=prefix, limit=limit + 1,
                           after=decode_marker(marker, 2, (str, int)) if marker else None)
    return page_of(users, max_items=limit)


@operation("iam:UpdateUser")
def update_user(caller: Caller, *, user_name: str, new_user_name: str | None = None,
                new_path: str | None = None) -> User:
    """UpdateUser: rename or move (iam:UpdateUser on the user's current ARN)."""
    user = find_user(caller, user_name, "iam:UpdateUser")
    if new_user_name is not None:
        validation.name(new_user_name, field="newUserName")
    if new_path is not None:
        new_path = validation.path(new_path, field="newPath")
    if new_user_name and new_user_name.lower() != user.name.lower():
        if User.objects.filter(account_id=caller.account_id, kind=User.Kind.IAM,
                               name__iexact=new_user_name).exists():
            raise EntityAlreadyExists(f"User with name {new_user_name} already exists.")
    user.name = new_user_name or user.name
    user.path = new_path or user.path
    try:
        with transaction.atomic():
            user.save(update_fields=["name", "path"])
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"User with name {new_user_name} already exists.") from exc
    policyset.bump(caller.account_id)
    return user


@operation("iam:DeleteUser")
def delete_user(caller: Caller, *, user_name: str) -> None:
    """DeleteUser: refused with DeleteConflict while the user still has what AWS lists."""
    user = find_user(caller, user_name, "iam:DeleteUser", for_update=True)
    conflicts = [
        (LoginProfile.objects.filter(user=user).exists(), "login profile"),
        (AccessKey.objects.filter(user=user).exists(), "access keys"),
        (MFADevice.objects.filter(user=user).exists(), "MFA devices"),
        (GroupMembership.objects.filter(user=user).exists(), "group memberships"),
        (InlinePolicy.objects.filter(user=user).exists(), "policies"),
        (PolicyAttachment.objects.filter(user=user).exists(), "attached policies"),
    ]
    for present, what in conflicts:
        if present:
            raise DeleteConflict(f"Cannot delete entity, must delete {what} first.")
    # As in AWS: trust policies that named this user now name its unique id.
    services.retire_principal_in_trust_policies(user.arn, user.user_id)
    user.delete()
    policyset.bump(caller.account_id)


@operation("iam:TagUser")
def tag_user(caller: Caller, *, user_name: str, tags: list) -> None:
    """TagUser: add or overwrite tags (at most 50)."""
    user = find_user(caller, user_name, "iam:TagUser", context=_tag_context(tags))
    user.tags = validation.tags(tags, existing=user.tags)
    user.save(update_fields=["tags"])


@operation("iam:UntagUser")
def untag_user(caller: Caller, *, user_name: str, tag_keys: list[str]) -> None:
    """UntagUser: remove tags by key."""
    user = find_user(caller, user_name, "iam:UntagUser")
    user.tags = validation.untag(user.tags, tag_keys)
    user.save(update_fields=["tags"])


@operation("iam:ListUserTags")
def list_user_tags(caller: Caller, *, user_name: str) -> list[dict]:
    """ListUserTags."""
    return list(find_user(caller, user_name, "iam:ListUserTags").tags)


def _tag_context(tags: list | None) -> dict:
    """aws:RequestTag/<key> and aws:TagKeys for tag-based conditions."""
    if not tags:
        return {}
    context: dict = {"aws:TagKeys": [t.get("Key", "") for t in tags if isinstance(t, dict)]}
    for tag in tags:
        if isinstance(tag, dict) and isinstance(tag.get("Key"), str):
            context[f"aws:RequestTag/{tag['Key']}"] = str(tag.get("Value", ""))
    return context
