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
    "amenities_unknown_category.geojson": "unbekannte Kategorie",
    "districts_overlapping.geojson": "Stadtteile überlappen",
    "districts_self_intersecting.geojson": "ungültige Geometrie",
    "flats_bad_date.csv": "kein Datum",
    "flats_broken.zip": "kein gültiges ZIP-Archiv",
    "flats_duplicate_id.csv": "doppelte Kennung",
    "flats_empty.csv": "leer",
    "flats_lon_200.csv": "außerhalb des Bereichs",
    "flats_missing_column.csv": "Pflichtspalte fehlt",
    "flats_no_prj.zip": "kein Koordinatensystem",
    "flats_swapped_latlon.csv": "vertauscht",
    "flats_text_in_number.csv": "keine Zahl",
    "flats_truncated.gpkg": "Datei nicht lesbar",
    "flats_wrong_crs.geojson": "falsches Koordinatensystem",
    "flats_wrong_encoding.csv": "UTF-8",
    "offers_unknown_language.geojson": "unbekannter Sprachcode nach ISO 639",
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
    assert "nichts geschrieben" in error_line
    assert snapshot(sample_engine) == before
