"""The documentation stays true (the pages under docs/, which hold what the README held): its
shell examples run against a real server and the scored sample, its CLI table names exactly
the commands `geo-service --help` lists, its vocabulary table matches `geo-service vocab`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo_service.config import get_settings
from geo_service.scoring.profile import load_profile
from geo_service.vocabulary import vocabulary

ROOT = Path(__file__).resolve().parents[2]
# every page of the documentation (its sections as the README had them)
PAGES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))]
DOCS = "\n".join(PAGES)
DOC_BASE = "http://127.0.0.1:8000"
SET_UP = ("make ",)  # the two set-up commands are what `make test` itself runs
# Sections whose sh blocks set up another database, so not against the sample: the city guide
# (run verbatim, as one script, by tests/city), the external server's roles (placeholders) and
# operations (another server, backups; run by tests/operations).
OTHER_DATABASES = ("Bring your own city", "Database roles", "Operations")


def commands() -> list[str]:
    """Every command of the documentation's sh blocks (but those of OTHER_DATABASES), continuation
    lines joined, comments dropped."""
    parts = [part for page in PAGES for part in page.split("\n## ")]  # "# page", "## section"
    sections = [part for part in parts if not part.lstrip("# ").startswith(OTHER_DATABASES)]
    out = []
    for block in re.findall(r"```sh\n(.*?)```", "\n".join(sections), flags=re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and not line.startswith(SET_UP):
                out.append(line)
    return out


def test_examples_run(
    server: str, keys: dict[str, str], sample_database_url: str, tmp_path: Path
) -> None:
    """Each example exits 0; curl answers parse and are no server error; the examples that
    show an error answer 4xx problem+json with a helpful detail."""
    (tmp_path / "data").symlink_to(ROOT / "data")
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "KEY": keys["housing_office"],
        "DATABASE_URL": sample_database_url,
        "PATH": f"{venv_bin}:{os.environ['PATH']}",
        "COLUMNS": "80",
    }
    ran = 0
    for command in commands():
        proc = subprocess.run(
            ["bash", "-c", command.replace(DOC_BASE, server)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode == 0, f"{command}\n{proc.stderr}"
        ran += 1
        if not command.startswith("curl"):
            continue
        body = proc.stdout.split("\n\n", 1)[-1] if " -i " in command else proc.stdout
        if "format=csv" in command:
            header, *rows = body.splitlines()
            assert header.startswith("district_code,category,language") and rows, body[:200]
            continue
        assert body.strip(), f"{command}: empty answer"
        answer = json.loads(body)
        if '"districts": ["Lebenstedt"]' in command:
            assert answer["status"] == 400 and "meinten Sie LEB?" in answer["detail"]
            continue
        assert not (isinstance(answer, dict) and "status" in answer and "title" in answer), body
        if " -i " in command:
            assert "location: /api/v1/reservations/" in proc.stdout.lower()
    assert ran >= 15


def test_cli_table_names_every_command() -> None:
    """The CLI table and `geo-service --help` list the same top-level commands."""
    helped = subprocess.run(
        [sys.executable, "-m", "geo_service", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "120"},
    ).stdout
    listed = set(re.findall(r"^│ ([a-z][a-z-]+) ", helped, flags=re.M))
    section = DOCS.split("## CLI at a glance", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `geo-service ([a-z][a-z-]+)", section, flags=re.M))
    assert listed and documented == listed


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("offer categories", "offer_categories"),
        ("referral sheet languages", "sheet_languages"),
        ("roles", "roles"),
        ("import kinds", "import_kinds"),
        ("reservation statuses", "reservation_statuses"),
        ("release reasons", "release_reasons"),
        ("allocation methods", "allocation_methods"),
        ("unplaced reasons", "unplaced_codes"),
        ("waiting-list statuses", "waiting_statuses"),
        ("decline reasons", "decline_reasons"),
        ("withdraw reasons", "withdraw_reasons"),
    ],
)
def test_vocabulary_table_is_true(row: str, field: str) -> None:
    """Each code row of the documentation's vocabulary table lists exactly the service's codes."""
    v = vocabulary(load_profile(get_settings().profile_path)).model_dump()
    line = next(x for x in DOCS.splitlines() if x.startswith(f"| {row} |"))
    codes = re.findall(r"`([a-z_]+)`", line)
    expected = v[field]
    if field == "offer_categories":  # the docs list the profile's and the sample's
        assert set(expected) <= set(codes)
    else:
        assert codes == expected


def test_vocabulary_table_lists_categories_needs_and_exclusions() -> None:
    """Scoring categories, needs and ranking exclusions as in the profile and the service."""
    v = vocabulary(load_profile(get_settings().profile_path))
    table = DOCS.split("## Vocabularies", 1)[1].split("\n## ", 1)[0]
    rows = [x for x in table.splitlines() if x.startswith("| scoring categories")]
    cats = re.findall(r"`([a-z_]+)`", "".join(rows))
    assert cats == [c.name for c in v.categories]
    needs_line = next(x for x in table.splitlines() if x.startswith("| household needs |"))
    assert re.findall(r"`([a-z_]+)`", needs_line) == [n.name for n in v.needs]
    excl = next(x for x in table.splitlines() if x.startswith("| ranking exclusions |"))
    assert re.findall(r"`([a-z_]+)`", excl) == [t.name for t in v.exclusion_reasons]
