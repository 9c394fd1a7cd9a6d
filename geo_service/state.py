"""What a server keeps in memory between requests, kept current by the database's state version.

Every change to keys, reservations, district status or scored data moves ``state_version`` at
commit (revision 0006's triggers), in whichever process made it. A request reads that counter
(one cheap query); anything cached at another version is read again. So a revoked key is
refused and a new hold is honoured on the next request in every worker, while an unchanged
state costs no further query: key checks are reused for ``key_cache_ttl_s`` seconds (and never
past the key's expiry), district status, held flats and OGC extents per version, rankers per
profile version until the scored data change (bounded: ``ranker_cache_size``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

from sqlalchemy import Connection, Engine, func, select

from geo_service.auth.keys import KeyInfo, hash_key, lookup_key
from geo_service.db import models
from geo_service.db.engine import single_statements
from geo_service.scoring.pipeline import (
    active_holds,
    check_version,
    held_now,
    load_ranker,
    read_status,
)
from geo_service.scoring.profile import ScoringProfile
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


def read_version(conn: Connection) -> int:
    """The current state version (0 before revision 0006's first change)."""
    return int(conn.execute(select(models.state_version.c.version)).scalar() or 0)


class StateCache:
    """The caches of one server process (``app.state.cache``), valid per state version."""

    def __init__(self, engine: Engine, key_ttl_s: float, max_rankers: int) -> None:
        """Empty caches over ``engine``."""
        self.engine = engine
        self.key_ttl_s = key_ttl_s
        self.max_rankers = max_rankers
        self._keys: OrderedDict[str, _CachedKey] = OrderedDict()
        self._snapshot: Snapshot | None = None
        self._rankers: OrderedDict[str, tuple[tuple[object, ...], Ranker]] = OrderedDict()
        self._memo: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def version(self) -> int:
        """The database's state version now (one query, no transaction around it)."""
        with single_statements(self.engine) as conn:
            return read_version(conn)

    def key(self, key: str, version: int) -> KeyInfo | None:
        """The usable key's info or None; checked in the database unless a check at this
        version is younger than the TTL and the key has not expired since."""
        digest = hash_key(key)
        now = time.monotonic()
        hit = self._keys.get(digest)
        if (
            hit is not None
            and hit.version == version
            and now - hit.at < self.key_ttl_s
            and (hit.expires_at is None or hit.expires_at > datetime.now(UTC))
        ):
            return hit.info
        with self.engine.connect() as conn:
            found = lookup_key(conn, key)
        entry = _CachedKey(found[0] if found else None, version, now, found[1] if found else None)
        with self._lock:
            self._keys[digest] = entry
            self._keys.move_to_end(digest)
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)
        return entry.info

    def snapshot(self, version: int) -> Snapshot:
        """District status, held flats and the scored-data stamp, read once per version."""
        snap = self._snapshot
        if snap is not None and snap.version >= version:
            return snap
        scored = select(models.area_scores.c.computed_at).limit(1).scalar_subquery()
        imported = select(func.max(models.imports.c.imported_at)).scalar_subquery()
        with self.engine.connect() as conn:
            stamp = tuple(conn.execute(select(imported, scored)).one())
            snap = Snapshot(version, stamp, read_status(conn), active_holds(conn))
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

    def ranker(self, profile: ScoringProfile, snap: Snapshot) -> Ranker:
        """The ranker for ``profile`` with ``snap``'s district status; features reloaded only
        when the scored data changed; 409 when they were scored with another profile."""
        with self._lock:  # one loader at a time; the others wait for its result
            hit = self._rankers.get(profile.version)
            if hit is None or hit[0] != snap.stamp:
                hit = (snap.stamp, load_ranker(self.engine, profile))
                self._rankers[profile.version] = hit
            self._rankers.move_to_end(profile.version)
            while len(self._rankers) > self.max_rankers:
                self._rankers.popitem(last=False)
        check_version(hit[1], profile)
        return hit[1].with_status(snap.status)


@dataclass(frozen=True)
class Current:
    """A request's view of the caches: the state version it read."""

    cache: StateCache
    version: int

    def ranker_and_held(self, profile: ScoringProfile) -> tuple[Ranker, set[str]]:
        """The ranker with current district status, and the flats held now."""
        snap = self.cache.snapshot(self.version)
        return self.cache.ranker(profile, snap), snap.held()
