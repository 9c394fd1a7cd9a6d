"""The storage CRS per deployment: GEO_SERVICE_CRS is validated, recorded by the first
migration, checked on every start, and files in that CRS round-trip exactly."""

from __future__ import annotations

import re
import subprocess

import geopandas as gpd
import pytest
import shapely
from alembic import command
from pyproj import Transformer
from sqlalchemy import create_engine, text

from geo_service.db import crs, migrate
from geo_service.errors import ConfigurationError
from geo_service.ingest.errors import ImportValidationError
from geo_service.ingest.service import import_file
from tests.conftest import NewDatabase, run_cli


def geo(
    db: NewDatabase, *args: str, crs_setting: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI against ``db`` (as the service role; migrations as the owner) with
    ``GEO_SERVICE_CRS`` set (or unset)."""
    env = {"MIGRATION_DATABASE_URL": db.owner_url}
    if crs_setting:
        env["GEO_SERVICE_CRS"] = crs_setting
    return run_cli(db.url, *args, **env)


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The run failed with exactly one 'Fehler:' line and no traceback; return it."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    said = [line for line in proc.stderr.splitlines() if line.strip()]
    lines = [line for line in said if not line.startswith("Datenbank: ")]  # which database
    assert len(lines) == 1 and lines[0].startswith("Fehler:"), proc.stderr
    return lines[0]


def tables(url: str) -> set[str]:
    """Tables of the public schema but PostGIS's own."""
    engine = create_engine(url)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        found = set(names.scalars())
    engine.dispose()
    return found - {"spatial_ref_sys"}


@pytest.mark.parametrize("value", ["EPSG:25832", "EPSG:25833", "3067", "EPSG:32633", "epsg:2056"])
def test_projected_metric_crs_are_accepted(value: str) -> None:
    """Any projected CRS in metres with an EPSG code is a storage CRS."""
    parsed = crs.parse_crs(value)
    assert parsed.code == f"EPSG:{int(value.split(':')[-1])}" and parsed.west < parsed.east


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("EPSG:4326", "geographisches Koordinatensystem (Grad)"),
        ("EPSG:4258", "geographisches Koordinatensystem (Grad)"),
        ("EPSG:3857", "Web Mercator"),
        ("EPSG:2263", "misst in US survey foot"),
        ("EPSG:4978", "kein zweidimensionales projiziertes Koordinatensystem"),
        ("EPSG:5555", "kein zweidimensionales projiziertes Koordinatensystem"),
        ("utm32", "unbekanntes Koordinatensystem"),
        ("EPSG:999999", "unbekanntes Koordinatensystem"),
    ],
)
def test_unusable_crs_are_refused(value: str, why: str) -> None:
    """A geographic, unknown, non-metre, Web Mercator or 3D setting: refused naming why."""
    with pytest.raises(ConfigurationError, match=re.escape(why)):
        crs.parse_crs(value)


@pytest.mark.parametrize("value", ["EPSG:4326", "utm32"])
def test_a_bad_setting_is_one_line_and_writes_nothing(value: str, new_database) -> None:  # type: ignore[no-untyped-def]
    """``db migrate`` with a geographic or unknown CRS: one line naming the value, the
    database stays empty."""
    db = new_database()
    line = one_error_line(geo(db, "db", "migrate", crs_setting=value))
    assert f"GEO_SERVICE_CRS = „{value}“" in line
    assert "projiziertes Koordinatensystem in Metern" in line
    assert tables(db.url) == set()


