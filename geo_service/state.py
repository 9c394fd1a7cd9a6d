"""What a server keeps in memory between requests, kept current by the database's state version.

Every change to keys, reservations, the waiting list, district status or scored data moves
``state_version`` at commit (revisions 0006 and 0009's triggers), in whichever process made it.
A request reads that counter
(one cheap query); anything cached at another version is read again. So a revoked key is
refused and a new hold is honoured on the next request in every worker, while an unchanged
state costs no further query: key checks are reused for ``key_cache_ttl_s`` seconds (and never
past the key's expiry), district status, held flats and OGC extents per version, rankers per
profile version until the scored data change (bounded: ``ranker_cache_size``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

import psycopg
from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from geo_service.audit_writer import AuditWriter
from geo_service.auth.keys import KeyInfo, hash_key, lookup_key
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.db.loop_connection import connect, conninfo
from geo_service.scoring.pipeline import active_holds, held_now, read_status
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, read_stamp, read_version
from geo_service.scoring.ranking import DistrictStatus, Ranker

MAX_KEYS = 1024
MAX_MEMO = 256
T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """District status and held flats as of one state version, with the scored-data stamp."""

    version: int
    stamp: tuple[object, ...]
    status: DistrictStatus
    holds: dict[str, datetime | None]

    def held(self) -> set[str]:
        """The flats held now (holds that expired since the snapshot are left out)."""
        return held_now(self.holds)


@dataclass(frozen=True)
class _CachedKey:
    """A key check: its result, the version and monotonic time it was made at, its expiry."""

    info: KeyInfo | None
    version: int
    at: float
    expires_at: datetime | None


class VersionReader:
    """The state version read on one connection kept for it; callers asking at the same time
    share one read, but only a read that began after they asked: so each caller sees every
    change committed before it asked, at a fraction of a query each under load."""

    def __init__(self, engine: Engine) -> None:
        """A reader over ``engine``; its connection opens with the first read."""
        self.engine = engine
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._begun = 0  # reads begun so far (only ever changed under the lock)
        self._last: tuple[int, int] = (0, 0)  # (number of the last read done, its version)

    def read(self) -> int:
        """The state version as of a moment after this call began."""
        asked = self._begun
        with self._lock:
            done, version = self._last
            if done > asked:  # that read began after we asked
                return version
            self._begun += 1
            version = self._query()
            self._last = (self._begun, version)
            return version

    def _query(self) -> int:
        """One read on the kept connection; once more on a fresh one if it broke."""
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                return read_version(self._conn)
            except DBAPIError:
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the kept connection (a later read opens a new one)."""
        if self._conn is not None:
            with suppress(DBAPIError):
                self._conn.close()
            self._conn = None


# read_version's query as SQL text, for the event loop's own connection
VERSION_SQL = str(select(models.state_version.c.version).compile(dialect=postgresql.dialect()))


class LoopVersionReader:
    """``VersionReader`` on the event loop (no thread trip per request): one asynchronous
    connection of its own, concurrent callers sharing a read that began after they asked.
    A loop of its own per event loop (a test client may start several one after another)."""

    def __init__(self, engine: Engine) -> None:
        """A reader of ``engine``'s database; its connection opens with the first read."""
        self.conninfo = conninfo(engine)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._conn: psycopg.AsyncConnection[tuple[int]] | None = None
        self._begun = 0
        self._last: tuple[int, int] = (0, 0)

    async def read(self) -> int:
        """The state version as of a moment after this call began (``VersionReader.read``)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self.close()
            self._loop, self._lock, self._begun, self._last = loop, asyncio.Lock(), 0, (0, 0)
        asked = self._begun
        async with self._lock:
            done, version = self._last
            if done > asked:
                return version
            self._begun += 1
            version = await self._query()
            self._last = (self._begun, version)
            return version

    async def _query(self) -> int:
        """One read on the kept connection; once more on a fresh one if it broke."""
        for attempt in (1, 2):
            try:
                if self._conn is None:
                    self._conn = await connect(self.conninfo)
                row = await (await self._conn.execute(VERSION_SQL)).fetchone()
                return int(row[0] or 0) if row else 0
            except psycopg.Error:
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the kept connection at once (from any loop or none)."""
        if self._conn is not None:
            self._conn.pgconn.finish()
            self._conn = None


