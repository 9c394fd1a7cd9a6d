"""Audit entries of a busy server written in groups: one INSERT and one commit for all the
entries that arrived while the previous group was being written (group commit).

Durability is unchanged: ``write`` returns only once the entry's group is committed
(synchronous commit, so flushed to the write-ahead log), and a request answers after ``write``
returned; so every answered request is in the audit log. What changes is the cost: under load
many requests share one round trip and one WAL flush, on one connection kept for the writer
(no pool checkout and ping per request). An entry whose group fails is retried alone, so one
bad entry cannot take the others down; its caller gets the error (a 503 when the database is
away).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import DBAPIError

from geo_service.db import models

# Entries per INSERT at most (a group that large means the database fell far behind).
MAX_GROUP = 500

Row = dict[str, Any]


class AuditWriter:
    """A thread writing queued audit rows in groups; ``write`` waits for its row's commit."""

    def __init__(self, engine: Engine) -> None:
        """A writer over ``engine``; its thread starts with the first entry."""
        self.engine = engine
        self._queue: queue.SimpleQueue[tuple[Row, Future[None]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._conn: Connection | None = None

    def submit(self, row: Row) -> Future[None]:
        """Queue ``row`` (columns of ``audit_log``); the future is done once it is committed."""
        done: Future[None] = Future()
        self._ensure_thread()
        self._queue.put((row, done))
        return done

    def write(self, row: Row) -> None:
        """Append ``row`` and wait until it is committed (errors raised here)."""
        self.submit(row).result()

    def close(self) -> None:
        """Write what is queued, stop the thread and close its connection."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _ensure_thread(self) -> None:
        """Start the writer thread once."""
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                    thread.start()
                    self._thread = thread

    def _run(self) -> None:
        """Take every queued entry, write them as one group, repeat until closed."""
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                group.append(item)
            self._write_group(group)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _write_group(self, group: list[tuple[Row, Future[None]]]) -> None:
        """One INSERT for the group; on failure each entry alone, its error to its caller."""
        try:
            self._insert([row for row, _ in group])
        except Exception:  # retried entry by entry below, errors to callers
            self._reset()
            for row, done in group:
                try:
                    self._insert([row])
                except Exception as exc:  # the caller raises it
                    self._reset()
                    done.set_exception(exc)
                else:
                    done.set_result(None)
            return
        for _, done in group:
            done.set_result(None)

    def _insert(self, rows: list[Row]) -> None:
        """Insert ``rows`` in one autocommit statement on the writer's connection."""
        if self._conn is None:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._conn.execute(insert(models.audit_log), rows)

    def _reset(self) -> None:
        """Drop the writer's connection after an error (the next insert opens a fresh one)."""
        if self._conn is not None:
            with suppress(DBAPIError):
                self._conn.close()
            self._conn = None