def test_first_migration_records_the_crs(new_database) -> None:  # type: ignore[no-untyped-def]
    """``db migrate`` with EPSG:25833 creates every geometry column in 25833 and records it."""
    db = new_database()
    proc = geo(db, "db", "migrate", crs_setting="EPSG:25833")
    assert proc.returncode == 0, proc.stderr
    assert "der Dienst verbindet sich als" in proc.stdout  # migrated as the owner, rows granted
    engine = create_engine(db.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT srid, code FROM storage_crs")).one() == (
            25833,
            "EPSG:25833",
        )
        srids = conn.execute(text("SELECT DISTINCT srid FROM geometry_columns")).scalars().all()
    engine.dispose()
    assert srids == [25833]
    again = geo(db, "db", "migrate", crs_setting="EPSG:25833")
    assert again.returncode == 0 and "bereits auf Stand" in again.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("db", "migrate"),
        ("score",),
        ("import", "districts", "data/sample/districts.geojson"),
        ("serve", "--port", "1"),
    ],
)
def test_a_database_in_another_crs_is_refused(
    args: tuple[str, ...], new_database, template_db: str
) -> None:  # type: ignore[no-untyped-def]
    """A 25832 database started with GEO_SERVICE_CRS=EPSG:25833: one line, nothing written."""
    db = new_database(template_db)
    line = one_error_line(geo(db, *args, crs_setting="EPSG:25833"))
    assert "speichert Geometrien in EPSG:25832, aber GEO_SERVICE_CRS ist EPSG:25833" in line
    engine = create_engine(db.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM imports")).scalar() == 0
    engine.dispose()


def test_a_database_from_before_the_record_gets_it(new_database) -> None:  # type: ignore[no-untyped-def]
    """A database migrated to 0002 (before the record) in 25833, with the five fixed indicator
    columns: upgrading records 25833 and moves the indicators into rows."""
    engine = create_engine(new_database().owner_url)
    with engine.begin() as conn:
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        cfg.attributes["storage_srid"] = 25833
        command.upgrade(cfg, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO districts (code, name, geom) VALUES ('GR', 'Görlitz', ST_Multi("
                "ST_MakeEnvelope(498000, 5670000, 499000, 5671000, 25833)))"
            )
        )
        conn.execute(
            text("INSERT INTO district_indicators VALUES ('GR', 2024, 900, 7, 8, 9, 10, 11)")
        )
    with pytest.raises(ConfigurationError, match="speichert Geometrien in EPSG:25833"):
        migrate.upgrade(engine, crs.from_srid(25832))
    migrate.upgrade(engine, crs.from_srid(25833))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT srid FROM storage_crs")).scalar() == 25833
        values = dict(
            conn.execute(text("SELECT indicator, value FROM district_indicator_values")).all()
        )
    engine.dispose()
    assert values == {
        "unemployment_rate": 7,
        "sgb2_share": 8,
        "child_poverty_rate": 9,
        "foreign_share": 10,
        "refugees_per_1000": 11,
    }


def neisseaue(srid: int) -> gpd.GeoDataFrame:
    """A district at Germany's east edge (Neißeaue, about 15.04°E, 51.24°N) in ``srid``,
    with coordinates of millimetres."""
    to = Transformer.from_crs(4326, srid, always_xy=True)
    x, y = to.transform(15.0, 51.22)
    ring = [(x, y), (x + 3000.123, y), (x + 3000.123, y + 2500.456), (x, y + 2500.456)]
    ring = [(round(a, 3), round(b, 3)) for a, b in ring]
    return gpd.GeoDataFrame(
        {"code": ["NEI"], "name": ["Neißeaue"]}, geometry=[shapely.Polygon(ring)], crs=srid
    )


def test_a_25833_file_round_trips_exactly(crs_template_db, new_database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """In a 25833 deployment, a district file in EPSG:25833 at the east edge is stored with
    exactly its own coordinates; in a 25832 one it is refused quoting its coordinates."""
    path = tmp_path / "neisseaue.gpkg"
    neisseaue(25833).to_file(path, driver="GPKG")
    engine = create_engine(new_database(crs_template_db(25833)).url)
    report = import_file(engine, "districts", path)
    assert report.written == 1
    with engine.connect() as conn:
        wkb = conn.execute(text("SELECT ST_AsBinary(geom) FROM districts")).scalar_one()
    engine.dispose()
    stored = shapely.get_coordinates(shapely.from_wkb(bytes(wkb)))
    given = shapely.get_coordinates(neisseaue(25833).geometry.iloc[0])
    assert (stored == given).all()  # exactly, not approximately
    other = create_engine(new_database(crs_template_db(25832)).url)
    with pytest.raises(ImportValidationError) as err:
        import_file(other, "districts", path)
    other.dispose()
    msg = str(err.value)
    assert re.search(r"in EPSG:25833 liegt das bei 15\.0\d{3}°E, 51\.2\d{3}°N", msg), msg
    assert "außerhalb des Gebiets des Speicher-Koordinatensystems EPSG:25832" in msg
    assert "GEO_SERVICE_CRS" in msg
