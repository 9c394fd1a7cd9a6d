"""Every malformed input gives a clear error, a non-zero exit, no traceback, and no change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
TABLES = (
    "districts",
    "district_indicators",
    "district_indicator_values",
    "quota_plan",
    "offers",
    "offer_languages",
    "amenities",
    "flats",
    "imports",
)

# file -> words the one-line error must contain
EXPECTED = {
    "amenities_unknown_category.geojson": "unknown category",
    "districts_overlapping.geojson": "districts overlap",
    "districts_self_intersecting.geojson": "invalid geometry",
    "flats_bad_date.csv": "not a date",
    "flats_broken.zip": "not a valid zip",
    "flats_duplicate_id.csv": "duplicate id",
    "flats_empty.csv": "empty",
    "flats_lon_200.csv": "out of range",
    "flats_missing_column.csv": "required column is missing",
    "flats_no_prj.zip": "no coordinate reference system",
    "flats_swapped_latlon.csv": "swapped",
    "flats_text_in_number.csv": "not a number",
    "flats_truncated.gpkg": "cannot read file",
    "flats_wrong_crs.geojson": "wrong CRS",
    "flats_wrong_encoding.csv": "UTF-8",
    "offers_unknown_language.geojson": "unknown ISO 639 language code",
}


def snapshot(engine: Engine) -> dict[str, tuple[int, str | None]]:
    """Row count and an md5 over all rows of every imported table."""
    out = {}
    with engine.connect() as conn:
        for t in TABLES:
            out[t] = conn.execute(
                text(f"SELECT count(*), md5(string_agg(x::text, '|' ORDER BY x::text)) FROM {t} x")
            ).one()
    return out


def test_corpus_covers_every_file() -> None:
    """The expectations name every file of the corpus (and it has at least 12)."""
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 12


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_rejected_cleanly(
    name: str, sample_engine: Engine, sample_database_url: str
) -> None:
    """Exit code 2, one clear error line naming the problem, database unchanged."""
    before = snapshot(sample_engine)
    kind = name.split("_")[0]
    env = {"DATABASE_URL": sample_database_url, "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "geo_service", "import", kind, str(BAD / name)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    error_line = next(line for line in proc.stderr.splitlines() if line.startswith("Fehler:"))
    assert EXPECTED[name] in error_line
    assert "nothing written" in error_line
    assert snapshot(sample_engine) == before
