"""Bootstrapping an account from the command line: its first administrator.

Run by the operator (``createaccount``, ``demoaccount``), so it acts as the
system caller through the same operations a person would use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from core.caller import Caller
from identities.models import Account
from identities.operations import credentials, users
from identities.passwords import generate_password

ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


@dataclass(frozen=True)
class AdminUser:
    user_name: str
    password: str
    access_key_id: str = ""
    secret_access_key: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def create_admin_user(account: Account, name: str, *, password: str | None = None,
                      access_key: bool = False) -> AdminUser:
    """An IAM user with AdministratorAccess, a console password and maybe a key."""
    from policies.operations import attach_user_policy

    system = Caller.system(account.id, via="command")
    password = password or generate_password()
    users.create_user(system, user_name=name)
    credentials.create_login_profile(system, user_name=name, password=password)
    attach_user_policy(system, user_name=name, policy_arn=ADMIN_POLICY_ARN)
    key_id = secret = ""
    if access_key:
        created = credentials.create_access_key(system, user_name=name)
        key_id, secret = created.key.access_key_id, created.secret_access_key
    return AdminUser(user_name=name, password=password, access_key_id=key_id,
                     secret_access_key=secret)
