"""One version, from the package metadata: `geo-service --version`, `/health` and the
changelog name the same one, and the changelog names the migration each version needs."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from geo_service import __version__
from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.db import migrate
from tests.conftest import PROJECT_ROOT, run_cli

CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"
VERSIONS = PROJECT_ROOT / "geo_service/db/migrations/versions"
SECTION = re.compile(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", re.M)
MIGRATION = re.compile(r"revision \*\*(\w+)\*\* \(`(\w+\.py)`\)")


def sections() -> list[tuple[str, str]]:
    """(version, text) of every changelog section, newest first."""
    text = CHANGELOG.read_text(encoding="utf-8")
    heads = list(SECTION.finditer(text))
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return [(h.group(1), text[h.end() : end]) for h, end in zip(heads, ends, strict=True)]


def test_one_version_from_the_package_metadata() -> None:
    """pyproject.toml's version is the installed metadata's and the package's."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["version"] == version("geo_service") == __version__


def test_cli_prints_the_version() -> None:
    """`geo-service --version` prints it and exits 0, without touching a database."""
    done = run_cli("postgresql://nobody@127.0.0.1:1/none", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"geo-service {__version__}"
    assert done.stderr == ""


def test_health_reports_the_version(engine: Engine) -> None:
    """`/health` answers its `status` (the architecture's key) and now the version."""
    with TestClient(create_app(Settings(), engine)) as client:
        answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": __version__}


def test_changelog_names_each_versions_migration() -> None:
    """Keep a Changelog: the newest released version is the package's, every version names
    the migration it needs (a revision shipped in the package, with its file), and the newest
    named is the head revision, so a new migration without a changelog line fails here."""
    found = sections()
    assert found[0][0] == "Unreleased"
    released = [(v, body) for v, body in found if v != "Unreleased"]
    assert released and released[0][0] == __version__
    named: list[str] = []
    for ver, body in released:
        match = MIGRATION.search(body)
        assert match, f"{ver}: no `revision **NNNN** (`file.py`)` under ### Migration"
        revision, file = match.groups()
        source = (VERSIONS / file).read_text(encoding="utf-8")
        assert f'revision: str = "{revision}"' in source, (ver, revision, file)
        named.append(revision)
    unreleased = MIGRATION.search(found[0][1])
    assert (unreleased.group(1) if unreleased else named[0]) == migrate.head_revision()
