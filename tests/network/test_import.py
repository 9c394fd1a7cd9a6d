"""``import network`` on the sample: stored in EPSG:25832 with metre lengths; bad extracts
give clear errors and write nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from geo_service.ingest.errors import ImportValidationError
from geo_service.ingest.service import import_file
from tests.network.conftest import PbfWriter

LON, LAT = 10.336, 52.156  # Lebenstedt
STREET = [(LON, LAT), (LON + 0.002, LAT), (LON + 0.002, LAT + 0.002)]
COUNTS = (
    "SELECT (SELECT count(*) FROM network_nodes), (SELECT count(*) FROM network_edges), "
    "(SELECT count(*) FROM imports)"
)


def counts(engine: Engine) -> tuple[int, ...]:
    """Rows in the network tables and the import log."""
    with engine.connect() as conn:
        return tuple(conn.execute(text(COUNTS)).one())


def test_sample_network_is_stored_in_metres(sample_engine: Engine) -> None:
    """load-sample stored the sample network: SRID 25832, length = geometry length (m), GiST
    indexes, edges ending on their nodes, no motorway or private way."""
    with sample_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*), max(abs(length_m - ST_Length(e.geom))), min(length_m), "
                "bool_and(ST_SRID(e.geom) = 25832), "
                "count(*) FILTER (WHERE highway IN ('motorway', 'service')), "
                "max(ST_Distance(ST_StartPoint(e.geom), n.geom)) "
                "FROM network_edges e JOIN network_nodes n ON n.id = e.source"
            )
        ).one()
        gist = conn.execute(
            text(
                "SELECT tablename FROM pg_indexes WHERE tablename LIKE 'network_%' "
                "AND indexdef ILIKE '%USING gist (geom)%' ORDER BY tablename"
            )
        ).scalars()
        assert list(gist) == ["network_edges", "network_nodes"]
        node_srid = conn.execute(text("SELECT DISTINCT ST_SRID(geom) FROM network_nodes")).all()
    edges, diff, shortest, srid_ok, excluded, off_node = row
    assert edges == 21468
    assert diff < 1e-6 and shortest > 0 and srid_ok and excluded == 0
    assert off_node < 1e-6
    assert node_srid == [(25832,)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.osm.pbf", None, "Datei fehlt oder ist leer"),
        ("zero.osm.pbf", b"", "Datei fehlt oder ist leer"),
        ("garbage.osm.pbf", b"not a protobuf at all" * 50, "OSM-PBF nicht lesbar"),
    ],
)
def test_unreadable_files_write_nothing(
    sample_engine: Engine, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    """Missing, empty and corrupt files: one clear error, nothing written."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = counts(sample_engine)
    with pytest.raises(ImportValidationError, match=message):
        import_file(sample_engine, "network", path)
    assert counts(sample_engine) == before


@pytest.mark.parametrize(
    ("ways", "message"),
    [
        ([], "leerer Auszug"),
        (
            [
                (STREET, {"highway": "motorway"}),
                (STREET, {"highway": "residential", "access": "private"}),
                (STREET, {"highway": "footway", "foot": "no"}),
                (STREET, {"railway": "rail"}),
            ],
            "keine begehbaren Wege unter 3 Wegen mit highway",
        ),
        ([([(13.40, 52.52), (13.41, 52.52)], {"highway": "footway"})], "außerhalb der Stadt"),
    ],
    ids=["empty", "no-walkable", "outside"],
)
def test_bad_extracts_write_nothing(
    sample_engine: Engine,
    write_pbf: PbfWriter,
    ways: list[tuple[list[tuple[float, float]], dict[str, str]]],
    message: str,
) -> None:
    """An empty extract, one without walkable ways and one outside the city are rejected whole."""
    path = write_pbf("bad.osm.pbf", ways)
    before = counts(sample_engine)
    with pytest.raises(ImportValidationError, match=message):
        import_file(sample_engine, "network", path)
    assert counts(sample_engine) == before


def test_dry_run_validates_and_writes_nothing(sample_engine: Engine, write_pbf: PbfWriter) -> None:
    """A valid extract in a dry run reports its edges and writes nothing."""
    path = write_pbf("ok.osm.pbf", [(STREET, {"highway": "residential"})])
    before = counts(sample_engine)
    report = import_file(sample_engine, "network", path, dry_run=True)
    assert (report.rows, report.written, report.dry_run) == (1, 0, True)
    assert counts(sample_engine) == before


def test_cli_reports_one_clear_line(
    sample_database_url: str, sample_engine: Engine, write_pbf: PbfWriter
) -> None:
    """`geo-service import network` on a bad extract exits 2 with a one-line error."""
    path = write_pbf("outside.osm.pbf", [([(13.40, 52.52), (13.41, 52.52)], {"highway": "path"})])
    before = counts(sample_engine)
    proc = subprocess.run(
        [sys.executable, "-m", "geo_service", "import", "network", str(path)],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": sample_database_url, "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Wegeabschnitte aus outside.osm.pbf abgelehnt, nichts geschrieben" in proc.stderr
    assert "außerhalb der Stadt" in proc.stderr
    assert counts(sample_engine) == before
