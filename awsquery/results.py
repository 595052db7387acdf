"""Model rows and operation results written as the dicts of botocore's output shapes.

Keys are the shape's member names; ``None`` means "not sent", as AWS leaves
out what an entity does not have (tags, a boundary, a last-used date).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsquery import lookups
from core.pagination import Page


_UNKNOWN = object()


def tag(value: dict) -> dict:
    return {"Key": value["Key"], "Value": value.get("Value", "")}


def tags(values) -> list[dict] | None:
    return [tag(value) for value in values] if values else None


def listing(key: str, item: Callable[[Any], Any] = lambda value: value) -> Callable[[Page], dict]:
    """A List* result: the page's items under ``key`` plus IsTruncated and Marker."""
    def shape(page: Page) -> dict:
        return {key: [item(value) for value in page.items], "IsTruncated": page.is_truncated,
                "Marker": page.marker}
    return shape


def wrap(key: str, item: Callable[[Any], Any]) -> Callable[[Any], dict]:
    """A Get*/Create* result: one entity under ``key``."""
    return lambda value: {key: item(value)}


def boundary(arn: str | None) -> dict | None:
    if not arn:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def user(row, *, detail: bool = False) -> dict:
    """A User. ``detail`` adds what GetUser and CreateUser return and ListUsers does not."""
    if row.is_root:
        # AWS describes the root by its account: no name, no path.
        result = {"UserId": row.user_id, "Arn": row.arn, "CreateDate": row.created_at}
    else:
        result = {"Path": row.path, "UserName": row.name, "UserId": row.user_id, "Arn": row.arn,
                  "CreateDate": row.created_at}
    if row.last_login is not None:
        result["PasswordLastUsed"] = row.last_login
    if detail and not row.is_root:
        # A user found by name carries its boundary (identities.lookups); others ask.
        arn = getattr(row, "known_boundary_arn", _UNKNOWN)
        result["PermissionsBoundary"] = boundary(
            lookups.boundary_arn("user", row.pk) if arn is _UNKNOWN else arn)
        result["Tags"] = tags(row.tags)
    return result


def group(row) -> dict:
    return {"Path": row.path, "GroupName": row.name, "GroupId": row.group_id, "Arn": row.arn,
            "CreateDate": row.created_at}


def role(row, *, detail: bool = False) -> dict:
    """A Role, its trust policy as a document (URL-encoded on the wire)."""
    result = {"Path": row.path, "RoleName": row.name, "RoleId": row.role_id, "Arn": row.arn,
              "CreateDate": row.created_at, "AssumeRolePolicyDocument": row.trust_policy,
              "Description": row.description or None,
              "MaxSessionDuration": row.max_session_duration}
    if detail:
        result["PermissionsBoundary"] = boundary(lookups.boundary_arn("role", row.pk))
        result["Tags"] = tags(row.tags)
        last_used = {"LastUsedDate": row.last_used_at, "Region": row.last_used_region or None}
        result["RoleLastUsed"] = last_used if row.last_used_at else {}
    return result


def policy(row) -> dict:
    """A managed Policy; usage counts when the operation annotated them."""
    return {
        "PolicyName": row.name, "PolicyId": row.policy_id, "Arn": row.arn, "Path": row.path,
        "DefaultVersionId": row.default_version_id,
        "AttachmentCount": getattr(row, "attachment_count", None),
        "PermissionsBoundaryUsageCount": getattr(row, "permissions_boundary_usage_count", None),
        "IsAttachable": True, "Description": row.description or None,
        "CreateDate": row.created_at, "UpdateDate": row.updated_at, "Tags": tags(row.tags),
    }


def policy_version(row, *, document: bool = True) -> dict:
    return {"Document": row.document if document else None, "VersionId": row.version_id,
            "IsDefaultVersion": row.is_default, "CreateDate": row.created_at}
