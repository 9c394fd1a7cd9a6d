"""Fixtures of the transit tests: the Cairns feed (from the gtfs-kit 13.0.1 sdist, cached in the
checkout's gitignored state) in its own database in EPSG:28355 (GDA94 / MGA zone 55)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from tests.conftest import PROJECT_ROOT, Logins, _create_db, _drop_db

SDIST = "gtfs-kit==13.0.1"
MEMBER = "gtfs_kit-13.0.1/data/cairns_gtfs.zip"
CACHE = PROJECT_ROOT / ".geo_service" / "cache" / "cairns_gtfs.zip"
CAIRNS_SRID = 28355  # GDA94 / MGA zone 55: Cairns (145.7°E, 16.9°S)


@pytest.fixture(scope="session")
def cairns_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TransLink's Cairns feed (2014, 416 stops) shipped in gtfs-kit's sdist (not its wheel):
    fetched once from PyPI with pip and kept under ``.geo_service/cache/``."""
    if not CACHE.exists():
        work = tmp_path_factory.mktemp("gtfs_kit")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-binary",
                ":all:",
                "--no-deps",
                SDIST,
                "-d",
                str(work),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        with tarfile.open(next(work.glob("gtfs_kit-*.tar.gz"))) as sdist:
            data = sdist.extractfile(MEMBER)
            assert data is not None
            CACHE.parent.mkdir(parents=True, exist_ok=True)
            CACHE.with_suffix(".part").write_bytes(data.read())
            CACHE.with_suffix(".part").rename(CACHE)
    return CACHE


@pytest.fixture(scope="module")
def cairns_db(server_url: URL, logins: Logins, crs_template_db) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A migrated database in EPSG:28355 for this module (service-role URL)."""
    created = _create_db(server_url, logins.owner[0], crs_template_db(CAIRNS_SRID))
    assert created.database is not None
    yield logins.url(server_url, created.database)
    _drop_db(server_url, created.database)
