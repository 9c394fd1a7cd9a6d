"""EXPLAIN of the generated SQL: bbox queries, CQL2 spatial filters and vector tiles read the
GiST indexes, never the whole table."""

from __future__ import annotations

from typing import Any

import pytest
from pyproj import Transformer
from sqlalchemy import Engine, create_engine, event, func, select, text

from geo_service.db import models
from geo_service.features.collections import COLLECTIONS, Source
from geo_service.features.filters import parse
from geo_service.features.plan import indexes_used, plan_nodes, scans_of
from geo_service.features.query import ItemQuery, page, statements
from geo_service.features.tiles import statement as tile_statement
from geo_service.ingest.sample import sample_profile

BBOX = (10.33, 52.14, 10.36, 52.16)  # CRS84, a few hundred metres around Lebenstedt
TABLE = {c: c for c in COLLECTIONS} | {"coverage_gaps": "districts"}


@pytest.fixture(scope="module")
def analysed(api_engine: Engine) -> Engine:
    """The scored sample with fresh planner statistics."""
    with api_engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return api_engine


@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
@pytest.mark.parametrize("bbox_srid", [4326, 25832, 3857])
def test_bbox_queries_use_the_gist_index(analysed: Engine, collection: str, bbox_srid: int) -> None:
    """Count and page statements with a bbox scan the table through its GiST index."""
    bbox = Transformer.from_crs(4326, bbox_srid, always_xy=True).transform_bounds(*BBOX)
    q = ItemQuery(limit=1000, bbox=bbox, bbox_srid=bbox_srid)
    table = TABLE[collection]
    with analysed.connect() as conn:
        src = Source(analysed, detail=True, indicators=tuple(sample_profile().district.indicators))
        for statement in statements(src, COLLECTIONS[collection], q):
            nodes = plan_nodes(conn, statement)
            assert "Seq Scan" not in scans_of(nodes, table), collection
            assert f"idx_{table}_geom" in indexes_used(nodes), collection


def test_the_check_sees_a_whole_table_scan(analysed: Engine) -> None:
    """Control: transforming the stored column instead of the box defeats the index."""
    f = models.flats
    env = func.ST_MakeEnvelope(*BBOX, 4326)
    bad = select(f.c.id).where(func.ST_Intersects(func.ST_Transform(f.c.geom, 4326), env))
    with analysed.connect() as conn:
        nodes = plan_nodes(conn, bad)
    assert "Seq Scan" in scans_of(nodes, "flats") and "idx_flats_geom" not in indexes_used(nodes)


def prefer_generic_plans(dbapi: Any, _: Any) -> None:
    """Make a new connection's session prefer generic plans for prepared statements."""
    dbapi.execute("SET plan_cache_mode = force_generic_plan")
    dbapi.commit()


def test_repeated_bbox_pages_are_planned_for_their_box(analysed: Engine) -> None:
    """A bbox page asked for again and again on one connection is planned for its box.

    psycopg prepares a statement after five runs; PostgreSQL may then switch to a generic plan,
    which rebuilds the reprojected box for every row (seconds a page; it does so with 50,000
    flats, see ``geo-service bench --only ogc_items``). The session here prefers the generic
    plan from the start, as those statistics make the planner do; the pages must not take it.
    """
    one_connection = create_engine(analysed.url, pool_size=1, max_overflow=0)
    event.listen(one_connection, "connect", prefer_generic_plans)
    q = ItemQuery(limit=100, bbox=BBOX)
    try:
        for _ in range(8):
            page(Source(one_connection), COLLECTIONS["flats"], q)
        with one_connection.connect() as conn:
            plans = conn.execute(
                text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement ILIKE '%st_intersects%'"
                )
            ).all()
    finally:
        one_connection.dispose()
    assert plans, "the bbox statements were never prepared: the check would see nothing"
    assert all(g == 0 and c > 0 for g, c in plans), plans


@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
@pytest.mark.parametrize(
    "cql",
    [
        "S_INTERSECTS(geometry, POLYGON((10.33 52.14, 10.36 52.14, 10.36 52.16, 10.33 52.14)))",
        "S_INTERSECTS(geometry, LINESTRING(10.33 52.14, 10.36 52.16))",
        "S_INTERSECTS(geometry, POINT(10.345 52.155))",
    ],
)
def test_cql2_spatial_filters_use_the_gist_index(
    analysed: Engine, collection: str, cql: str
) -> None:
    """A CQL2 S_INTERSECTS over a polygon, a line or a point reads the GiST index."""
    q = ItemQuery(limit=1000, cql=parse(cql, "cql2-text"))
    table = TABLE[collection]
    src = Source(analysed, detail=True, indicators=tuple(sample_profile().district.indicators))
    with analysed.connect() as conn:
        for statement in statements(src, COLLECTIONS[collection], q):
            nodes = plan_nodes(conn, statement)
            assert "Seq Scan" not in scans_of(nodes, table), collection
            assert f"idx_{table}_geom" in indexes_used(nodes), collection


@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_tiles_use_the_gist_index(analysed: Engine, collection: str) -> None:
    """A zoom-14 tile over Lebenstedt finds its features through the GiST index."""
    src = Source(analysed, detail=True, indicators=tuple(sample_profile().district.indicators))
    with analysed.connect() as conn:
        nodes = plan_nodes(conn, tile_statement(src, COLLECTIONS[collection], 14, 5400, 8662))
    assert "Seq Scan" not in scans_of(nodes, TABLE[collection]), collection
    assert f"idx_{TABLE[collection]}_geom" in indexes_used(nodes), collection
