"""IAM role operations: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
UpdateAssumeRolePolicy, DeleteRole, and role tags.

A role's trust policy is a resource policy (it names principals), checked as
IAM checks it. What a role may do is its inline and attached policies (the
policies app); who may assume it is decided in ``sts.trust``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from audit.recording import operation
from core import ids
from core.caller import Caller
from core.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, ValidationError
from core.pagination import Page, paginate
from identities import services, validation
from identities.lookups import find_role, role_arn
from identities.models import Role
from identities.operations.users import _tag_context
from policies import policyset
from policies.authz import authorize
from policies.engine import PolicyKind
from policies.models import InlinePolicy, PolicyAttachment

MIN_MAX_SESSION_DURATION = 3600
MAX_MAX_SESSION_DURATION = 43200
MAX_DESCRIPTION = 1000
MAX_ROLES_PER_ACCOUNT = 1000


def _max_session_duration(value) -> int:
    """AWS's bounds for MaxSessionDuration: one to twelve hours."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError("1 validation error detected: Value at 'maxSessionDuration' failed "
                              "to satisfy constraint: Member must be an integer")
    if value < MIN_MAX_SESSION_DURATION:
        raise _duration_error(value, f"greater than or equal to {MIN_MAX_SESSION_DURATION}")
    if value > MAX_MAX_SESSION_DURATION:
        raise _duration_error(value, f"less than or equal to {MAX_MAX_SESSION_DURATION}")
    return value


def _duration_error(value: int, bound: str) -> ValidationError:
    return ValidationError(f"1 validation error detected: Value '{value}' at 'maxSessionDuration' "
                           f"failed to satisfy constraint: Member must have value {bound}")


def _description(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise ValidationError("1 validation error detected: Value at 'description' failed to "
                              "satisfy constraint: Member must have length less than or equal "
                              f"to {MAX_DESCRIPTION}")
    return value


def _trust_policy(text) -> str:
    """A trust policy as IAM accepts it: a resource policy that names its principals."""
    from policies.services import check_document

    check_document(text, PolicyKind.TRUST)
    return text


@operation("iam:CreateRole")
def create_role(caller: Caller, *, role_name: str, assume_role_policy_document: str,
                path: str = "/", description: str = "", max_session_duration: int = 3600,
                permissions_boundary: str | None = None, tags: list | None = None) -> Role:
    """CreateRole (iam:CreateRole on the new role's ARN; iam:TagRole when tagged;
    iam:PutRolePermissionsBoundary when a boundary is given)."""
    validation.name(role_name, field="roleName")
    path = validation.path(path)
    arn = role_arn(caller.account_id, role_name, path)
    authorize(caller, "iam:CreateRole", arn, context=_tag_context(tags))
    if tags:
        authorize(caller, "iam:TagRole", arn, context=_tag_context(tags))
    description = _description(description)
    max_session_duration = _max_session_duration(max_session_duration)
    clean_tags = validation.tags(tags)
    document = _trust_policy(assume_role_policy_document)
    existing = Role.objects.filter(account_id=caller.account_id)
    if existing.filter(name__iexact=role_name).exists():
        raise EntityAlreadyExists(f"Role with name {role_name} already exists.")
    if existing.count() >= MAX_ROLES_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for RolesPerAccount: {MAX_ROLES_PER_ACCOUNT}")
    role = Role(account_id=caller.account_id, name=role_name, path=path,
                role_id=ids.unique_id(ids.ROLE_PREFIX), description=description,
                trust_policy=document, max_session_duration=max_session_duration,
                tags=clean_tags)
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"Role with name {role_name} already exists.") from exc
    if permissions_boundary:
        from policies.boundaries import set_boundary

        set_boundary(caller, role=role, policy_arn=permissions_boundary)
    return role


@operation("iam:GetRole")
def get_role(caller: Caller, *, role_name: str) -> Role:
    """GetRole."""
    return find_role(caller, role_name, "iam:GetRole")


