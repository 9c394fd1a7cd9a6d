"""The rankers of one process: one owner, bounded, kept current by the database's state version.

A server creates one ``RankerCache`` at start (``app.state.rankers``) and hands it to whatever
ranks; a CLI command or a notebook creates one for its process. Rankers are kept per
(database, profile version), least recently used dropped beyond ``size``. The features (the
expensive part, seconds to read) are read again only when the scored data changed; the district
status whenever the state version moved (any commit to reservations, district status, imports
or scores, in any process, moves it).
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Hashable
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from geo_service.db import models
from geo_service.scoring.pipeline import check_version, load_ranker, read_status
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import DistrictStatus, Ranker

Stamp = tuple[object, ...]


def settle() -> None:
    """Collect the loader's garbage, then exempt what is alive (a ranker's object arrays hold
    hundreds of thousands of references) from the cyclic collector's full passes: each would
    walk them all and stall the requests of the moment for 50-100 ms. Rankers dropped later
    are still freed (reference counting); only cyclic garbage from before stays."""
    gc.collect()
    gc.freeze()


def read_stamp(conn: Connection) -> Stamp:
    """When the scored data last changed: the latest import and the last scoring run (score
    writes every area cell in one transaction, so one cell's timestamp marks the run)."""
    scored = select(models.area_scores.c.computed_at).limit(1).scalar_subquery()
    imported = select(func.max(models.imports.c.imported_at)).scalar_subquery()
    return tuple(conn.execute(select(imported, scored)).one())


def read_version(conn: Connection) -> int:
    """The current state version (0 before revision 0006's first change)."""
    return int(conn.execute(select(models.state_version.c.version)).scalar() or 0)


@dataclass
class _Entry:
    """A loaded ranker, the data stamp it was loaded at, and its last copy with a status."""

    stamp: Stamp
    ranker: Ranker
    current: tuple[Hashable, Ranker] | None = None  # (status key, ranker with that status)


class RankerCache:
    """Rankers per (database, profile version), at most ``size`` of them."""

    def __init__(self, size: int = 4, settle_heap: bool = False, disk: bool = False) -> None:
        """An empty cache keeping at most ``size`` rankers; ``settle_heap`` (a server's):
        ``settle()`` after each load; ``disk`` (a command's): rankers are also kept on disk
        between runs (``ranker_disk``)."""
        self.size = size
        self.settle_heap = settle_heap
        self.disk = disk
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def ranker(self, engine: Engine, profile: ScoringProfile) -> Ranker:
        """The ranker with the district status as of now (reads the state version, and the
        status and data stamp only when it moved); 409 when the features were scored with
        another profile version."""
        with engine.connect() as conn:
            version = read_version(conn)
            entry = self._entries.get(self._key(engine, profile))
            current = entry.current if entry is not None else None
            if entry is not None and current is not None and current[0] == version:
                check_version(entry.ranker, profile)
                return current[1]
            stamp, status = read_stamp(conn), read_status(conn)
        return self.at(engine, profile, stamp, status, version)

    def at(
        self,
        engine: Engine,
        profile: ScoringProfile,
        stamp: Stamp,
        status: DistrictStatus,
        status_key: Hashable,
    ) -> Ranker:
        """The ranker for data at ``stamp`` with ``status`` (read under ``status_key``, e.g. a
        state version): features loaded when the stamp changed, one loader at a time."""
        key = self._key(engine, profile)
        entry = self._entries.get(key)
        if entry is not None and entry.stamp == stamp:  # loaded: no wait on a loader
            with suppress(KeyError):  # dropped meanwhile by another profile's load
                self._entries.move_to_end(key)
        else:
            with self._lock:  # one loader at a time; the others wait for its result
                entry = self._entries.get(key)
                if entry is None or entry.stamp != stamp:
                    entry = _Entry(stamp, self._load(engine, profile, stamp))
                    self._entries[key] = entry
                    if self.settle_heap:
                        settle()
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        check_version(entry.ranker, profile)
        current = entry.current
        if current is None or current[0] != status_key:
            current = (status_key, entry.ranker.with_status(status))
            entry.current = current
        return current[1]

    def _load(self, engine: Engine, profile: ScoringProfile, stamp: Stamp) -> Ranker:
        """Read the ranker: from disk when kept there for this stamp, else from the database
        (and then kept on disk)."""
        if not self.disk:
            return load_ranker(engine, profile)
        from geo_service.scoring import ranker_disk

        found = ranker_disk.load(engine, profile, stamp)
        if found is None:
            found = load_ranker(engine, profile)
            ranker_disk.store(engine, profile, stamp, found)
        return found

    def fresh(self, engine: Engine, profile: ScoringProfile, stamp: Stamp) -> bool:
        """Whether ``profile``'s ranker is loaded for data at ``stamp`` (no read needed)."""
        entry = self._entries.get(self._key(engine, profile))
        return entry is not None and entry.stamp == stamp

    def clear(self) -> None:
        """Forget every ranker (e.g. after the database was replaced)."""
        with self._lock:
            self._entries.clear()

    @staticmethod
    def _key(engine: Engine, profile: ScoringProfile) -> tuple[str, str]:
        """The cache key: the database (URL) and the profile version."""
        return (engine.url.render_as_string(), profile.version)


def ranker_of(rankers: RankerCache | None, engine: Engine, profile: ScoringProfile) -> Ranker:
    """The ranker from ``rankers`` (a server's, a command's or a notebook's), or read now
    when none is given."""
    return (rankers or RankerCache(1)).ranker(engine, profile)
