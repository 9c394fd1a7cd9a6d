"""Audit entries of a busy server written in groups: one INSERT and one commit for all the
entries that arrived while the previous group was being written (group commit).

Durability is unchanged: ``write`` returns only once the entry's group is committed
(synchronous commit, so flushed to the write-ahead log), and a request answers after ``write``
returned; so every answered request is in the audit log. What changes is the cost: under load
many requests share one round trip and one WAL flush, on one connection kept for the writer
(no pool checkout and ping per request). An entry whose group fails is retried alone, so one
bad entry cannot take the others down; its caller gets the error (a 503 when the database is
away).

On a server's event loop, ``write_async`` does the same without the thread: the entries of
the requests that finished while a group was being written form the next group, sent as one
COPY over an asynchronous connection of the writer's own. That spares each request two thread
hand-offs and the writer thread's turns at the interpreter lock, which the rankings need. A
group the database refuses goes through the thread's ``write`` again, entry by entry, so its
errors are the same as ever.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from concurrent.futures import Future
from contextlib import suppress
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import DBAPIError

from geo_service.db import models
from geo_service.db.loop_connection import connect, conninfo

# Entries per INSERT at most (a group that large means the database fell far behind).
MAX_GROUP = 500

Row = dict[str, Any]
# The columns an entry gives (the others take their defaults), in the order COPY reads them.
COLUMNS = ("action", "role", "api_key_id", "profile_version", "data_timestamp", "request", "detail")
JSON_COLUMNS = frozenset({"request", "detail"})
COPY_SQL = f"COPY audit_log ({', '.join(COLUMNS)}) FROM STDIN"


class AuditWriter:
    """A thread writing queued audit rows in groups; ``write`` waits for its row's commit."""

    def __init__(self, engine: Engine) -> None:
        """A writer over ``engine``; its thread starts with the first entry."""
        self.engine = engine
        self._queue: queue.SimpleQueue[tuple[Row, Future[None]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._conn: Connection | None = None
        # the event loop's side: entries waiting for the next group, the task writing them
        self._dsn = conninfo(engine)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[Row, asyncio.Future[bool]]] = []
        self._flushing: asyncio.Task[None] | None = None
        self._async_conn: psycopg.AsyncConnection[Any] | None = None

    def submit(self, row: Row) -> Future[None]:
        """Queue ``row`` (columns of ``audit_log``); the future is done once it is committed."""
        done: Future[None] = Future()
        self._ensure_thread()
        self._queue.put((row, done))
        return done

    def write(self, row: Row) -> None:
        """Append ``row`` and wait until it is committed (errors raised here)."""
        self.submit(row).result()

    async def write_async(self, row: Row) -> None:
        """``write`` on the running event loop: returns once ``row`` is committed, in a group
        with the entries that arrived while the previous group was written."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a test client may start one loop after another
            self._close_async()
            self._loop, self._pending, self._flushing = loop, [], None
        done: asyncio.Future[bool] = loop.create_future()
        self._pending.append((row, done))
        if self._flushing is None:
            self._flushing = loop.create_task(self._flush())
        if not await done:  # refused as a group: alone, in the thread, with typed errors
            await asyncio.wrap_future(self.submit(row))

    async def _flush(self) -> None:
        """Write the waiting entries in groups until none wait; each entry's future says
        whether it was committed (False: it must be written again alone)."""
        try:
            while self._pending:
                group = self._pending[:MAX_GROUP]
                del self._pending[:MAX_GROUP]
                try:
                    await self._copy([row for row, _ in group])
                    committed = True
                except Exception:  # each entry again alone in the thread, which raises typed
                    self._close_async()
                    committed = False
                for _, done in group:
                    if not done.done():  # its request may have been cancelled meanwhile
                        done.set_result(committed)
        finally:
            self._flushing = None

    async def _copy(self, rows: list[Row]) -> None:
        """``rows`` in one COPY on the loop's connection (autocommit: one transaction)."""
        if self._async_conn is None:
            self._async_conn = await connect(self._dsn)
        async with self._async_conn.cursor() as cur, cur.copy(COPY_SQL) as copy:
            for row in rows:
                await copy.write_row(
                    [Jsonb(row[c]) if c in JSON_COLUMNS else row[c] for c in COLUMNS]
                )

    def _close_async(self) -> None:
        """Close the loop's connection at once (from any loop or none)."""
        if self._async_conn is not None:
            self._async_conn.pgconn.finish()
            self._async_conn = None

    def close(self) -> None:
        """Write what is queued, stop the thread and close its connections."""
        self._close_async()
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
