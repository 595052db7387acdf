"""PostgreSQL timestamps read by fromisoformat are exactly what Django's loader reads."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

VALUES = [
    "now()",
    "'2026-01-01 10:00:00.5+05'::timestamptz",
    "'1999-12-31 23:59:59.999999+00'::timestamptz",
    "'0001-01-01 00:00:00+00'::timestamptz",
    "'9999-12-31 23:59:59+00'::timestamptz",
    "'2026-03-29 01:30:00+01:30'::timestamptz",
    "NULL::timestamptz",
]


def _read(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def _djangos_loader():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    class Context:  # register_tzloader wants something with adapters
        def __init__(self, adapters):
            self.adapters = adapters

    from psycopg.adapt import AdaptersMap

    adapters = AdaptersMap(connection.connection.adapters)
    register_tzloader(timezone.utc, Context(adapters))
    return adapters


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's loader")
    connection.ensure_connection()


def test_the_fast_loader_is_in_place(postgres):
    loader = connection.connection.adapters.get_loader(1184, 0)
    assert loader.__name__ == "UtcTimestamptzLoader"


def test_values_match_djangos_loader(postgres):
    ours = _read("SELECT " + ", ".join(VALUES))
    with connection.connection.cursor() as raw:
        raw.adapters.register_loader("timestamptz",
                                     _djangos_loader().get_loader(1184, 0))
        same_moment = f"'{ours[0].isoformat()}'::timestamptz"
        raw.execute("SELECT " + ", ".join(VALUES).replace("now()", same_moment))
        djangos = raw.fetchone()

    assert ours == djangos
    for value in ours[:-1]:
        assert isinstance(value, datetime) and value.tzinfo is timezone.utc
    assert ours[1] == datetime(2026, 1, 1, 5, 0, 0, 500000, tzinfo=timezone.utc)


def test_what_fromisoformat_cannot_read_fails_as_djangos_does(postgres):
    from django.db import DataError

    with pytest.raises(DataError, match="after year 10K"):
        _read("SELECT 'infinity'::timestamptz")
    with pytest.raises(DataError):
        _read("SELECT '0044-03-15 00:00:00+00 BC'::timestamptz")
