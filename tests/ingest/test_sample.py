"""Integrity of the illustrative sample data set once loaded."""

from __future__ import annotations

from sqlalchemy import Engine, text

from geo_service.ingest.sample import load_sample


def scalar(engine: Engine, sql: str) -> object:
    """Run a one-value query."""
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_31_districts_tile_the_city(sample_engine: Engine) -> None:
    """No overlaps beyond 1 m² between districts, and their union has no holes."""
    assert scalar(sample_engine, "SELECT count(*) FROM districts") == 31
    overlap = scalar(
        sample_engine,
        "SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom))), 0) FROM districts a "
        "JOIN districts b ON a.code < b.code AND ST_Intersects(a.geom, b.geom)",
    )
    assert float(overlap) < 31.0  # type: ignore[arg-type]
    assert scalar(sample_engine, "SELECT ST_NumInteriorRings(ST_Union(geom)) FROM districts") == 0
    assert scalar(sample_engine, "SELECT ST_GeometryType(ST_Union(geom)) FROM districts") == (
        "ST_Polygon"
    )


def test_every_point_lies_in_a_district(sample_engine: Engine) -> None:
    """Flats, offers and amenities all got a district, and really lie in it."""
    for table in ("flats", "offers", "amenities"):
        assert (
            scalar(sample_engine, f"SELECT count(*) FROM {table} WHERE district_code IS NULL") == 0
        )
        outside = scalar(
            sample_engine,
            f"SELECT count(*) FROM {table} t JOIN districts d ON d.code = t.district_code "
            "WHERE NOT ST_Covers(d.geom, t.geom)",
        )
        assert outside == 0


def test_counts_and_languages(sample_engine: Engine) -> None:
    """110 offers, ≥ 800 flats, ≥ 2,000 amenities, ≥ 13 languages, two indicator years."""
    assert scalar(sample_engine, "SELECT count(*) FROM offers") == 110
    assert scalar(sample_engine, "SELECT count(DISTINCT ST_AsBinary(geom)) FROM offers") == 110
    assert scalar(sample_engine, "SELECT count(*) FROM flats") >= 800  # type: ignore[operator]
    assert scalar(sample_engine, "SELECT count(*) FROM amenities") >= 2000  # type: ignore[operator]
    assert scalar(sample_engine, "SELECT count(DISTINCT language) FROM offer_languages") >= 13  # type: ignore[operator]
    assert scalar(sample_engine, "SELECT count(DISTINCT year) FROM district_indicators") >= 2  # type: ignore[operator]
    residents = scalar(
        sample_engine, "SELECT sum(residents) FROM district_indicators WHERE year = 2024"
    )
    assert 95_000 <= residents <= 115_000  # type: ignore[operator]


def test_load_sample_is_idempotent(sample_engine: Engine) -> None:
    """Loading twice leaves the same rows (upserts by source id)."""
    counts = (
        "SELECT (SELECT count(*) FROM amenities) || '/' || (SELECT count(*) FROM offer_languages)"
    )
    before = scalar(sample_engine, counts)
    load_sample(sample_engine)
    assert scalar(sample_engine, counts) == before


def test_the_summary_counts_every_file_of_a_kind(sample_engine: Engine) -> None:
    """Amenities come in two files (the sample's amenities and the offices): the demo's summary
    counts both, as the table holds them (it said "3 amenities" for 2,283)."""
    counts = load_sample(sample_engine)
    with sample_engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM amenities")).scalar_one()
    assert counts["amenities"] == stored > 2000


def test_a_reload_counts_the_organisations_and_bridge_builders_already_there(
    sample_engine: Engine,
) -> None:
    """A second load (every demo start) registers no organisation or bridge builder again, and
    says how many are there, as the imports do (it said "0 Organisationen")."""
    counts = load_sample(sample_engine)
    with sample_engine.connect() as conn:
        organisations = conn.execute(text("SELECT count(*) FROM organisations")).scalar_one()
        volunteers = conn.execute(text("SELECT count(*) FROM volunteers")).scalar_one()
    assert counts["organisations"] == organisations > 0
    assert counts["volunteers"] == volunteers > 0
