"""The two reads on the API's hot path, in SQL built once per process.

Every request resolves its access key, and GetUser/GetRole report a
permissions boundary; through the ORM each of those costs about a millisecond
of CPU compiling the query, several times the query itself. Here the SQL is
assembled once from the models' metadata (table and column names follow any
model change), and values pass through the same field converters the ORM
applies before becoming model instances.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection

from identities.models import AccessKey, User
from policies.models import ManagedPolicy, PermissionsBoundary
from policies.services import policy_arn


def access_key_with_user(key_id: str) -> AccessKey | None:
    """The access key ``key_id`` with its user loaded, or None."""
    sql, key_fields, user_fields = _key_query()
    row = _one(sql, key_id)
    if row is None:
        return None
    split = len(key_fields)
    key = AccessKey.from_db(connection.alias, [f.attname for f, _, _ in key_fields],
                            _converted(row[:split], key_fields))
    key.user = User.from_db(connection.alias, [f.attname for f, _, _ in user_fields],
                            _converted(row[split:], user_fields))
    return key


def boundary_arn(owner: str, owner_pk: int) -> str | None:
    """The ARN of the permissions boundary of a user or role (``owner`` "user" or "role")."""
    row = _one(_boundary_query(owner), owner_pk)
    return policy_arn(*row) if row is not None else None


def _one(sql: str, value):
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return cursor.fetchone()


def _fields(model, alias: str) -> list:
    fields = []
    for field in model._meta.concrete_fields:
        column = field.get_col(alias)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        fields.append((field, column, converters))
    return fields


def _converted(values, fields) -> list:
    result = []
    for value, (_, column, converters) in zip(values, fields):
        for convert in converters:
            value = convert(value, column, connection)
        result.append(value)
    return result


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@lru_cache(maxsize=1)
def _key_query() -> tuple[str, list, list]:
    quote = connection.ops.quote_name
    key_fields, user_fields = _fields(AccessKey, "k"), _fields(User, "u")
    selected = ", ".join([f"k.{quote(f.column)}" for f, _, _ in key_fields]
                         + [f"u.{quote(f.column)}" for f, _, _ in user_fields])
    sql = (f"SELECT {selected} FROM {_table(AccessKey)} k JOIN {_table(User)} u "
           f"ON u.{_column(User, 'id')} = k.{_column(AccessKey, 'user')} "
           f"WHERE k.{_column(AccessKey, 'access_key_id')} = %s")
    return sql, key_fields, user_fields


@lru_cache(maxsize=2)
def _boundary_query(owner: str) -> str:
    # Plain character columns: no converters needed for the three values read.
    return (f"SELECT p.{_column(ManagedPolicy, 'account')}, p.{_column(ManagedPolicy, 'path')}, "
            f"p.{_column(ManagedPolicy, 'name')} "
            f"FROM {_table(PermissionsBoundary)} b JOIN {_table(ManagedPolicy)} p "
            f"ON p.{_column(ManagedPolicy, 'id')} = b.{_column(PermissionsBoundary, 'policy')} "
            f"WHERE b.{_column(PermissionsBoundary, owner)} = %s")
