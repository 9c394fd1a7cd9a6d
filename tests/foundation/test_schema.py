"""The migration creates every table, with geometry columns in the configured storage CRS
(EPSG:25832 by default) and GiST indexes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from geo_service.db import migrate
from geo_service.db.engine import make_engine

TABLES = {
    "districts",
    "district_indicators",
    "district_indicator_values",
    "storage_crs",
    "quota_plan",
    "offers",
    "offer_languages",
    "amenities",
    "flats",
    "flat_features",
    "area_scores",
    "district_status",
    "reservations",
    "allocations",
    "audit_log",
    "api_keys",
    "imports",
    "waiting_list",
    "organisations",
    "offer_versions",
    "volunteers",
    "coverage_gap_snapshots",
    "users",
    "web_sessions",
    "login_failures",
    "addresses",
}
GEOMETRY_COLUMNS = {
    ("districts", "MULTIPOLYGON"),
    ("offers", "POINT"),
    ("amenities", "POINT"),
    ("flats", "POINT"),
    ("area_scores", "POLYGON"),
    ("network_nodes", "POINT"),
    ("network_edges", "LINESTRING"),
    ("volunteers", "POINT"),
    ("addresses", "POINT"),
    ("gtfs_stops", "POINT"),
}


def test_every_table_exists(engine: Engine) -> None:
    """All tables named in the architecture are there."""
    with engine.connect() as conn:
        names = set(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
    assert names >= TABLES


def test_geometry_columns_have_srid_25832(engine: Engine) -> None:
    """Every geometry column is typed and carries the storage SRID."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f_table_name, type, srid FROM geometry_columns "
                "WHERE f_table_schema = 'public'"
            )
        ).all()
    assert {(t, kind) for t, kind, _ in rows} == GEOMETRY_COLUMNS
    assert {srid for _, _, srid in rows} == {25832}


@pytest.mark.parametrize("table", sorted(t for t, _ in GEOMETRY_COLUMNS))
def test_geometry_columns_have_one_gist_index(engine: Engine, table: str) -> None:
    """Each geometry column has exactly one GiST index (no duplicates from alembic helpers)."""
    with engine.connect() as conn:
        defs = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = :t"), {"t": table}
        ).scalars()
        gist = [d for d in defs if "USING gist (geom)" in d]
    assert len(gist) == 1


def test_one_active_reservation_per_flat_is_a_partial_unique_index(engine: Engine) -> None:
    """The database itself enforces at most one active reservation per flat."""
    with engine.connect() as conn:
        indexdef = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_reservations_active_flat'")
        ).scalar_one()
    assert "UNIQUE" in indexdef and "WHERE" in indexdef


def test_migrate_is_idempotent(engine: Engine, owner_database_url: str) -> None:
    """Migrating an up-to-date database (as its owner) changes nothing and reports head."""
    owner = make_engine(owner_database_url)
    before, after = migrate.upgrade(owner, service_role=engine.url.username)
    owner.dispose()
    assert before == after == migrate.head_revision()
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_checks_reject_out_of_range_values(engine: Engine) -> None:
    """CHECK constraints guard ranges even against direct SQL."""
    with pytest.raises(Exception, match="rent_positive"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO flats (id, rooms, living_area_m2, rent_gross_cold_eur, "
                "available_from, geom) VALUES ('F-X', 2, 50, -1, '2026-12-01', "
                "ST_SetSRID(ST_MakePoint(600000, 5780000), 25832))"
            )
        )
