"""Generate the ILLUSTRATIVE street network and base map of the sample city as an OSM PBF
(fixed seed).

A jittered street grid (150 m) over the sample boundary with barriers that follow the
reference's geography: a rail line east of Lebenstedt with three crossings, and the steelworks'
industrial land between Lebenstedt and Watenstedt, crossed by one public road (its private
works road is tagged access=private and so not walkable). A motorway (not walkable) runs along
the east. Streets get classes (main roads between the districts' centres, residential streets
in built-up land, tracks elsewhere) and the base map's objects are added (``basemap.py``: rail,
steelworks, lake, canal, woods, built-up areas, place names). Not a real street network or map.
Run (after ``generate.py``): ``.venv/bin/python data/sample/network.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import addresses
import basemap
import numpy as np
import osmium
import shapely
from districts import DISTRICTS
from osmium.osm.mutable import Node, Relation, Way
from pyproj import Transformer

OUT = Path(__file__).resolve().parent
SEED = 20162
SPACING_M, JITTER_M = 150.0, 20.0
TO_M = Transformer.from_crs(4326, 25832, always_xy=True)
TO_WGS = Transformer.from_crs(25832, 4326, always_xy=True)
RAIL = [(10.362, 52.118), (10.362, 52.205)]  # lon, lat
RAIL_CROSSINGS = [(10.362, 52.128), (10.362, 52.172), (10.362, 52.196)]
STEELWORKS = [(10.366, 52.138), (10.418, 52.138), (10.418, 52.166), (10.366, 52.166)]
PUBLIC_ROAD_LAT, WORKS_ROAD_LAT = 52.1505, 52.1585  # through the industrial land
MOTORWAY = [(10.447, 52.040), (10.447, 52.215)]


def metric(lonlat: list[tuple[float, float]]) -> np.ndarray:
    """WGS84 lon/lat pairs to EPSG:25832 metres."""
    a = np.asarray(lonlat, dtype=float)
    return np.column_stack(TO_M.transform(a[:, 0], a[:, 1]))


def grid(boundary: shapely.Geometry, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Jittered grid nodes (metres) over the boundary's bounds and their (row, col) index."""
    x0, y0, x1, y1 = boundary.bounds
    cols = np.arange(x0, x1 + SPACING_M, SPACING_M)
    rows = np.arange(y0, y1 + SPACING_M, SPACING_M)
    gx, gy = np.meshgrid(cols, rows)
    xy = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-JITTER_M, JITTER_M, (gx.size, 2))
    return xy.reshape(len(rows), len(cols), 2), np.asarray([len(rows), len(cols)])


def edges(xy: np.ndarray, boundary: shapely.Geometry) -> list[tuple[tuple, tuple, dict]]:
    """Grid edges inside the boundary, minus those the rail line or the steelworks block."""
    rail = shapely.LineString(metric(RAIL))
    crossings = shapely.MultiPoint(metric(RAIL_CROSSINGS))
    works = shapely.Polygon(metric(STEELWORKS))
    public_y = metric([(10.39, PUBLIC_ROAD_LAT)])[0, 1]
    nr, nc = xy.shape[:2]
    out = []
    for r in range(nr):
        for c in range(nc):
            for dr, dc in ((0, 1), (1, 0)):
                r2, c2 = r + dr, c + dc
                if r2 >= nr or c2 >= nc:
                    continue
                line = shapely.LineString([xy[r, c], xy[r2, c2]])
                if not boundary.contains(line):
                    continue
                if line.intersects(rail) and line.distance(crossings) > SPACING_M:
                    continue
                on_public_road = dc == 1 and abs(line.centroid.y - public_y) < SPACING_M / 2
                if line.intersects(works) and not on_public_road:
                    continue
                main = r % 8 == 0 or c % 8 == 0 or on_public_road
                tags = {"highway": "secondary" if main else "residential"}
                out.append(((r, c), (r2, c2), tags))
    return out


class Objects:
    """Nodes, ways and relations to add after the grid, with ids counted on from ``first``."""

    def __init__(self, first: int) -> None:
        self.next = first
        self.nodes: list[Node] = []
        self.ways: list[Way] = []
        self.relations: list[Relation] = []

    def _id(self) -> int:
        self.next += 1
        return self.next

    def node(self, x: float, y: float, tags: dict | None = None) -> int:
        """A node at (x, y) in metres."""
        lon, lat = TO_WGS.transform(x, y)
        i = self._id()
        self.nodes.append(Node(id=i, location=(round(lon, 7), round(lat, 7)), tags=tags or {}))
        return i

    def way(self, xy: np.ndarray, tags: dict) -> int:
        """A way through the points (metres)."""
        ids = [self.node(x, y) for x, y in xy]
        i = self._id()
        self.ways.append(Way(id=i, nodes=ids, tags=tags))
        return i

    def area(self, shape: shapely.Geometry, tags: dict) -> None:
        """A closed way per simple polygon, a multipolygon relation for holes or parts."""
        parts = [p for p in shapely.get_parts(shapely.simplify(shape, 15.0)) if p.area > 0]
        if len(parts) == 1 and not parts[0].interiors:
            ring = np.asarray(parts[0].exterior.coords)
            ids = [self.node(x, y) for x, y in ring[:-1]]
            i = self._id()
            self.ways.append(Way(id=i, nodes=[*ids, ids[0]], tags=tags))
            return
        members = []
        for p in parts:
            for role, ring in [("outer", p.exterior), *(("inner", r) for r in p.interiors)]:
                xy = np.asarray(ring.coords)
                ids = [self.node(x, y) for x, y in xy[:-1]]
                i = self._id()
                self.ways.append(Way(id=i, nodes=[*ids, ids[0]], tags={}))
                members.append(("w", i, role))
        self.relations.append(
            Relation(id=self._id(), members=members, tags={"type": "multipolygon", **tags})
        )


