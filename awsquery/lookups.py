"""The two reads on the API's hot path, in SQL built once per process (core.rawrows).

Every request resolves its access key, and GetUser/GetRole report a
permissions boundary.
"""

from __future__ import annotations

from functools import lru_cache

from core.rawrows import Columns, column, fetch_one, table
from identities.models import Account, AccessKey, User
from policies.models import ManagedPolicy, PermissionsBoundary
from policies.services import policy_arn


def access_key_with_user(key_id: str) -> tuple[AccessKey, int] | None:
    """The access key ``key_id`` with its user loaded, and the account's policy
    generation (which the first authorization of the request needs), or None."""
    sql, key_columns, user_columns = _key_query()
    row = fetch_one(sql, [key_id])
    if row is None:
        return None
    split = len(key_columns)
    key = key_columns.instance(row[:split])
    key.user = user_columns.instance(row[split:split + len(user_columns)])
    return key, row[-1]


def boundary_arn(owner: str, owner_pk: int) -> str | None:
    """The ARN of the permissions boundary of a user or role (``owner`` "user" or "role")."""
    row = fetch_one(_boundary_query(owner), [owner_pk])
    return policy_arn(*row) if row is not None else None


@lru_cache(maxsize=1)
def _key_query() -> tuple[str, Columns, Columns]:
    keys, users = Columns.of(AccessKey, "k"), Columns.of(User, "u")
    sql = (f"SELECT {keys.select}, {users.select}, a.{column(Account, 'policy_generation')} "
           f"FROM {table(AccessKey)} k "
           f"JOIN {table(User)} u ON u.{column(User, 'id')} = k.{column(AccessKey, 'user')} "
           f"JOIN {table(Account)} a ON a.{column(Account, 'id')} = u.{column(User, 'account')} "
           f"WHERE k.{column(AccessKey, 'access_key_id')} = %s")
    return sql, keys, users


@lru_cache(maxsize=2)
def _boundary_query(owner: str) -> str:
    # Plain character columns: no converters needed for the three values read.
    return (f"SELECT p.{column(ManagedPolicy, 'account')}, p.{column(ManagedPolicy, 'path')}, "
            f"p.{column(ManagedPolicy, 'name')} "
            f"FROM {table(PermissionsBoundary)} b JOIN {table(ManagedPolicy)} p "
            f"ON p.{column(ManagedPolicy, 'id')} = b.{column(PermissionsBoundary, 'policy')} "
            f"WHERE b.{column(PermissionsBoundary, owner)} = %s")
