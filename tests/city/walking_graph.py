"""An independent walking graph built straight from an OSM PBF with networkx, for checking
the stored network distances: nothing here uses geo_service's network code or tables.

Every OSM node of a walkable way is a graph node; consecutive nodes present in the extract
and inside the city's zone are joined by their straight distance in the city's CRS. Points
snap to the nearest junction (a node of two or more way pieces, or a piece's end), as the
service documents, and are unreachable beyond the snap limit.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import shapely
from pyproj import Transformer

from geo_service.scoring.profile import NetworkRules


def walkable_runs(
    pbf: Path, rules: NetworkRules, srid: int, zone: shapely.Geometry
) -> list[list[tuple[int, float, float]]]:
    """Runs of consecutive way nodes (id, x, y) that the extract holds inside ``zone``."""
    to_xy = Transformer.from_crs("EPSG:4326", f"EPSG:{srid}", always_xy=True)
    excluded = [tuple(r.split("=", 1)) for r in rules.excluded]
    runs: list[list[tuple[int, float, float]]] = []
    fp = osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY).with_locations()
    for way in fp:
        if not isinstance(way, osmium.osm.Way):
            continue
        tags = dict((t.k, t.v) for t in way.tags)
        if tags.get("highway") not in rules.walkable:
            continue
        if any(tags.get(k) == v for k, v in excluded):
            continue
        run: list[tuple[int, float, float]] = []
        for node in way.nodes:
            inside = False
            if node.location.valid():
                x, y = to_xy.transform(node.location.lon, node.location.lat)
                inside = zone.covers(shapely.Point(x, y))
            if inside:
                run.append((node.ref, x, y))
            else:
                if len(run) >= 2:
                    runs.append(run)
                run = []
        if len(run) >= 2:
            runs.append(run)
    return runs


class WalkingGraph:
    """The graph, its junctions and multi-source distances with snapping."""

    def __init__(self, runs: list[list[tuple[int, float, float]]], snap_limit_m: float) -> None:
        self.graph = nx.Graph()
        self.xy: dict[int, tuple[float, float]] = {}
        uses: Counter[int] = Counter()
        ends: set[int] = set()
        for run in runs:
            for (a, ax, ay), (b, bx, by) in itertools.pairwise(run):
                w = max(float(np.hypot(bx - ax, by - ay)), 0.001)
                if a != b and (not self.graph.has_edge(a, b) or self.graph[a][b]["weight"] > w):
                    self.graph.add_edge(a, b, weight=w)
            for node, x, y in run:
                uses[node] += 1
                self.xy[node] = (x, y)
            ends |= {run[0][0], run[-1][0]}
        self.junctions = np.array(sorted(n for n in self.xy if uses[n] > 1 or n in ends))
        self.junction_xy = np.array([self.xy[n] for n in self.junctions])
        self.snap_limit_m = snap_limit_m

    def snap(self, x: float, y: float) -> tuple[int, float]:
        """The nearest junction and the straight distance to it (m)."""
        d = np.hypot(self.junction_xy[:, 0] - x, self.junction_xy[:, 1] - y)
        i = int(np.argmin(d))
        return int(self.junctions[i]), float(d[i])

    def nearest(
        self, sources: list[tuple[float, float]], targets: list[tuple[float, float]], limit_m: float
    ) -> list[float]:
        """Walking distance (m) from every source to its nearest target: snap + path + snap,
        inf beyond ``limit_m`` or when either end lies further than the snap limit."""
        start = "targets"
        g = self.graph.copy()
        for x, y in targets:
            node, offset = self.snap(x, y)
            if offset <= self.snap_limit_m and (
                not g.has_edge(start, node) or g[start][node]["weight"] > offset
            ):
                g.add_edge(start, node, weight=offset)
        if start not in g:
            return [np.inf] * len(sources)
        reach = nx.single_source_dijkstra_path_length(g, start, cutoff=limit_m, weight="weight")
        out = []
        for x, y in sources:
            node, offset = self.snap(x, y)
            total = offset + reach.get(node, np.inf)
            out.append(total if offset <= self.snap_limit_m and total <= limit_m else np.inf)
        return out