class StateCache:
    """The caches of one server process (``app.state.cache``), valid per state version."""

    def __init__(self, engine: Engine, key_ttl_s: float, rankers: RankerCache) -> None:
        """Empty caches over ``engine``, with the app's ``rankers``."""
        self.engine = engine
        self.key_ttl_s = key_ttl_s
        self.rankers = rankers
        self._keys: OrderedDict[str, _CachedKey] = OrderedDict()
        self._snapshot: Snapshot | None = None
        self._memo: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._versions = VersionReader(engine)
        self._loop_versions = LoopVersionReader(engine)

    def version(self) -> int:
        """The database's state version now (one query shared by concurrent callers)."""
        return self._versions.read()

    async def version_async(self) -> int:
        """``version`` on the event loop; a database error is raised by ``version`` in a
        worker thread (typed as every other database error: 503 problem+json)."""
        try:
            return await self._loop_versions.read()
        except psycopg.Error:
            return await asyncio.to_thread(self.version)

    def close(self) -> None:
        """Close the connections kept for version reads."""
        self._versions.close()
        self._loop_versions.close()

    def key(self, key: str, version: int) -> KeyInfo | None:
        """The usable key's info or None; checked in the database unless a check at this
        version is younger than the TTL and the key has not expired since."""
        hit = self.kept_key(key, version)
        if hit is not None:
            return hit.info
        digest, now = hash_key(key), time.monotonic()
        with self.engine.connect() as conn:
            found = lookup_key(conn, key)
        entry = _CachedKey(found[0] if found else None, version, now, found[1] if found else None)
        with self._lock:
            self._keys[digest] = entry
            self._keys.move_to_end(digest)
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)
        return entry.info

    def kept_key(self, key: str, version: int) -> _CachedKey | None:
        """The kept check of ``key`` when still usable at ``version`` (younger than the TTL,
        made at this version, the key not expired since), else None: no query."""
        hit = self._keys.get(hash_key(key))
        if (
            hit is not None
            and hit.version == version
            and time.monotonic() - hit.at < self.key_ttl_s
            and (hit.expires_at is None or hit.expires_at > datetime.now(UTC))
        ):
            return hit
        return None

    def person(self, login: str, password: str, version: int, client: str) -> KeyInfo | None:
        """The identity of an active account whose password this is (HTTP Basic), or None;
        a check at this version younger than the TTL is reused (a change of any account
        moves the version), a new one goes through the login throttle."""
        from geo_service.auth import throttle, users

        digest = hash_key(f"user:{login}:{password}")
        now = time.monotonic()
        hit = self._keys.get(digest)
        if hit is not None and hit.version == version and now - hit.at < self.key_ttl_s:
            return hit.info
        if not users.exists(self.engine, login.lower()):
            return None  # an API key sent with any user name: checked as a key
        settings = get_settings()
        attempt = throttle.begin_attempt(self.engine, settings, login.lower(), client)
        if attempt.id is None:
            return None
        verified = users.verify(self.engine, login.lower(), password)
        if verified is None:
            return None
        throttle.succeeded(self.engine, login.lower())
        with self._lock:
            self._keys[digest] = _CachedKey(verified.key, version, now, None)
            self._keys.move_to_end(digest)
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)
        return verified.key

    def snapshot(self, version: int) -> Snapshot:
        """District status, held flats and the scored-data stamp, read once per version."""
        snap = self._snapshot
        if snap is not None and snap.version >= version:
            return snap
        with self.engine.connect() as conn:
            snap = Snapshot(version, read_stamp(conn), read_status(conn), active_holds(conn))
        self._snapshot = snap
        return snap

    def memo(self, key: Hashable, version: int, compute: Callable[[], T]) -> T:
        """``compute()``'s value for ``key``, computed again only at another state version
        (e.g. OGC collection extents, an ST_Extent over a whole table each)."""
        hit = self._memo.get(key)
        if hit is not None and hit[0] == version:
            return cast(T, hit[1])
        value = compute()
        with self._lock:
            self._memo[key] = (version, value)
            self._memo.move_to_end(key)
            while len(self._memo) > MAX_MEMO:
                self._memo.popitem(last=False)
        return value

    def fresh(self, profile: ScoringProfile, version: int) -> bool:
        """Whether the snapshot and ``profile``'s ranker are current for ``version`` (then
        ``ranker`` and ``snapshot`` answer from memory, without a query)."""
        snap = self._snapshot
        return (
            snap is not None
            and snap.version >= version
            and self.rankers.fresh(self.engine, profile, snap.stamp)
        )

    def ranker(self, profile: ScoringProfile, snap: Snapshot) -> Ranker:
        """The ranker for ``profile`` with ``snap``'s district status; features reloaded only
        when the scored data changed; 409 when they were scored with another profile."""
        return self.rankers.at(self.engine, profile, snap.stamp, snap.status, snap.version)


@dataclass(frozen=True)
class Current:
    """A request's view of the caches: the state version it read."""

    cache: StateCache
    version: int
    audit: AuditWriter | None = None

    def ranker_and_held(self, profile: ScoringProfile) -> tuple[Ranker, set[str]]:
        """The ranker with current district status, and the flats held now."""
        snap = self.cache.snapshot(self.version)
        return self.cache.ranker(profile, snap), snap.held()

    async def ranker_and_held_async(self, profile: ScoringProfile) -> tuple[Ranker, set[str]]:
        """``ranker_and_held`` from memory when current, else in a worker thread (a reload
        must not block the event loop)."""
        if self.cache.fresh(profile, self.version):
            return self.ranker_and_held(profile)
        return await asyncio.to_thread(self.ranker_and_held, profile)
