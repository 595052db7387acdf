"""Builders for test data, through the same services the product uses."""

from __future__ import annotations

from dataclasses import dataclass

from identities import services
from identities.models import Account, User

ROOT_PASSWORD = "Correct-Horse-Battery-9"
USER_PASSWORD = "Staple-Orbit-Lantern-4"


@dataclass
class AccountFixture:
    account: Account
    root: User
    root_password: str

    @property
    def id(self) -> str:
        return self.account.id


def make_account(*, email: str = "root@example.com", alias: str | None = None,
                 account_id: str | None = None, password: str = ROOT_PASSWORD) -> AccountFixture:
    created = services.create_account(email=email, password=password, alias=alias,
                                      account_id=account_id, name="Test")
    return AccountFixture(created.account, created.root, password)


def make_iam_user(account: Account, name: str, *, password: str | None = USER_PASSWORD,
                  reset_required: bool = False) -> User:
    user = services.new_iam_user(account, name)
    if password is not None:
        services.set_console_password(user, password, reset_required=reset_required)
    return user


def sign_in_root(client, fixture: AccountFixture, password: str | None = None):
    return client.post("/signin", {"kind": "root", "email": fixture.root.email,
                                    "password": password or fixture.root_password})


def sign_in_user(client, account_ref: str, name: str, password: str = USER_PASSWORD):
    return client.post("/signin", {"kind": "iam", "account": account_ref, "user_name": name,
                                    "password": password})


ADMIN_DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def grant(user: User, document: str = ADMIN_DOCUMENT, *, name: str = "granted") -> None:
    """Give ``user`` an inline policy (written directly, as a fixture)."""
    from policies import policyset
    from policies.models import InlinePolicy

    InlinePolicy.objects.create(user=user, name=name, document=document)
    policyset.bump(user.account_id)


def caller_for(user: User, **context):
    """The Caller an operation sees for ``user`` signed in to the console."""
    from core.caller import Caller

    return Caller.for_user(user, **context)


def attach_managed(user: User, policy_name: str) -> None:
    """Attach an AWS managed policy from the shipped catalogue to ``user``."""
    from policies import policyset
    from policies.models import ManagedPolicy, PolicyAttachment

    policy = ManagedPolicy.objects.get(account__isnull=True, name=policy_name)
    PolicyAttachment.objects.create(user=user, policy=policy)
    policyset.bump(user.account_id)
