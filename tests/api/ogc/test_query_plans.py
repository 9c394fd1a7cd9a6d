"""EXPLAIN of the generated SQL: bbox queries read the GiST indexes, never the whole table."""

from __future__ import annotations

import pytest
from pyproj import Transformer
from sqlalchemy import Engine, func, select, text

from geo_service.db import models
from geo_service.features.collections import COLLECTIONS, Source
from geo_service.features.plan import indexes_used, plan_nodes, scans_of
from geo_service.features.query import ItemQuery, statements
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