def base_map_objects(
    objects: Objects, boundary: shapely.Geometry, rng: np.random.Generator
) -> None:
    """Rail, steelworks, lake with its park, canal, woods, built-up areas and place names."""
    points = basemap.sample_points(metric)
    built = basemap.settlements(points, boundary)
    works = shapely.Polygon(metric(STEELWORKS))
    lake = basemap.lake(points, metric([basemap.LAKE_NEAR])[0], rng)
    park = lake.buffer(140.0).difference(lake)
    park = park.difference(shapely.union_all(shapely.buffer(shapely.points(points), 40.0, quad_segs=4)))
    objects.way(metric(RAIL[::-1] + basemap.RAIL_SOUTH[1:]), {"railway": "rail"})
    objects.area(works, {"landuse": "industrial", "name": "Hüttenwerk (illustrativ)"})
    objects.area(built.difference(works).difference(lake.buffer(30.0)), {"landuse": "residential"})
    objects.area(lake, {"natural": "water", "name": "Salzgittersee (illustrativ)"})
    objects.area(park, {"leisure": "park", "name": "Seepark (illustrativ)"})
    objects.way(metric(basemap.CANAL), {"waterway": "canal", "name": "Stichkanal (illustrativ)"})
    for wood in basemap.woods(points, built, metric):
        objects.area(wood, {"landuse": "forest"})
    for code, name, _, lat, lon, residents in DISTRICTS:
        x, y = metric([(lon, lat)])[0]
        objects.node(x, y, {"place": basemap.place(residents), "name": name})
    for name, lon, lat in basemap.NEIGHBOURHOODS:
        x, y = metric([(lon, lat)])[0]
        objects.node(x, y, {"place": "quarter", "name": f"{name} (illustrativ)"})


def main() -> None:
    """Write ``network.osm.pbf`` next to this script."""
    rng = np.random.default_rng(SEED)
    doc = json.loads((OUT / "boundary.geojson").read_text(encoding="utf-8"))
    lonlat = shapely.geometry.shape(doc["features"][0]["geometry"])
    boundary = shapely.transform(lonlat, lambda a: metric(list(map(tuple, a))))
    xy, (_, nc) = grid(boundary, rng)
    grid_edges = edges(xy, boundary)
    centres = {c: (res, metric([(lon, lat)])[0]) for c, _, _, lat, lon, res in DISTRICTS}
    built = basemap.settlements(basemap.sample_points(metric), boundary)
    classes = basemap.road_classes(xy, grid_edges, built, centres)
    grid_edges = [(a, b, {**t, "highway": c}) for (a, b, t), c in zip(grid_edges, classes, strict=True)]
    used = sorted({n for a, b, _ in grid_edges for n in (a, b)})
    node_id = {rc: 1 + rc[0] * int(nc) + rc[1] for rc in used}
    pts = np.asarray([xy[rc] for rc in used])
    lon, lat = TO_WGS.transform(pts[:, 0], pts[:, 1])
    extra_id = 1 + len(xy.reshape(-1, 2))
    extras = []  # barriers that are not walkable: the works road and the motorway
    works_x = metric(STEELWORKS)[:2, 0]
    works_y = metric([(10.39, WORKS_ROAD_LAT)])[0, 1]
    for line, tags in (
        (np.column_stack([works_x, [works_y, works_y]]), {"highway": "service", "access": "private"}),
        (metric(MOTORWAY), {"highway": "motorway", "ref": "A 39"}),
    ):
        ids = [extra_id, extra_id + 1]
        extra_id += 2
        elon, elat = TO_WGS.transform(line[:, 0], line[:, 1])
        extras.append((ids, list(zip(elon, elat, strict=True)), tags))
    objects = Objects(max(extra_id, len(grid_edges) + len(extras) + 1))
    base_map_objects(objects, boundary, rng)
    districts = json.loads((OUT / "districts.geojson").read_text(encoding="utf-8"))["features"]
    shapes = [
        (d["properties"]["code"], shapely.transform(shapely.geometry.shape(d["geometry"]), lambda a: metric(list(map(tuple, a)))))
        for d in districts
    ]
    houses = addresses.address_nodes(objects.node, xy, grid_edges, classes, shapes)
    path = OUT / "network.osm.pbf"
    path.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(path)) as writer:
        for rc, x, y in zip(used, lon, lat, strict=True):
            writer.add_node(Node(id=node_id[rc], location=(round(x, 7), round(y, 7))))
        for ids, locs, _ in extras:
            for i, (x, y) in zip(ids, locs, strict=True):
                writer.add_node(Node(id=i, location=(round(x, 7), round(y, 7))))
        for node in objects.nodes:
            writer.add_node(node)
        for w, (a, b, tags) in enumerate(grid_edges, start=1):
            writer.add_way(Way(id=w, nodes=[node_id[a], node_id[b]], tags=tags))
        for w, (ids, _, tags) in enumerate(extras, start=len(grid_edges) + 1):
            writer.add_way(Way(id=w, nodes=ids, tags=tags))
        for way in objects.ways:
            writer.add_way(way)
        for relation in objects.relations:
            writer.add_relation(relation)
    walkable = sum(1 for *_, t in grid_edges)
    print(f"{path.name}: {len(used)} nodes, {walkable} walkable ways, base map: "
          f"{len(objects.ways)} ways, {len(objects.relations)} multipolygons, {houses} addresses "
          "(ILLUSTRATIVE)")


if __name__ == "__main__":
    main()
