"""Authorize-then-fetch for named entities of the caller's account.

Authorization comes before existence: a caller without permission gets
AccessDenied whether or not the entity exists; another account's entities
are never found (NoSuchEntity). The ARN authorized is the entity's real ARN
(with its path) when it exists, else the ARN the name would have at "/".
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import CharField
from django.db.models.functions import Lower

from core.caller import Caller
from core.errors import NoSuchEntity
from identities import validation
from core.rawrows import Columns, column, fetch_all, fetch_one, table
from identities.models import Group, Role, User, UserSummary
from policies.authz import authorize
from policies.models import ManagedPolicy, PermissionsBoundary
from policies.services import policy_arn


# name__lower=... compares lower(name) like the unique indexes on (account,
# lower(name)) do, so PostgreSQL can use them (name__iexact uses UPPER()).
CharField.register_lookup(Lower)


def user_arn(account_id: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:user{path}{name}"


def group_arn(account_id: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:group{path}{name}"


def role_arn(account_id: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:role{path}{name}"


def resource_tags(tags) -> dict:
    """``aws:ResourceTag/<key>`` and ``iam:ResourceTag/<key>`` for a tagged entity acted on.

    AWS puts them in the context of every action on a tagged user, role or policy;
    without them a Deny on a resource tag would silently never apply.
    """
    context: dict = {}
    for tag in tags or []:
        context[f"aws:ResourceTag/{tag['Key']}"] = tag["Value"]
        context[f"iam:ResourceTag/{tag['Key']}"] = tag["Value"]
    return context


def _with_tags(entity, context: dict | None) -> dict | None:
    if entity is None or not entity.tags:
        return context
    return {**resource_tags(entity.tags), **(context or {})}


def find_user(caller: Caller, user_name: str, action: str, *, context: dict | None = None,
              for_update: bool = False) -> User:
    """The named IAM user, after ``action`` is authorized on it."""
    validation.name(user_name, field="userName")
    if for_update:
        user = (User.objects.select_related("account").select_for_update()
                .filter(account_id=caller.account_id, kind=User.Kind.IAM,
                        name__lower=user_name.lower()).first())
    else:
        user = _user_by_name(caller.account_id, user_name)
    authorize(caller, action, user.arn if user else user_arn(caller.account_id, user_name),
              context=_with_tags(user, context))
    if user is None:
        raise NoSuchEntity(f"The user with name {user_name} cannot be found.")
    return user


def _user_by_name(account_id: str, user_name: str) -> User | None:
    """The IAM user named ``user_name`` (any case), or None, in SQL built once:
    this read is on the path of most API calls that name a user. The same
    statement reads the user's permissions boundary, which GetUser returns, as
    ``known_boundary_arn``. (``user.account``, which few operations need, loads
    on first use; those that change a user lock it through the ORM instead.)
    """
    sql, users = _user_by_name_query()
    row = fetch_one(sql, [account_id, user_name.lower()])
    if row is None:
        return None
    user = users.instance(row[:len(users)])
    boundary = row[len(users):]
    user.known_boundary_arn = policy_arn(*boundary) if boundary[2] is not None else None
    return user


@lru_cache(maxsize=1)
def _user_by_name_query() -> tuple[str, Columns]:
    users = Columns.of(User, "u")
    policy = ", ".join(f"p.{column(ManagedPolicy, name)}" for name in ("account", "path", "name"))
    # lower(name) and the kind as a literal, as the unique index on (account,
    # lower(name)) WHERE kind = 'user': a prepared statement's generic plan can use
    # a partial index only when the statement itself implies its condition.
    sql = (f"SELECT {users.select}, {policy} FROM {table(User)} u "
           f"LEFT JOIN {table(PermissionsBoundary)} b "
           f"ON b.{column(PermissionsBoundary, 'user')} = u.{column(User, 'id')} "
           f"LEFT JOIN {table(ManagedPolicy)} p "
           f"ON p.{column(ManagedPolicy, 'id')} = b.{column(PermissionsBoundary, 'policy')} "
           f"WHERE u.{column(User, 'account')} = %s "
           f"AND u.{column(User, 'kind')} = '{User.Kind.IAM.value}' "
           f"AND lower(u.{column(User, 'name')}) = %s")
    return sql, users


def user_summaries(account_id: str, *, path_prefix: str, after: list | None,
                   limit: int) -> list[UserSummary]:
    """Up to ``limit`` IAM users of the account whose path starts with ``path_prefix``,
    in (name, id) order, after the position ``after`` when given (a page's marker).

    SQL built once, as for ``_user_by_name``: ListUsers is the list programs call
    most, and compiling its queryset cost the ORM more than reading a hundred rows.
    """
    prefixed = path_prefix != "/"
    sql, columns = _user_summaries_query(prefixed, after is not None)
    params = [account_id, *((path_prefix, path_prefix) if prefixed else ()), *(after or ()), limit]
    return [UserSummary(*columns.values(row)) for row in fetch_all(sql, params)]


@lru_cache(maxsize=4)
def _user_summaries_query(prefixed: bool, after: bool) -> tuple[str, Columns]:
    columns = Columns.of(User, "u", UserSummary._fields)
    name, id_, path = (f"u.{column(User, field)}" for field in ("name", "id", "path"))
    # A page is a range of the (account, kind, name, id) index. Every path starts
    # with "/": that prefix adds no condition, which would only make PostgreSQL
    # guess that few rows match and sort the whole account instead. Another prefix
    # is compared as text (LIKE would need its wildcards escaped, and SQLite's LIKE
    # ignores case); (name, id) > (marker) is the keyset step.
    sql = (f"SELECT {columns.select} FROM {table(User)} u "
           f"WHERE u.{column(User, 'account')} = %s "
           f"AND u.{column(User, 'kind')} = '{User.Kind.IAM.value}' "
           + (f"AND substr({path}, 1, length(%s)) = %s " if prefixed else "")
           + (f"AND ({name}, {id_}) > (%s, %s) " if after else "")
           + f"ORDER BY {name}, {id_} LIMIT %s")
    return sql, columns


def find_group(caller: Caller, group_name: str, action: str, *, context: dict | None = None,
               for_update: bool = False) -> Group:
    """The named group, after ``action`` is authorized on it."""
    validation.name(group_name, field="groupName", max_length=128)
    rows = Group.objects.filter(account_id=caller.account_id, name__lower=group_name.lower())
    if for_update:
        rows = rows.select_for_update()
    group = rows.first()
    authorize(caller, action, group.arn if group else group_arn(caller.account_id, group_name),
              context=context)
    if group is None:
        raise NoSuchEntity(f"The group with name {group_name} cannot be found.")
    return group


def find_role(caller: Caller, role_name: str, action: str, *, context: dict | None = None,
              for_update: bool = False) -> Role:
    """The named role, after ``action`` is authorized on it."""
    validation.name(role_name, field="roleName")
    rows = Role.objects.filter(account_id=caller.account_id, name__lower=role_name.lower())
    if for_update:
        rows = rows.select_for_update()
    role = rows.first()
    authorize(caller, action, role.arn if role else role_arn(caller.account_id, role_name),
              context=_with_tags(role, context))
    if role is None:
        raise NoSuchEntity(f"The role with name {role_name} cannot be found.")
    return role


def caller_account(caller: Caller):
    """The account the caller acts in: the role's account while in a role."""
    from identities.models import Account

    session = caller.session
    if session is not None and getattr(session, "role_arn", None):
        return session.account
    if caller.user is not None and caller.user.account_id == caller.account_id:
        return caller.user.account
    return Account.objects.get(pk=caller.account_id)


def acting_as_role(caller: Caller) -> bool:
    return caller.session is not None and bool(getattr(caller.session, "role_arn", None))