@operation("iam:ListRoles")
def list_roles(caller: Caller, *, path_prefix: str | None = None, marker: str | None = None,
               max_items: int | None = None) -> Page:
    """ListRoles (iam:ListRoles on arn:aws:iam::<account>:role/)."""
    prefix = validation.path_prefix(path_prefix)
    authorize(caller, "iam:ListRoles", f"arn:aws:iam::{caller.account_id}:role/")
    roles = Role.objects.filter(account_id=caller.account_id, path__startswith=prefix)
    return paginate(roles, marker=marker, max_items=validation.max_items(max_items))


@operation("iam:UpdateRole")
def update_role(caller: Caller, *, role_name: str, description: str | None = None,
                max_session_duration: int | None = None) -> Role:
    """UpdateRole: description and maximum session duration (3600 to 43200 seconds).

    A new maximum applies to sessions issued from now on; AWS does not shorten
    the ones already issued, and neither does this.
    """
    role = find_role(caller, role_name, "iam:UpdateRole", for_update=True)
    fields = []
    if description is not None:
        role.description = _description(description)
        fields.append("description")
    if max_session_duration is not None:
        role.max_session_duration = _max_session_duration(max_session_duration)
        fields.append("max_session_duration")
    if fields:
        role.save(update_fields=fields)
    return role


@operation("iam:UpdateRoleDescription")
def update_role_description(caller: Caller, *, role_name: str, description: str) -> Role:
    """UpdateRoleDescription: returns the role, as AWS does."""
    role = find_role(caller, role_name, "iam:UpdateRoleDescription", for_update=True)
    role.description = _description(description)
    role.save(update_fields=["description"])
    return role


@operation("iam:UpdateAssumeRolePolicy")
def update_assume_role_policy(caller: Caller, *, role_name: str, policy_document: str) -> None:
    """UpdateAssumeRolePolicy: replace the trust policy.

    Sessions already issued keep working (AWS); the next AssumeRole reads the
    new policy straight from the role, so no cached policy set needs bumping.
    """
    role = find_role(caller, role_name, "iam:UpdateAssumeRolePolicy", for_update=True)
    role.trust_policy = _trust_policy(policy_document)
    role.save(update_fields=["trust_policy"])


@operation("iam:DeleteRole")
def delete_role(caller: Caller, *, role_name: str) -> None:
    """DeleteRole: refused with DeleteConflict while policies are attached or embedded.

    Sessions of the deleted role are refused from this moment (their role is
    gone); a new role of the same name does not revive them.
    """
    role = find_role(caller, role_name, "iam:DeleteRole", for_update=True)
    if InlinePolicy.objects.filter(role=role).exists():
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    if PolicyAttachment.objects.filter(role=role).exists():
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    # As in AWS: trust policies that named this role now name its unique id.
    services.retire_principal_in_trust_policies(role.arn, role.role_id)
    role.delete()
    policyset.bump(caller.account_id)


@operation("iam:TagRole")
def tag_role(caller: Caller, *, role_name: str, tags: list) -> None:
    """TagRole: add or overwrite tags (at most 50); they become the sessions'
    ``aws:PrincipalTag`` values from the next request on."""
    role = find_role(caller, role_name, "iam:TagRole", context=_tag_context(tags),
                     for_update=True)
    role.tags = validation.tags(tags, existing=role.tags)
    role.save(update_fields=["tags"])


@operation("iam:UntagRole")
def untag_role(caller: Caller, *, role_name: str, tag_keys: list[str]) -> None:
    """UntagRole: remove tags by key."""
    role = find_role(caller, role_name, "iam:UntagRole", context={"aws:TagKeys": list(tag_keys)},
                     for_update=True)
    role.tags = validation.untag(role.tags, tag_keys)
    role.save(update_fields=["tags"])


@operation("iam:ListRoleTags")
def list_role_tags(caller: Caller, *, role_name: str) -> list[dict]:
    """ListRoleTags."""
    return list(find_role(caller, role_name, "iam:ListRoleTags").tags)
