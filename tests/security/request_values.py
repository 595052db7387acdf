"""Minimal valid parameters for any implemented action, built from botocore's input
shape: every required member, plus the optional members the test names.

Values come from ``refs`` first (the entities a test wants named: another
account's user, a policy ARN, a marker...), then from plausible defaults by
member name, then from the shape itself (enum, length). They are valid enough
that a refusal comes from authorization or lookup, not from validation.
"""

from __future__ import annotations

from typing import Any

from awsquery import registry, shapes
from tests.security.support import allow, doc

DEFAULTS: dict[str, Any] = {
    "PolicyDocument": doc(allow("iam:GetUser")),
    "AssumeRolePolicyDocument": doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                                     "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}),
    "PolicyInputList": [doc(allow("iam:GetUser"))],
    "ActionNames": ["iam:GetUser"],
    "Password": "Orchid-Saturn-Velvet-38",
    "NewPassword": "Orchid-Saturn-Velvet-38",
    "OldPassword": "Staple-Orbit-Lantern-4",
    "Path": "/",
    "Description": "described",
    "AuthenticationCode1": "123456",
    "AuthenticationCode2": "654321",
    "Status": "Inactive",
    "VersionId": "v1",
    "RoleSessionName": "session",
    "Tags": [{"Key": "team", "Value": "blue"}],
    "TagKeys": ["team"],
    "AccountAlias": "some-alias",
    "VirtualMFADeviceName": "device",
    "UserName": "someone",
    "GroupName": "somegroup",
    "RoleName": "SomeRole",
    "PolicyName": "SomePolicy",
    "PolicyArn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
    "PolicySourceArn": "arn:aws:iam::111122223333:user/someone",
    "RoleArn": "arn:aws:iam::111122223333:role/SomeRole",
    "PermissionsBoundary": "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
    "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
    "SerialNumber": "arn:aws:iam::111122223333:mfa/device",
}


def implemented() -> list[tuple[str, str]]:
    return [(service, action) for service, action, _ in registry.implemented_actions()]


def members(service: str, action: str) -> dict:
    shape = shapes.operation_model(service, action).input_shape
    return dict(shape.members) if shape is not None else {}


# Optional members that name an entity: a test's refs fill them in when an action
# has them (the user a self-service action acts on, a boundary, a list position).
OPTIONAL_REFS = frozenset({"UserName", "PermissionsBoundary", "Marker"})
# Optional in botocore's model, needed by this system (a console password is given,
# never generated for an IAM user here).
NEEDED = frozenset({("iam", "CreateLoginProfile", "Password")})


def build(service: str, action: str, refs: dict | None = None) -> dict:
    """The parameters of ``action``: required members (from ``refs`` when it names
    them), and the optional members of OPTIONAL_REFS that ``refs`` names."""
    refs = refs or {}
    shape = shapes.operation_model(service, action).input_shape
    if shape is None:
        return {}
    params = {}
    for name, member in shape.members.items():
        if name in shape.required_members:
            params[name] = refs[name] if name in refs else value(name, member)
        elif name in refs and name in OPTIONAL_REFS:
            params[name] = refs[name]
        elif (service, action, name) in NEEDED:
            params[name] = value(name, member)
    return params


def value(name: str, shape) -> Any:
    if name in DEFAULTS:
        return DEFAULTS[name]
    kind = shape.type_name
    if kind == "structure":
        return {m: value(m, s) for m, s in shape.members.items() if m in shape.required_members}
    if kind == "list":
        return [value(name, shape.member)]
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind == "boolean":
        return False
    if shape.enum:
        return shape.enum[0]
    return "x" * max(1, shape.metadata.get("min", 1))


def method(action: str) -> str:
    from botocore import xform_name

    return xform_name(action)
