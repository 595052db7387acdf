"""A seeded, realistic corpus for the policy engine benchmark.

Thousands of principals in a few accounts - IAM users in groups, role sessions,
account roots - each with the policy set the authz layer would assemble: shared
managed policies (admin, read-only, self-service with ``${aws:username}``, an MFA
guard with ``NotAction``, a region/IP guard, a ``NotResource`` deny), per-user
inline policies, permissions boundaries, session policies, and role trust
policies for ``sts:AssumeRole``.  Requests mix IAM and STS actions on resources of
the caller's account and, sometimes, another account.

``scale`` multiplies the statements in every per-principal policy (padding with
statements for other services and unrelated resources), to show how the cost
grows with policy size.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from policies.engine import (
    CompiledPolicy,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    compile_policy,
)

ACCOUNTS = ("111122223333", "444455556666", "777788889999")
V = "2012-10-17"

COMMON_ACTIONS = (
    "iam:GetUser",
    "iam:ListUsers",
    "iam:ListGroups",
    "iam:GetRole",
    "iam:ListRoles",
    "iam:CreateAccessKey",
    "iam:ListAccessKeys",
    "iam:UpdateAccessKey",
    "iam:DeleteAccessKey",
    "iam:ChangePassword",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicies",
    "iam:CreateUser",
    "iam:DeleteUser",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:PassRole",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ListMFADevices",
    "iam:GetAccountSummary",
    "iam:ListEvents",
    "iam:GetEvent",
    "iam:TagUser",
    "sts:GetCallerIdentity",
    "sts:AssumeRole",
    "sts:GetSessionToken",
)


def doc(*statements: dict) -> str:
    return json.dumps({"Version": V, "Statement": list(statements)})


def shared_policies(account: str) -> dict[str, str]:
    """Managed policies that many principals share (compiled once, by content)."""
    a = account
    return {
        "Admin": doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        "IAMReadOnly": doc(
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["iam:Get*", "iam:List*", "iam:Generate*"],
                "Resource": "*",
            }
        ),
        "SelfService": doc(
            {
                "Sid": "OwnKeys",
                "Effect": "Allow",
                "Action": [
                    "iam:*AccessKey*",
                    "iam:ChangePassword",
                    "iam:GetUser",
                    "iam:*MFADevice*",
                ],
                "Resource": [
                    f"arn:aws:iam::{a}:user/${{aws:username}}",
                    f"arn:aws:iam::{a}:mfa/${{aws:username}}",
                ],
            },
            {
                "Sid": "ListMFA",
                "Effect": "Allow",
                "Action": "iam:ListVirtualMFADevices",
                "Resource": "*",
            },
        ),
        "RequireMFA": doc(
            {
                "Sid": "DenyWithoutMFA",
                "Effect": "Deny",
                "NotAction": [
                    "iam:CreateVirtualMFADevice",
                    "iam:EnableMFADevice",
                    "iam:GetUser",
                    "iam:ListMFADevices",
                    "iam:ChangePassword",
                    "sts:GetSessionToken",
                    "sts:GetCallerIdentity",
                ],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            }
        ),
        "NetworkGuard": doc(
            {
                "Sid": "OfficeOnly",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "NotIpAddress": {
                        "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24", "2001:db8::/32"]
                    },
                    "Bool": {"aws:ViaAWSService": "false"},
                },
            }
        ),
        "ProtectAdmins": doc(
            {
                "Sid": "NoTouchingAdmins",
                "Effect": "Deny",
                "Action": ["iam:Delete*", "iam:Attach*", "iam:Put*", "iam:Update*"],
                "NotResource": [f"arn:aws:iam::{a}:user/dev/*", f"arn:aws:iam::{a}:role/app-*"],
            }
        ),
        "UserManager": doc(
            {
                "Sid": "ManageDevs",
                "Effect": "Allow",
                "Action": [
                    "iam:CreateUser",
                    "iam:DeleteUser",
                    "iam:TagUser",
                    "iam:AttachUserPolicy",
                    "iam:PutUserPolicy",
                ],
                "Resource": f"arn:aws:iam::{a}:user/dev/*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
            },
            {
                "Sid": "PassAppRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{a}:role/app-*",
                "Condition": {"StringLike": {"iam:PassedToService": "*.amazonaws.com"}},
            },
        ),
        "TimeBoxed": doc(
            {
                "Sid": "Contractors",
                "Effect": "Allow",
                "Action": ["iam:List*", "iam:Get*", "iam:ListEvents", "iam:GetEvent"],
                "Resource": "*",
                "Condition": {
                    "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                    "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                },
            }
        ),
        "TagBased": doc(
            {
                "Sid": "SameTeam",
                "Effect": "Allow",
                "Action": ["iam:TagUser", "iam:UntagUser", "iam:GetUser"],
                "Resource": f"arn:aws:iam::{a}:user/*",
                "Condition": {
                    "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
                    "ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost-*"]},
                },
            }
        ),
        "AssumeAppRoles": doc(
            {
                "Sid": "Assume",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::*:role/app-*",
            },
            {
                "Sid": "Caller",
                "Effect": "Allow",
                "Action": ["sts:GetCallerIdentity", "sts:GetSessionToken"],
                "Resource": "*",
            },
        ),
    }


def boundary_policy() -> str:
    return doc(
        {
            "Sid": "Ceiling",
            "Effect": "Allow",
            "Action": ["iam:Get*", "iam:List*", "iam:*AccessKey*", "sts:*", "iam:ChangePassword"],
            "Resource": "*",
        },
        {
            "Sid": "NoPolicyEdits",
            "Effect": "Deny",
            "Action": ["iam:*Policy*", "iam:*PermissionsBoundary*"],
            "Resource": "*",
        },
    )


def session_policy(rng: random.Random, account: str) -> str:
    return doc(
        {
            "Sid": "SessionScope",
            "Effect": "Allow",
            "Action": rng.choice(
                [
                    ["iam:Get*", "iam:List*"],
                    ["iam:*"],
                    ["iam:ListUsers", "iam:GetUser", "sts:GetCallerIdentity"],
                ]
            ),
            "Resource": rng.choice(["*", f"arn:aws:iam::{account}:user/*"]),
        }
    )


def trust_policy(rng: random.Random, account: str) -> str:
    other = rng.choice(ACCOUNTS)
    statements = [
        {
            "Sid": "SameAccount",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "sts:AssumeRole",
        },
        {
            "Sid": "Partner",
            "Effect": "Allow",
            "Principal": {"AWS": other},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": f"ext-{rng.randrange(1000)}"}},
        },
        {
            "Sid": "EC2",
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
    ]
    if rng.random() < 0.3:
        statements.append(
            {
                "Sid": "NoOldSessions",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}},
            }
        )
    return doc(*statements)


def padding(rng: random.Random, account: str, count: int, tag: str) -> list[dict]:
    """Statements that concern other services or unrelated resources: they make a
    policy bigger without changing many decisions, as real policies grow."""
    services = ("s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "kms", "logs", "cloudwatch", "rds")
    out = []
    for i in range(count):
        service = rng.choice(services)
        kind = rng.random()
        if kind < 0.5:
            action = [f"{service}:Get{tag}{i}", f"{service}:Describe*", f"{service}:Put{tag}{i}"]
            resource = f"arn:aws:{service}:us-east-1:{account}:thing/{tag}-{i}/*"
        elif kind < 0.8:
            action = [f"iam:Tag{tag}Thing{i}", "iam:ListInstanceProfiles"]
            resource = f"arn:aws:iam::{account}:instance-profile/{tag}-{i}"
        else:
            action = f"{service}:*"
            resource = [
                f"arn:aws:{service}:*:{account}:{tag}{i}-*",
                f"arn:aws:{service}:*:{account}:shared-{i}",
            ]
        statement = {
            "Sid": f"Pad{tag}{i}",
            "Effect": rng.choice(("Allow", "Allow", "Deny")),
            "Action": action,
            "Resource": resource,
        }
        if rng.random() < 0.2:
            statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
        out.append(statement)
    return out


def extra_policies(rng: random.Random, account: str, count: int, tag: str) -> list[CompiledPolicy]:
    """``count`` padding statements in managed policies of at most 20 statements."""
    out = []
    for start in range(0, count, 20):
        statements = padding(rng, account, min(20, count - start), f"{tag}s{start}")
        out.append(
            compile_policy(
                doc(*statements),
                PolicyKind.MANAGED,
                policy_id=f"pad-{tag}-{start}",
                name=f"Pad{start}",
            )
        )
    return out


@dataclass
class Corpus:
    requests: list[Request]
    sets: list[PolicySet]
    principals: int
    statements_per_principal: float


def build(seed: int = 7, principals: int = 3000, requests: int = 100_000, scale: int = 1) -> Corpus:
    rng = random.Random(seed)
    shared: dict[tuple[str, str], CompiledPolicy] = {}
    for account in ACCOUNTS:
        for name, text in shared_policies(account).items():
            shared[(account, name)] = compile_policy(
                text, PolicyKind.MANAGED, policy_id=f"ANPA{name}{account}", name=name
            )
    boundary = compile_policy(
        boundary_policy(), PolicyKind.BOUNDARY, policy_id="ANPABOUNDARY", name="DevBoundary"
    )
    groups = {
        "admins": ("Admin",),
        "readers": ("IAMReadOnly", "RequireMFA"),
        "devs": ("SelfService", "RequireMFA", "AssumeAppRoles", "TimeBoxed"),
        "managers": ("UserManager", "ProtectAdmins", "IAMReadOnly", "TagBased"),
        "remote": ("NetworkGuard", "SelfService", "IAMReadOnly"),
    }
    group_weights = (0.05, 0.3, 0.4, 0.15, 0.1)

    identities: list[tuple[Principal, PolicySet]] = []
    roles_by_account: dict[str, list[tuple[str, CompiledPolicy]]] = {a: [] for a in ACCOUNTS}
    statement_count = 0
    for n in range(principals):
        account = rng.choice(ACCOUNTS)
        roll = rng.random()
        if roll < 0.01:
            principal = Principal.from_arn(f"arn:aws:iam::{account}:root")
            identities.append((principal, PolicySet()))
            continue
        team = rng.choice(("blue", "green", "red"))
        pad = padding(rng, account, 2, f"p{n}")
        extra = extra_policies(rng, account, (scale - 1) * 9, f"x{n}")
        if roll < 0.8:
            path = rng.choice(("", "dev/", "ops/"))
            name = f"user{n}"
            principal = Principal.from_arn(
                f"arn:aws:iam::{account}:user/{path}{name}",
                tags={"team": team},
                user_id=f"AIDA{n:016d}",
            )
            chosen = rng.choices(list(groups), weights=group_weights, k=rng.choice((1, 1, 2)))
            policies = [shared[(account, p)] for g in chosen for p in groups[g]]
            inline = doc(
                {
                    "Sid": "OwnStuff",
                    "Effect": "Allow",
                    "Action": ["iam:GetUser", "iam:ListAccessKeys", "iam:TagUser"],
                    "Resource": f"arn:aws:iam::{account}:user/{path}{name}",
                },
                *pad,
            )
            policies.append(
                compile_policy(inline, PolicyKind.USER_INLINE, policy_id=f"inline-{n}", name="Own")
            )
            policies.extend(extra)
            session: tuple[CompiledPolicy, ...] = ()
        else:
            role = f"app-{n}"
            principal = Principal.from_arn(
                f"arn:aws:sts::{account}:assumed-role/{role}/session-{n}",
                role_arn=f"arn:aws:iam::{account}:role/{role}",
                tags={"team": team},
            )
            role_policy = doc(
                {
                    "Sid": "AppAccess",
                    "Effect": "Allow",
                    "Action": ["iam:Get*", "iam:List*", "sts:GetCallerIdentity"],
                    "Resource": "*",
                },
                {
                    "Sid": "PassOwn",
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": f"arn:aws:iam::{account}:role/{role}",
                },
                *pad,
            )
            policies = [
                compile_policy(
                    role_policy, PolicyKind.ROLE_INLINE, policy_id=f"role-{n}", name="AppAccess"
                )
            ]
            policies.append(shared[(account, "AssumeAppRoles")])
            policies.extend(extra)
            session = (
                (compile_policy(session_policy(rng, account), PolicyKind.SESSION, name="session"),)
                if rng.random() < 0.3
                else ()
            )
            trust = compile_policy(
                trust_policy(rng, account), PolicyKind.TRUST, policy_id=f"trust-{n}", name="trust"
            )
            roles_by_account[account].append((f"arn:aws:iam::{account}:role/{role}", trust))
        policy_set = PolicySet(
            identity=tuple(policies),
            boundary=boundary if rng.random() < 0.2 else None,
            session=session,
        )
        statement_count += sum(len(p.statements) for p in policies)
        identities.append((principal, policy_set))

    out_requests: list[Request] = []
    out_sets: list[PolicySet] = []
    for _ in range(requests):
        principal, policy_set = rng.choice(identities)
        action = rng.choice(COMMON_ACTIONS)
        same = rng.random() < 0.9 or principal.kind == "Account"
        account = principal.account if same else rng.choice(ACCOUNTS)
        context = {
            "aws:CurrentTime": "2025-06-01T12:00:00Z",
            "aws:SourceIp": rng.choice(
                ("192.0.2.10", "198.51.100.7", "203.0.113.99", "2001:db8::1")
            ),
            "aws:RequestedRegion": rng.choice(("us-east-1", "eu-west-1", "ap-south-1")),
            "aws:ViaAWSService": "false",
        }
        if rng.random() < 0.7:
            context["aws:MultiFactorAuthPresent"] = rng.choice(("true", "true", "false"))
            context["aws:MultiFactorAuthAge"] = str(rng.randrange(0, 7200))
        if action in ("iam:TagUser",):
            context["aws:TagKeys"] = rng.choice((["team"], ["team", "cost-center"], ["owner"]))
            context["aws:ResourceTag/team"] = rng.choice(("blue", "green", "red"))
        resource_policy: tuple[CompiledPolicy, ...] = ()
        if action == "sts:AssumeRole" and roles_by_account[account]:
            role_arn, trust = rng.choice(roles_by_account[account])
            resource = role_arn
            resource_policy = (trust,)
            if rng.random() < 0.5:
                context["sts:ExternalId"] = f"ext-{rng.randrange(1000)}"
        elif action in (
            "sts:GetCallerIdentity",
            "sts:GetSessionToken",
            "iam:ListUsers",
            "iam:ListRoles",
            "iam:ListPolicies",
            "iam:ListGroups",
            "iam:GetAccountSummary",
            "iam:ListEvents",
        ):
            resource = "*"
        elif action in ("iam:GetPolicy", "iam:GetPolicyVersion"):
            resource = f"arn:aws:iam::{account}:policy/pol{rng.randrange(50)}"
        elif action in ("iam:GetRole", "iam:PassRole"):
            resource = f"arn:aws:iam::{account}:role/app-{rng.randrange(principals)}"
            if action == "iam:PassRole":
                context["iam:PassedToService"] = rng.choice(
                    ("ec2.amazonaws.com", "lambda.amazonaws.com")
                )
        elif action in ("iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices"):
            resource = f"arn:aws:iam::{account}:mfa/user{rng.randrange(principals)}"
        elif action == "iam:GetEvent":
            resource = f"arn:aws:iam::{account}:event/{rng.randrange(10**6)}"
        else:
            if principal.kind == "User" and rng.random() < 0.4:
                resource = principal.arn
            else:
                path = rng.choice(("", "dev/", "ops/"))
                resource = f"arn:aws:iam::{account}:user/{path}user{rng.randrange(principals)}"
        request = Request(action, resource, principal, context)
        out_requests.append(request)
        out_sets.append(
            PolicySet(
                identity=policy_set.identity,
                resource=resource_policy,
                boundary=policy_set.boundary,
                session=policy_set.session,
            )
            if resource_policy
            else policy_set
        )
    non_root = sum(1 for p, _ in identities if not p.is_root) or 1
    return Corpus(out_requests, out_sets, len(identities), statement_count / non_root)
