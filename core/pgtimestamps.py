"""Timestamps from PostgreSQL parsed by ``datetime.fromisoformat``.

Django reads ``timestamptz`` with a loader built on psycopg's pure-Python one:
a regular expression and a datetime assembled in Python for every value, about
a tenth of the CPU of a signed API call that reads two rows. PostgreSQL sends
ISO 8601 text (``2026-11-28 04:00:37.10748+00``), which ``fromisoformat``
parses in C. The loader is installed only where it gives exactly what Django's
gives: Django's time zone and the session's are both UTC (as in this project's
settings), so every value is an aware datetime in ``datetime.timezone.utc``.
What ``fromisoformat`` cannot read (infinity, BC dates) goes to Django's loader.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from django.db.backends.signals import connection_created


@lru_cache(maxsize=1)
def _loader_class():
    from psycopg.adapt import Loader
    from psycopg.types.datetime import TimestamptzLoader

    class UtcTimestamptzLoader(Loader):
        # Django's create_cursor compares this with the connection's time zone
        # and leaves the loader in place when they agree.
        timezone = timezone.utc

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._context = context
            self._fallback = None

        def load(self, data) -> datetime:
            try:
                value = datetime.fromisoformat(bytes(data).decode("ascii"))
            except (ValueError, UnicodeDecodeError):
                if self._fallback is None:
                    self._fallback = TimestamptzLoader(self.oid, self._context)
                # As Django's own loader does.
                return self._fallback.load(data).replace(tzinfo=timezone.utc)
            if value.tzinfo is not timezone.utc:
                value = value.astimezone(timezone.utc)
            return value

    return UtcTimestamptzLoader


def use_fast_loader(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or connection.timezone is not timezone.utc:
        return
    raw = connection.connection
    if raw.info.parameter_status("TimeZone") != "UTC":
        return
    raw.adapters.register_loader("timestamptz", _loader_class())


def install() -> None:
    connection_created.connect(use_fast_loader, dispatch_uid="core.pgtimestamps")
