"""Retention and data-subject rights on the sample waiting list: `privacy purge` (dry and
real, concurrent, by the server itself), `privacy export` (Art. 15), `privacy record` (Art. 30).

The sample's moved and withdrawn households, a stand-alone hold with a case reference and an
allocation run with case references are aged past the retention period by moving their dates
back in the database; everything else stays recent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.allocation.service import allocate, record_run
from geo_service.api.server import start_server
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.i18n import _, use_language
from geo_service.privacy import record as processing
from geo_service.privacy.export import case_data
from geo_service.privacy.retention import purge
from geo_service.reservations import service as reservations
from geo_service.reservations.holds import case_ref_hash
from geo_service.scoring.household import BatchHousehold, parse_household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import ranker_of
from geo_service.transition import store
from geo_service.transition.sample import SAMPLE, load_sample_waiting_list
from geo_service.transition.schemas import NewEntry

DAYS = 180
OLD = DAYS + 20  # days the aged rows are moved back
ONE = {"size": 1, "languages": ["ar"], "move_in": "2027-03-31"}


def table_digest(engine: Engine, table: str) -> str:
    """A digest of every row of ``table`` (to show a dry run changed nothing)."""
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f"FROM {table} t"
                )
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def aged(api_engine: Engine, sample_profile: ScoringProfile) -> dict[str, Any]:
    """The sample waiting list loaded; its closed entries, a released hold with a case
    reference and an allocation run with references aged past the retention period; what is
    due, as the database says it before any purge."""
    load_sample_waiting_list(api_engine, sample_profile)
    key, household = store.cli_caller(), parse_household(ONE, sample_profile)
    ranker = ranker_of(None, api_engine, sample_profile)
    flat = ranker.rank(household, limit=1, held=held_flats(api_engine)).results[0].flat_id
    hold = reservations.reserve(api_engine, flat, household, "AZ-HOLD-1", key, sample_profile)
    reservations.transition(api_engine, hold.id, "release", key, sample_profile)
    batch = [BatchHousehold.model_validate({**ONE, "ref": f"AZ-BATCH-{i}"}) for i in range(2)]
    record_run(
        api_engine,
        allocate(api_engine, sample_profile, batch, "greedy"),
        batch,
        sample_profile,
        key,
    )
    with api_engine.begin() as conn:
        conn.execute(
            text(
                f"UPDATE waiting_list SET moved_at = moved_at - interval '{OLD} days', "
                f"withdrawn_at = withdrawn_at - interval '{OLD} days' "
                "WHERE status IN ('moved', 'withdrawn')"
            )
        )
        conn.execute(
            text(
                f"UPDATE reservations SET released_at = released_at - interval '{OLD} days' "
                "WHERE id = :i"
            ),
            {"i": hold.id},
        )
        conn.execute(
            text(f"UPDATE allocations SET created_at = created_at - interval '{OLD} days'")
        )
        entries = conn.execute(
            text("SELECT count(*) FROM waiting_list WHERE status IN ('moved', 'withdrawn')")
        ).scalar_one()
        closed = set(
            conn.execute(
                text(
                    "SELECT case_ref_hash FROM waiting_list WHERE status IN ('moved', 'withdrawn')"
                )
            ).scalars()
        )
        sample = json.loads((get_settings().data_dir / SAMPLE).read_text(encoding="utf-8"))
        closed_refs = [
            e["case_ref"] for e in sample["entries"] if case_ref_hash(e["case_ref"]) in closed
        ]
        # the holds of closed entries: every reservation a reserve step of theirs made
        entry_holds = conn.execute(
            text(
                "SELECT count(DISTINCT a.detail->>'reservation_id') FROM audit_log a "
                "JOIN waiting_list w ON w.id::text = a.request->>'entry_id' "
                "WHERE a.action = 'waiting_list.reserve' AND w.status IN ('moved', 'withdrawn')"
            )
        ).scalar_one()
    return {
        "entries": entries,
        "holds": entry_holds + 1,
        "allocations": 1,
        "closed_refs": closed_refs,
    }


def test_dry_run_counts_what_is_due_and_changes_nothing(
    api_engine: Engine, aged: dict[str, Any]
) -> None:
    """The dry run's counts are the closed entries, their holds plus the aged stand-alone
    hold, and the aged allocation run; no table changes."""
    before = {
        t: table_digest(api_engine, t)
        for t in ("waiting_list", "reservations", "allocations", "audit_log")
    }
    done = purge(api_engine, DAYS, dry_run=True)
    assert aged["entries"] >= 4
    assert (done.waiting_list_entries, done.holds, done.allocations) == (
        aged["entries"],
        aged["holds"],
        aged["allocations"],
    )
    assert {t: table_digest(api_engine, t) for t in before} == before


def test_cli_dry_run_json(aged: dict[str, Any], database_url_env: dict[str, str]) -> None:
    """`geo-service privacy purge --dry-run --json` prints the same counts."""
    out = subprocess.run(
        [sys.executable, "-m", "geo_service", "privacy", "purge", "--dry-run", "--json"],
        capture_output=True,
        text=True,
        env=database_url_env,
        check=True,
    )
    doc = json.loads(out.stdout)
    print(f"\nprivacy purge --dry-run on the aged sample: {doc}")  # the figures (pytest -s)
    assert doc["dry_run"] is True and doc["retention_days"] == DAYS
    assert doc["waiting_list_entries"] == aged["entries"]


def test_concurrent_purges_anonymise_once(api_engine: Engine, aged: dict[str, Any]) -> None:
    """Four purges at once: together they anonymise each due row once, in one audited run;
    what is not due keeps its case link; the audit log's earlier rows are unchanged."""
    with api_engine.connect() as conn:
        last = conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    old_log = table_digest(api_engine, f"(SELECT * FROM audit_log WHERE id <= {last})")
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda _: purge(api_engine, DAYS), range(4)))
    assert sum(r.waiting_list_entries for r in runs) == aged["entries"]
    assert sum(r.holds for r in runs) == aged["holds"]
    assert sum(r.allocations for r in runs) == aged["allocations"]
    with api_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT status, case_ref_hash IS NULL, accommodation_unit IS NULL, "
                "anonymised_at IS NOT NULL FROM waiting_list"
            )
        ).all()
        purges = (
            conn.execute(text("SELECT detail FROM audit_log WHERE action = 'privacy.purge'"))
            .scalars()
            .all()
        )
        allocation = conn.execute(
            text("SELECT households::text, result::text FROM allocations")
        ).one()
        hold = conn.execute(
            text("SELECT count(*) FROM reservations WHERE case_ref_hash IS NOT NULL")
        ).scalar_one()
    for status, no_hash, no_unit, stamped in rows:
        closed = status in ("moved", "withdrawn")
        assert (no_hash, stamped) == (closed, closed)
        assert no_unit or not closed
    assert len(purges) == 1 and purges[0]["waiting_list_entries"] == aged["entries"]
    assert "ref_hash" not in allocation[0] + allocation[1]
    assert hold == 0
    assert table_digest(api_engine, f"(SELECT * FROM audit_log WHERE id <= {last})") == old_log
    again = purge(api_engine, DAYS)
    assert (again.waiting_list_entries, again.holds, again.allocations) == (0, 0, 0)


