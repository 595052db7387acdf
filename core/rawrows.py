"""Model instances from SQL written once per process, for the API's hot reads.

Compiling a queryset costs the ORM about half a millisecond of CPU, several
times the query it produces; a read that every API call makes pays it on every
request. A ``Columns`` holds one model's selected columns under a table alias,
built from the model's metadata (table and column names follow any model
change); ``instance`` turns a slice of a row into a model instance through the
same field converters the ORM applies, so the instance is indistinguishable
from one a queryset would return.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Columns:
    model: type
    alias: str
    fields: tuple  # (field, column expression, converters)

    @classmethod
    def of(cls, model, alias: str) -> Columns:
        fields = []
        for field in model._meta.concrete_fields:
            column = field.get_col(alias)
            converters = (connection.ops.get_db_converters(column)
                          + field.get_db_converters(connection))
            fields.append((field, column, tuple(converters)))
        return cls(model, alias, tuple(fields))

    @property
    def select(self) -> str:
        """The columns for a SELECT list, e.g. ``u."id", u."name"``."""
        return ", ".join(f"{self.alias}.{connection.ops.quote_name(field.column)}"
                         for field, _, _ in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def instance(self, values):
        """The model instance for this model's slice of a row."""
        converted = []
        for value, (_, column, converters) in zip(values, self.fields):
            for convert in converters:
                value = convert(value, column, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, [f.attname for f, _, _ in self.fields],
                                  converted)


def column(model, name: str) -> str:
    """The quoted column of field ``name``."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fetch_one(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
