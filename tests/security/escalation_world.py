"""The world the escalation paths are tried in, and how to tell that one worked.

mallory is an IAM user of alice-co (console password and access key) who wants
more than she was given; boss is an administrator she would like to become;
admin sets the scene. Every case gives mallory a policy one permission short of
its path, then the policy AWS requires for it (see escalation_cases.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.caller import Caller
from core.errors import AccessDenied
from identities.models import User
from tests.factories import grant, make_iam_user
from tests.security.support import allow, doc, new_key, set_inline

ACCOUNT = "111122223333"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY_ARN = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
# Every policy mallory gets may read IAM: a refusal must come from the one action
# of the path, not from the page around it or the lookup before it.
READS = allow(["iam:Get*", "iam:List*"])
NEW_PASSWORD = "Quartz-Meadow-Falcon-72"
SEED = b"security-suite-seed!"  # 20 bytes: the test knows every device's codes


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


@dataclass
class World:
    account: object
    admin: User
    mallory: User
    boss: User
    key_id: str
    secret: str
    extra: dict = field(default_factory=dict)

    @property
    def root(self) -> Caller:
        return Caller.for_user(self.admin)

    def fresh(self, user: User) -> User:
        return User.objects.get(pk=user.pk)

    def mallory_policy(self, *statements: dict) -> None:
        set_inline(self.mallory, doc(READS, *statements))


def build_world(account_fixture) -> World:
    account = account_fixture.account
    admin = make_iam_user(account, "admin", password=None)
    grant(admin)
    mallory = make_iam_user(account, "mallory")
    boss = make_iam_user(account, "boss", password=None)
    grant(boss)
    key_id, secret = new_key(mallory)
    return World(account_fixture, admin, mallory, boss, key_id, secret)


def user_can(user: User, action: str, resource: str = "*") -> bool:
    """Whether ``user`` (as stored now) may do ``action``: the engine, no side effects."""
    from policies.authz import authorize

    try:
        authorize(Caller.for_user(User.objects.get(pk=user.pk)), action, resource)
    except AccessDenied:
        return False
    return True


def role_can(role_name: str, action: str) -> bool:
    """Whether a session of the role would be allowed ``action`` on "*"."""
    from identities.models import Role
    from policies.engine import Principal, Request, evaluate
    from policies.selectors import load_role_policy_set

    role = Role.objects.get(account_id=ACCOUNT, name=role_name)
    principal = Principal(arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/{role.name}/proof",
                          account=ACCOUNT, kind="AssumedRole", role_arn=role.arn)
    request = Request(action=action, resource="*", principal=principal, context={})
    return evaluate(request, load_role_policy_set(role)).allowed


def may_assume(user: User, role_name: str) -> bool:
    """Whether ``user`` could assume the role now (trust and identity side), no side effects."""
    from identities.models import Role
    from policies.authz import request_context
    from sts import trust

    role = Role.objects.get(account_id=ACCOUNT, name=role_name)
    caller = Caller.for_user(User.objects.get(pk=user.pk))
    context = {**request_context(caller), "sts:RoleSessionName": "proof"}
    return trust.decide(caller, role, "sts:AssumeRole", context)[1]


def codes(seed: bytes = SEED, ahead: int = 0) -> tuple[str, str]:
    """Two consecutive TOTP codes ``ahead`` steps from now."""
    from django_otp.oath import TOTP

    step = int(time.time()) // 30 + ahead
    out = []
    for t in (step, step + 1):
        totp = TOTP(seed)
        totp.time = t * 30
        out.append(f"{totp.token():06d}")
    return out[0], out[1]


def trust_doc(*principals: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": list(principals)},
                "Action": "sts:AssumeRole"})
