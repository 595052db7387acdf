"""Successful read events, written in batches by one thread of the server process.

Every API call records an event, and for a read that event is the call's only
write: on its own it costs a statement and a commit, more database work than
the read itself. A server process (gunicorn's workers: ``gunicorn_conf``)
starts a writer; ``record`` then hands it the events of successful reads made
outside a transaction, and the writer inserts what has gathered every
``interval`` seconds in one durable transaction, on a connection of its own.

What this trades: a worker killed outright (SIGKILL, out of memory) loses the
read events of its last interval; a graceful stop (``stop``) writes them all.
Refusals, failures and changes never wait here: they commit with the request.
A reader in the same process sees its own events by calling ``flush`` first
(the event history does); another process's appear within an interval.
When the writer cannot keep up (``limit`` events waiting) or is not running,
``submit`` refuses and the caller writes the event itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import connection

log = logging.getLogger(__name__)

INTERVAL = 0.1  # seconds an event may wait (settings.IAM_EVENT_BATCH_MS)
LIMIT = 20_000  # events waiting before callers write their own


class EventWriter:
    """A queue of event rows and the thread that writes them with ``write(rows)``."""

    def __init__(self, write: Callable[[list[dict]], None], *, interval: float = INTERVAL,
                 limit: int = LIMIT):
        self._write = write
        self._interval = interval
        self._limit = limit
        self._pending: list[dict] = []
        self._submitted = 0
        self._written = 0
        self._flush_wanted = False
        self._stopping = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="event-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, row: dict) -> bool:
        """Queue one event; False when the caller must write it (stopping, or full)."""
        with self._changed:
            if self._stopping or len(self._pending) >= self._limit:
                return False
            self._pending.append(row)
            self._submitted += 1
            return True

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event submitted so far is written; False on timeout."""
        with self._changed:
            target = self._submitted
            self._flush_wanted = True
            self._changed.notify_all()
            return self._changed.wait_for(lambda: self._written >= target, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued and end the thread; later events are written by their callers."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join(timeout)
        if self._pending:
            log.error("%d read events could not be written before the process stopped",
                      len(self._pending))

    def _run(self) -> None:
        try:
            self._write_until_stopped()
        finally:
            connection.close()  # this thread's own connection

    def _write_until_stopped(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._flush_wanted or self._stopping,
                                       self._interval)
                batch, self._pending = self._pending, []
                self._flush_wanted = False
                stopping = self._stopping
            if batch and not self._write_batch(batch):
                if stopping:
                    return  # stop() reports what was left
                time.sleep(self._interval)  # the database is away: back off
                continue
            if stopping:
                with self._changed:
                    if not self._pending:
                        return

    def _write_batch(self, batch: list[dict]) -> bool:
        try:
            self._write(batch)
        except Exception:
            log.exception("writing %d read events failed; they are kept for the next try",
                          len(batch))
            with self._changed:
                self._pending[:0] = batch
            return False
        finally:
            # This thread is no request: nothing else retires its connection
            # when it breaks or reaches CONN_MAX_AGE.
            connection.close_if_unusable_or_obsolete()
        with self._changed:
            self._written += len(batch)
            self._changed.notify_all()
        return True


_writer: EventWriter | None = None
_lock = threading.Lock()


def start(write: Callable[[list[dict]], None], *, interval: float = INTERVAL,
          limit: int = LIMIT) -> EventWriter:
    """Start this process's writer (once); ``record`` submits to it from now on."""
    global _writer
    with _lock:
        if _writer is None:
            _writer = EventWriter(write, interval=interval, limit=limit)
            _writer.start()
        return _writer


def stop() -> None:
    """Write every queued event and stop this process's writer, if one runs."""
    global _writer
    with _lock:
        writer, _writer = _writer, None
    if writer is not None:
        writer.stop()


def submit(row: dict) -> bool:
    writer = _writer
    return writer is not None and writer.submit(row)


def flush() -> bool:
    """Make this process's queued events visible to a reader (at once without a writer);
    False when they could not be written in time."""
    writer = _writer
    return writer is None or writer.flush()