def test_export_after_the_purge(
    api_engine: Engine, aged: dict[str, Any], database_url_env: dict[str, str]
) -> None:
    """An anonymised case finds nothing any more; a waiting one finds its entry and the audit
    entry of its addition; the CLI prints it in German without the case reference."""
    assert aged["closed_refs"]
    for ref in aged["closed_refs"]:
        assert not case_data(api_engine, ref).found
    assert not case_data(api_engine, "AZ-BATCH-0").found
    data = case_data(api_engine, "BEISPIEL-0001")
    assert len(data.waiting_list) == 1 and data.waiting_list[0]["status"] == "waiting"
    assert [a.action for a in data.audit] == ["waiting_list.add"]
    out = subprocess.run(
        [sys.executable, "-m", "geo_service", "privacy", "export", "--case-ref-stdin"],
        input="BEISPIEL-0001\n",
        capture_output=True,
        text=True,
        env=database_url_env,
        check=True,
    )
    assert "Eintrag auf der Warteliste: 1" in out.stdout
    assert "Einträge im Entscheidungsprotokoll: 1" in out.stdout
    assert "BEISPIEL-0001" not in out.stdout
    assert "GU Thiede Nord" in out.stdout  # its accommodation unit, still stored


def test_record_of_processing_covers_the_schema(
    tmp_path: Path, database_url_env: dict[str, str]
) -> None:
    """Every column of the tables with personal data is described in German, and the record
    written by the CLI lists them with the retention period."""
    for name, described in processing.COLUMNS.items():
        assert set(described) == {c.name for c in models.metadata.tables[name].columns}, name
    out = tmp_path / "verzeichnis.md"
    subprocess.run(
        [sys.executable, "-m", "geo_service", "privacy", "record", "--out", str(out)],
        env=database_url_env,
        check=True,
        capture_output=True,
    )
    doc = out.read_text(encoding="utf-8")
    assert doc.startswith("# Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)")
    with use_language("de"):
        assert _(processing.UNDESCRIBED) not in doc
    assert f"{DAYS} Tage nach Einzug oder Abmeldung" in doc
    for column in models.waiting_list.columns:
        assert f"`{column.name}`" in doc
    english = tmp_path / "record.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "geo_service",
            "--lang",
            "en",
            "privacy",
            "record",
            "--out",
            str(english),
        ],
        env=database_url_env,
        check=True,
        capture_output=True,
    )
    assert english.read_text().startswith("# Record of processing activities (Art. 30 GDPR)")


@pytest.fixture()
def database_url_env(sample_database_url: str) -> dict[str, str]:
    """The environment of a CLI run on this module's database."""
    return {**os.environ, "DATABASE_URL": sample_database_url}


@pytest.fixture()
def purging_server(sample_database_url: str) -> Iterator[str]:
    """Two workers purging every 2 seconds with a retention of 0 days."""
    env = {
        "GEO_SERVICE_PRIVACY_PURGE_INTERVAL_HOURS": str(2 / 3600),
        "GEO_SERVICE_PRIVACY_RETENTION_DAYS": "0",
    }
    proc, base = start_server(sample_database_url, workers=2, env=env)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def test_the_server_purges_by_itself(
    api_engine: Engine, sample_profile: ScoringProfile, purging_server: str
) -> None:
    """A household withdrawn now is anonymised by the running server (retention 0 days)
    within seconds, with no command run."""
    entry = store.add(
        api_engine,
        NewEntry.model_validate({"household": ONE, "case_ref": "AZ-SERVER-1"}),
        store.cli_caller(),
        sample_profile,
    )
    store.withdraw(api_engine, entry.id, "other", store.cli_caller(), sample_profile)
    assert httpx.get(f"{purging_server}/health").status_code == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with api_engine.connect() as conn:
            done = conn.execute(
                text("SELECT anonymised_at IS NOT NULL FROM waiting_list WHERE id = :i"),
                {"i": entry.id},
            ).scalar_one()
        if done:
            break
        time.sleep(0.5)
    assert done
    with api_engine.connect() as conn:
        role = conn.execute(
            text(
                "SELECT role FROM audit_log WHERE action = 'privacy.purge' ORDER BY id DESC LIMIT 1"
            )
        ).scalar_one()
    assert role == "server"
