"""Console passwords and access keys: login profiles (Create/Get/Update/Delete)
and access keys (Create/List/Update/Delete, GetAccessKeyLastUsed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.sessions.models import Session  # noqa: F401  (sessions end via the hash)

from audit.recording import operation
from core import ids
from core.caller import Caller
from core.errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from identities import services
from identities.lookups import find_user
from identities.models import AccessKey, LoginProfile, User
from identities.operations.users import own_or_named_user
from identities.passwords import check_new_password
from policies.authz import authorize

MAX_ACCESS_KEYS = 2

@dataclass(frozen=True)
class NewAccessKey:
    """An access key with its secret: the only moment the secret is shown."""

    key: AccessKey
    secret_access_key: str

@operation("iam:CreateLoginProfile")
def create_login_profile(caller: Caller, *, user_name: str, password: str,
                         password_reset_required: bool = False) -> LoginProfile:
    """CreateLoginProfile: give a user a console password."""
    user = find_user(caller, user_name, "iam:CreateLoginProfile", for_update=True)
    if LoginProfile.objects.filter(user=user).exists():
        raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
    check_new_password(password, account=user.account, user_name=user.name)
    return services.set_console_password(user, password, reset_required=password_reset_required)

@operation("iam:GetLoginProfile")
def get_login_profile(caller: Caller, *, user_name: str | None = None) -> LoginProfile:
    """GetLoginProfile: whether a user has a console password, and since when."""
    user = own_or_named_user(caller, user_name, "iam:GetLoginProfile")
    profile = LoginProfile.objects.filter(user=user).first()
    if profile is None:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    return profile

@operation("iam:UpdateLoginProfile")
def update_login_profile(caller: Caller, *, user_name: str, password: str | None = None,
                         password_reset_required: bool | None = None) -> LoginProfile:
    """UpdateLoginProfile: an administrator resets a password or requires a change.

    A new password ends the user's console sessions (Django's session hash
    follows the password hash).
    """
    user = find_user(caller, user_name, "iam:UpdateLoginProfile", for_update=True)
    profile = LoginProfile.objects.filter(user=user).first()
    if profile is None:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    if password is not None:
        check_new_password(password, account=user.account, user_name=user.name)
        reset = profile.password_reset_required if password_reset_required is None \
            else password_reset_required
        return services.set_console_password(user, password, reset_required=reset)
    if password_reset_required is not None:
        profile.password_reset_required = password_reset_required
        profile.save(update_fields=["password_reset_required"])
    return profile

@operation("iam:DeleteLoginProfile")
def delete_login_profile(caller: Caller, *, user_name: str) -> None:
    """DeleteLoginProfile: remove console access; the user's sessions end at once."""
    user = find_user(caller, user_name, "iam:DeleteLoginProfile", for_update=True)
    deleted, _ = LoginProfile.objects.filter(user=user).delete()
    if not deleted:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    user.set_unusable_password()
    user.save(update_fields=["password"])

@operation("iam:CreateAccessKey")
def create_access_key(caller: Caller, *, user_name: str | None = None) -> NewAccessKey:
    """CreateAccessKey: at most two per user, counted under a lock on the user row."""
    user = _key_owner(caller, user_name, "iam:CreateAccessKey")
    User.objects.select_for_update().filter(pk=user.pk).first()
    if AccessKey.objects.filter(user=user).count() >= MAX_ACCESS_KEYS:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}")
    secret = ids.secret_access_key()
    key = AccessKey(user=user, access_key_id=ids.access_key_id())
    key.set_secret(secret)
    key.save()
    return NewAccessKey(key=key, secret_access_key=secret)

@operation("iam:ListAccessKeys")
def list_access_keys(caller: Caller, *, user_name: str | None = None) -> list[AccessKey]:
    """ListAccessKeys: metadata only, never a secret."""
    user = _key_owner(caller, user_name, "iam:ListAccessKeys")
    return list(AccessKey.objects.filter(user=user).order_by("created_at").select_related("user"))

@operation("iam:UpdateAccessKey")
def update_access_key(caller: Caller, *, access_key_id: str, status: str,
                      user_name: str | None = None) -> AccessKey:
    """UpdateAccessKey: make a key Active or Inactive."""
    if status not in (AccessKey.Status.ACTIVE, AccessKey.Status.INACTIVE):
        raise InvalidInput("Status must be Active or Inactive.")
    key = _find_key(caller, access_key_id, user_name, "iam:UpdateAccessKey")
    key.status = status
    key.save(update_fields=["status"])
    return key

@operation("iam:DeleteAccessKey")
def delete_access_key(caller: Caller, *, access_key_id: str, user_name: str | None = None) -> None:
    """DeleteAccessKey."""
    _find_key(caller, access_key_id, user_name, "iam:DeleteAccessKey").delete()

@operation("iam:GetAccessKeyLastUsed")
def get_access_key_last_used(caller: Caller, *, access_key_id: str) -> AccessKey:
    """GetAccessKeyLastUsed: when, where and for which service a key was last used."""
    key = (AccessKey.objects.select_related("user")
           .filter(access_key_id=access_key_id, user__account_id=caller.account_id).first())
    owner_arn = key.user.arn if key else f"arn:aws:iam::{caller.account_id}:user/*"
    authorize(caller, "iam:GetAccessKeyLastUsed", owner_arn)
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key

def _key_owner(caller: Caller, user_name: str | None, action: str) -> User:
    """The named user, or the caller (root included) when no name is given."""
    if not user_name and caller.is_root:
        authorize(caller, action, caller.principal_arn)
        return caller.user
    return own_or_named_user(caller, user_name, action)

def _find_key(caller: Caller, access_key_id: str, user_name: str | None, action: str) -> AccessKey:
    owner = _key_owner(caller, user_name, action)
    key = AccessKey.objects.filter(access_key_id=access_key_id, user=owner).first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key
