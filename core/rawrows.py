"""Model instances from SQL written once per process, for the API's hot reads.

Compiling a queryset costs the ORM about half a millisecond of CPU, several
times the query it produces; a read that every API call makes pays it on every
request. A ``Columns`` holds one model's selected columns under a table alias,
built from the model's metadata (table and column names follow any model
change); ``instance`` turns a slice of a row into a model instance through the
same field converters the ORM applies, so the instance is indistinguishable
from one a queryset would return; ``values`` gives a row's converted values for
lists that need no instances (ListUsers' summaries).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import methodcaller

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


@dataclass(frozen=True)
class Columns:
    model: type
    alias: str
    fields: tuple  # (field, column expression, converters)
    attnames: tuple
    converting: tuple  # (index, column expression, converters) of the fields that have some

    @classmethod
    def of(cls, model, alias: str, attnames: tuple[str, ...] | None = None) -> Columns:
        """All the model's columns, or those of ``attnames`` in that order."""
        fields = []
        if attnames:
            by_attname = {field.attname: field for field in model._meta.concrete_fields}
            chosen = [by_attname[name] for name in attnames]
        else:
            chosen = model._meta.concrete_fields
        for field in chosen:
            column = field.get_col(alias)
            converters = (connection.ops.get_db_converters(column)
                          + field.get_db_converters(connection))
            fields.append((field, column, tuple(converters)))
        attnames = tuple(field.attname for field, _, _ in fields)
        converting = tuple((index, column, converters)
                           for index, (_, column, converters) in enumerate(fields) if converters)
        return cls(model, alias, tuple(fields), attnames, converting)

    @property
    def select(self) -> str:
        """The columns for a SELECT list, e.g. ``u."id", u."name"``."""
        return ", ".join(f"{self.alias}.{connection.ops.quote_name(field.column)}"
                         for field, _, _ in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def values(self, row) -> list:
        """The row's values as the model's fields hold them (the ORM's converters applied)."""
        converted = list(row)
        if self.converting:  # most columns have no converter
            db = connections[DEFAULT_DB_ALIAS]
            for index, column, converters in self.converting:
                value = converted[index]
                for convert in converters:
                    value = convert(value, column, db)
                converted[index] = value
        return converted

    def instance(self, values):
        """The model instance for this model's slice of a row.

        What ``Model.from_db`` builds, without running ``__init__``: a row's
        values set at once, and the state of an instance loaded from the
        database. ``__init__`` sets attributes one by one and sends pre_init
        and post_init, which nothing in this project listens to; should a
        receiver appear, the instance is built by ``from_db`` instead.
        """
        converted = self.values(values)
        model = self.model
        # The receiver lists first: has_listeners costs more than the rest of this.
        if ((pre_init.receivers or post_init.receivers)
                and (pre_init.has_listeners(model) or post_init.has_listeners(model))):
            return model.from_db(DEFAULT_DB_ALIAS, self.attnames, converted)
        instance = model.__new__(model)
        instance.__dict__.update(zip(self.attnames, converted))
        state = instance._state = ModelState()
        state.adding = False
        state.db = DEFAULT_DB_ALIAS
        return instance


def column(model, name: str) -> str:
    """The quoted column of field ``name``."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


_FETCH_ONE = methodcaller("fetchone")
_FETCH_ALL = methodcaller("fetchall")


def fetch_one(sql: str, params: list):
    """The first row of ``sql``, or None, on this thread's connection."""
    return _run(sql, params, _FETCH_ONE)


def fetch_all(sql: str, params: list) -> list[tuple]:
    """Every row of ``sql`` on this thread's connection."""
    return _run(sql, params, _FETCH_ALL)


def _run(sql: str, params: list, fetch):
    db = connections[DEFAULT_DB_ALIAS]  # once: each ``connection.x`` looks it up again
    cursor = _kept_cursor(db)
    if cursor is None:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return fetch(cursor)
    cursor.execute(sql, params)
    return fetch(cursor)


def _kept_cursor(db):
    """A cursor kept on the connection for these reads, or None for a fresh one.

    Making a cursor costs Django and the driver about as much CPU as running
    one of these reads, and each API call makes two. A kept cursor is still
    Django's: its statements pass the connection's execute wrappers and error
    handling. It is dropped with the database connection it belongs to, and
    not used while statements are being logged (DEBUG, or a test counting
    them), when Django's own logging cursor must run them. Only PostgreSQL's
    are kept: psycopg's cursors are the costly ones, and SQLite's cannot tell
    whether they were closed.
    """
    if db.vendor != "postgresql" or db.queries_logged or db.connection is None:
        return None
    kept = getattr(db, "_rawrows_cursor", None)
    if kept is None or kept.cursor.connection is not db.connection or kept.cursor.closed:
        kept = db._rawrows_cursor = db.cursor()
    return kept
