"""Rankers kept on disk between command-line runs, so a second ``geo-service rank`` does not
read the features again (seconds) but a file (milliseconds).

A file is valid for one database, one profile version, one state of the scored data (the
stamp the server's ``RankerCache`` keys its features by: the latest import and scoring run,
``ranker_cache.read_stamp``; it moves with the database's state version whenever flats,
features or imports change, not with every hold) and one version of the ranker's code. It lives
in the state directory (``.geo_service/cache``, mode 700; files 600, written whole and renamed
into place); only the newest per database and profile is kept, and only the newest
``ranker_disk_files`` in all (a test run makes many databases). Pickle is read only from
that private directory, which only this user can write.

The commands that move the stamp (``score``, ``import``, ``load-sample``, the demo server's
start) write the file for the new state before they end (``keep_current``), so the first
``geo-service rank`` after them reads a file too, not the features.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from geo_service.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from geo_service.scoring.profile import ScoringProfile
    from geo_service.scoring.ranking import Ranker

# modules whose classes a pickled ranker holds: a change to any of them invalidates the files
CODE = (
    "geo_service.scoring.ranking",
    "geo_service.scoring.evaluation",
    "geo_service.scoring.nearest",
    "geo_service.scoring.places",
    "geo_service.scoring.fit",
    "geo_service.scoring.profile",
)


def _digest(*parts: object) -> str:
    """A short hex digest of ``parts``."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _code_version() -> str:
    """A digest of the source of the modules a ranker is made of (imported by now)."""
    sources = [Path(sys.modules[m].__file__ or "").read_bytes() for m in CODE if m in sys.modules]
    return hashlib.sha256(b"".join(sources)).hexdigest()[:16]


def directory() -> Path:
    """The cache directory in the state directory (created private)."""
    path = get_settings().home / "cache"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(engine: Engine, profile: ScoringProfile, stamp: tuple[object, ...]) -> Path:
    """The file of the ranker for ``engine``'s database (URL without password), ``profile``'s
    version, the data ``stamp`` and the ranker's code."""
    place = _digest(engine.url.render_as_string(hide_password=True), profile.version)
    return directory() / f"ranker-{place}-{_digest(stamp, _code_version())}.pickle"


def load(engine: Engine, profile: ScoringProfile, stamp: tuple[object, ...]) -> Ranker | None:
    """The stored ranker for this state, or None (none stored, or unreadable)."""
    path = path_of(engine, profile, stamp)
    try:
        with path.open("rb") as fh:
            ranker: Ranker = pickle.load(fh)  # our own private file (see above)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    ranker.profile = profile  # the same version: the caller's object
    return ranker


def store(
    engine: Engine, profile: ScoringProfile, stamp: tuple[object, ...], ranker: Ranker
) -> None:
    """Write ``ranker`` for this state (whole, then renamed) and drop older states' files of
    the same database and profile, and the oldest files beyond ``ranker_disk_files``; a full
    disk or a read-only directory only loses the cache."""
    path = path_of(engine, profile, stamp)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(ranker, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        with suppress(OSError):
            tmp.unlink()
        return
    prefix = path.name.rsplit("-", 1)[0]
    stale = [old for old in path.parent.glob(f"{prefix}-*.pickle") if old != path]
    _unlink(stale + _beyond(path.parent, get_settings().ranker_disk_files, keep=path))


def _beyond(folder: Path, limit: int, keep: Path) -> list[Path]:
    """The ranker files in ``folder`` other than ``keep`` past the ``limit`` newest."""
    mtimes = {}
    for file in folder.glob("ranker-*.pickle"):
        with suppress(OSError):  # another command may have deleted it meanwhile
            mtimes[file] = file.stat().st_mtime
    others = sorted((f for f in mtimes if f != keep), key=mtimes.__getitem__, reverse=True)
    return others[limit - 1 :]


def _unlink(files: list[Path]) -> None:
    """Delete ``files``, those already gone or not ours to delete aside."""
    for file in files:
        with suppress(OSError):
            file.unlink()


def keep_current(engine: Engine, profile: ScoringProfile) -> None:
    """Keep the ranker of the data as they are now on disk, for the next command's ranking
    (read under the stamp of now, like any command's). The command's own work is done and
    committed by then: whatever stops the ranker (features scored with another profile, a
    lost connection) only leaves the reading, and the reporting, to ``rank``."""
    from geo_service.scoring.ranker_cache import RankerCache

    with suppress(Exception):  # a cache, never the command's failure (see above)
        RankerCache(1, disk=True).ranker(engine, profile)
