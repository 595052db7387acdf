"""Small builders so each test reads as the policy and the question it asks."""

from __future__ import annotations

import json
from typing import Any

from policies.engine import (
    CompiledPolicy,
    Decision,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
)

ACCT = "111122223333"
OTHER = "444455556666"


def text(*statements: dict, version: str | None = "2012-10-17") -> str:
    body: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        body = {"Version": version, **body}
    return json.dumps(body, indent=2)


def policy(
    *statements: dict,
    version: str | None = "2012-10-17",
    kind: PolicyKind = PolicyKind.MANAGED,
    name: str = "p",
) -> CompiledPolicy:
    return compile_policy(
        text(*statements, version=version), kind, policy_id=f"id-{name}", name=name
    )


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def user(name: str = "alice", account: str = ACCT, **kw: Any) -> Principal:
    return Principal.from_arn(f"arn:aws:iam::{account}:user/{name}", **kw)


def session(role: str = "Admin", name: str = "sess", account: str = ACCT) -> Principal:
    return Principal.from_arn(f"arn:aws:sts::{account}:assumed-role/{role}/{name}")


def root(account: str = ACCT) -> Principal:
    return Principal.from_arn(f"arn:aws:iam::{account}:root")


def decide(
    action: str,
    resource: str,
    principal: Principal | None = None,
    *,
    identity: tuple[CompiledPolicy, ...] | list = (),
    resource_policies: tuple[CompiledPolicy, ...] | list = (),
    boundary: CompiledPolicy | None = None,
    session_policies: tuple[CompiledPolicy, ...] | list = (),
    context: dict | None = None,
) -> Decision:
    request = Request(action, resource, principal or user(), context or {})
    return evaluate(
        request,
        PolicySet(
            identity=tuple(identity),
            resource=tuple(resource_policies),
            boundary=boundary,
            session=tuple(session_policies),
        ),
    )


def allowed(*args: Any, **kw: Any) -> bool:
    return decide(*args, **kw).allowed


def condition_allows(
    condition: dict,
    context: dict,
    *,
    version: str = "2012-10-17",
    principal: Principal | None = None,
) -> bool:
    """Does an Allow with this Condition block allow iam:GetUser on * in ``context``?"""
    compiled = policy(allow("iam:GetUser", "*", Condition=condition), version=version)
    return allowed("iam:GetUser", "*", principal, identity=[compiled], context=context)
