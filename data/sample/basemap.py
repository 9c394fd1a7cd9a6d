"""What the ILLUSTRATIVE sample city's base map needs, added to ``network.osm.pbf`` by
``network.py``: road classes for the walking grid, the rail line, the steelworks, a lake (the
Salzgittersee's stand-in), a canal, woods and parks, built-up areas and the districts' place
names. Generated from the sample's own points (fixed seed), not surveyed: not a real map.

Built-up areas follow the sample's flats, offers and amenities (every point lies in one); the
lake and the woods are placed where no point lies, so no flat stands in water.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import shapely

HERE = Path(__file__).resolve().parent
LAKE_NEAR = (10.327, 52.141)  # lon, lat: south of Lebenstedt, where the Salzgittersee lies
LAKE_AXES_M = (650.0, 260.0)
RAIL_SOUTH = [(10.362, 52.118), (10.372, 52.085), (10.371, 52.048), (10.322, 52.031)]
CANAL = [(10.392, 52.166), (10.392, 52.196), (10.400, 52.230)]
WOODS = [  # lon, lat, semi-axes (m), angle (deg): ridge in the south-west, woods in the north
    (10.318, 52.060, 2600.0, 700.0, 60.0),
    (10.300, 52.118, 1200.0, 600.0, 20.0),
    (10.452, 52.120, 1500.0, 900.0, 80.0),
    (10.370, 52.213, 1000.0, 450.0, 0.0),
]
# A few named neighbourhoods (illustrative positions) besides the districts' own names
NEIGHBOURHOODS = [("Fredenberg", 10.322, 52.166), ("Steterburg", 10.474, 52.187)]
NEIGHBOURHOODS += [("Kniestedt", 10.385, 52.041)]
PRIMARY = [("LEB", "GEB"), ("GEB", "BAD"), ("LEB", "THI"), ("BAD", "RIN")]
TOWN, SUBURB = 20_000, 5_000


def sample_points(metric) -> np.ndarray:  # noqa: ANN001 - the generator's projection
    """Every flat, offer and amenity of the sample in metres."""
    xy = []
    for name in ("flats", "offers", "amenities"):
        doc = json.loads((HERE / f"{name}.geojson").read_text(encoding="utf-8"))
        xy += [tuple(f["geometry"]["coordinates"]) for f in doc["features"]]
    return metric(xy)


def settlements(points: np.ndarray, boundary: shapely.Geometry) -> shapely.Geometry:
    """Built-up land: 200 m around every point, gaps under 500 m closed, within the city."""
    land = shapely.union_all(shapely.buffer(shapely.points(points), 200.0, quad_segs=4))
    return land.buffer(250.0, quad_segs=4).buffer(-250.0, quad_segs=4).intersection(boundary)


def ellipse(x: float, y: float, a: float, b: float, angle: float) -> shapely.Geometry:
    """An ellipse with semi-axes ``a``, ``b`` (m) turned by ``angle`` degrees."""
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    ex, ey = a * np.cos(t), b * np.sin(t)
    r = np.radians(angle)
    return shapely.Polygon(
        np.column_stack([x + ex * np.cos(r) - ey * np.sin(r), y + ex * np.sin(r) + ey * np.cos(r)])
    )


def lake(points: np.ndarray, near: np.ndarray, rng: np.random.Generator) -> shapely.Geometry:
    """The lake nearest to ``near`` that keeps 60 m from every point."""
    tree = shapely.STRtree(shapely.points(points))
    offsets = rng.uniform(-2500, 2500, (4000, 2))
    offsets = offsets[np.argsort(np.hypot(*offsets.T))]
    for dx, dy in offsets:
        shape = ellipse(near[0] + dx, near[1] + dy, *LAKE_AXES_M, 25.0)
        if len(tree.query(shape.buffer(60.0), predicate="intersects")) == 0:
            return shape
    raise SystemExit("no place for the lake without points")


def woods(points: np.ndarray, built: shapely.Geometry, metric) -> list[shapely.Geometry]:  # noqa: ANN001
    """Woods: the ellipses minus built-up land and 150 m around every point."""
    keep_out = built.union(shapely.union_all(shapely.buffer(shapely.points(points), 150.0, quad_segs=4)))
    out = []
    for lon, lat, a, b, angle in WOODS:
        x, y = metric([(lon, lat)])[0]
        shape = ellipse(x, y, a, b, angle).difference(keep_out)
        out += [p for p in shapely.get_parts(shape) if p.area > 50_000]
    return out


def road_classes(
    xy: np.ndarray, edges: list[tuple[tuple, tuple, dict]], built: shapely.Geometry, centres: dict
) -> list[str]:
    """A highway class per grid edge: paths between neighbouring districts' centres become
    primary/secondary/tertiary roads; streets in built-up land residential; the rest tracks."""
    graph = nx.Graph()
    for a, b, _ in edges:
        length = float(np.hypot(*(xy[a] - xy[b])))
        arterial = a[0] == b[0] and a[0] % 8 == 0 or a[1] == b[1] and a[1] % 8 == 0
        graph.add_edge(a, b, weight=length * (0.4 if arterial else 1.0))
    nodes = np.asarray(list(graph.nodes))
    node_xy = xy[nodes[:, 0], nodes[:, 1]]

    def node(code: str) -> tuple:
        """The grid node nearest to a district centre."""
        return tuple(nodes[np.argmin(np.hypot(*(node_xy - centres[code][1]).T))])

    codes = sorted(centres)
    tri = shapely.delaunay_triangles(shapely.MultiPoint([centres[c][1] for c in codes]), 1.0)
    pairs = set()
    for e in shapely.get_parts(tri):
        ring = np.asarray(e.exterior.coords)
        pairs |= {tuple(sorted((ring[i].tobytes(), ring[i + 1].tobytes()))) for i in range(3)}
    at = {np.asarray(centres[c][1], dtype=float).tobytes(): c for c in codes}
    rank = {"tertiary": 1, "secondary": 2, "primary": 3}
    best: dict[frozenset, str] = {}
    links = [(at[p], at[q]) for p, q in pairs if p in at and q in at]
    links += PRIMARY
    for a, b in links:
        pa, pb = np.asarray(centres[a][1]), np.asarray(centres[b][1])
        if (a, b) not in PRIMARY and np.hypot(*(pa - pb)) > 5000:
            continue
        big = max(centres[a][0], centres[b][0])
        cls = "primary" if (a, b) in PRIMARY else "secondary" if big >= 2000 else "tertiary"
        path = nx.shortest_path(graph, node(a), node(b), weight="weight")
        for u, v in zip(path, path[1:], strict=False):
            key = frozenset((u, v))
            if rank[cls] > rank.get(best.get(key, ""), 0):
                best[key] = cls
    mids = np.asarray([(xy[a] + xy[b]) / 2 for a, b, _ in edges])
    inside = shapely.contains_xy(built, mids[:, 0], mids[:, 1])
    return [
        best.get(frozenset((a, b)), "residential" if inside[i] else "track")
        for i, (a, b, _) in enumerate(edges)
    ]


def place(residents: int) -> str:
    """OSM place class of a district's centre by size."""
    return "town" if residents >= TOWN else "suburb" if residents >= SUBURB else "village"
