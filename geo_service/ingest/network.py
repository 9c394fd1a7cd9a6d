"""``import network``: the walkable street network from an OSM PBF, validated, one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from sqlalchemy import Engine, func, insert, select

from geo_service.db import models
from geo_service.db.models import SRID
from geo_service.errors import InputError
from geo_service.ingest.errors import ImportReport, file_error
from geo_service.ingest.osm_ways import KIND, Ways, read_ways
from geo_service.ingest.writer import Progress, copy_rows, geometry_hex
from geo_service.scoring.profile import ScoringProfile

MIN_EDGE_M = 0.001  # two OSM nodes at one location still join their ways (length > 0)


@dataclass(frozen=True)
class Network:
    """Junction nodes (OSM id, x/y in metres) and the edges between them (EPSG:25832)."""

    node_ids: np.ndarray
    node_xy: np.ndarray
    edges: pd.DataFrame  # source, target, length_m, highway, osm_way_id, geom (shapely)


def build_network(ways: Ways) -> Network:
    """Split ways at junctions (nodes shared by ways, way ends) into edges, all vectorised."""
    xy = np.column_stack(
        Transformer.from_crs(4326, SRID, always_xy=True).transform(
            ways.lonlat[:, 0], ways.lonlat[:, 1]
        )
    )
    n = len(ways.node_ids)
    first = np.r_[True, ways.way_index[1:] != ways.way_index[:-1]]
    last = np.r_[first[1:], True]
    _, inverse, uses = np.unique(ways.node_ids, return_inverse=True, return_counts=True)
    junction = (uses[inverse] > 1) | first | last
    # segment i joins node i and i + 1 of the same way; a new edge starts at every inner junction
    seg = np.flatnonzero(~last)
    edge_of_seg = np.cumsum(junction[seg]) - 1
    # each edge's coordinates: its segments' start nodes, then the end node of its last segment
    end_seg = np.r_[edge_of_seg[1:] != edge_of_seg[:-1], True]
    rows = np.r_[seg, seg[end_seg] + 1]
    edge = np.r_[edge_of_seg, edge_of_seg[end_seg]]
    order = np.lexsort((rows, edge))
    rows, edge = rows[order], edge[order]
    lines = shapely.linestrings(xy[rows], indices=edge)
    head = np.r_[True, edge[1:] != edge[:-1]]
    tail = np.r_[head[1:], True]
    edges = pd.DataFrame(
        {
            "source": ways.node_ids[rows[head]],
            "target": ways.node_ids[rows[tail]],
            "length_m": np.maximum(shapely.length(lines), MIN_EDGE_M),
            "highway": ways.highway[ways.way_index[rows[head]]],
            "osm_way_id": ways.way_ids[ways.way_index[rows[head]]],
            "geom": lines,
        }
    )
    keep = np.zeros(n, dtype=bool)
    keep[rows[head]] = keep[rows[tail]] = True
    node_ids, pos = np.unique(ways.node_ids[keep], return_index=True)
    return Network(node_ids, xy[np.flatnonzero(keep)[pos]], edges)


def city_outline(engine: Engine) -> shapely.Geometry:
    """The union of the stored districts (EPSG:25832); an error when none are stored."""
    union = func.ST_AsBinary(func.ST_Union(models.districts.c.geom))
    with engine.connect() as conn:
        wkb = conn.execute(select(union)).scalar_one()
    if wkb is None:
        raise InputError("no districts stored yet: import districts before the network")
    return shapely.from_wkb(bytes(wkb))


def check_ways(path: Path, ways: Ways) -> None:
    """Clear errors for an empty extract or one without walkable ways."""
    if ways.seen == 0:
        raise file_error(KIND, path.name, "empty extract: no ways tagged highway=*")
    if len(ways.way_ids) == 0:
        raise file_error(
            KIND, path.name, f"no walkable ways among {ways.seen} highway ways (profile rules)"
        )


def check_inside(path: Path, net: Network, city: shapely.Geometry) -> None:
    """A clear error for an extract none of whose junctions lies in a stored district."""
    inside = shapely.contains_xy(city, net.node_xy[:, 0], net.node_xy[:, 1])
    if not inside.any():
        raise file_error(
            KIND, path.name, "extract lies outside the city: no junction in a district"
        )


def import_network(
    engine: Engine,
    path: Path,
    profile: ScoringProfile,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate a PBF's walkable network; unless ``dry_run``, replace the stored one atomically."""
    city = city_outline(engine)
    ways = read_ways(path, profile.network_rules)
    check_ways(path, ways)
    net = build_network(ways)
    check_inside(path, net, city)
    report = ImportReport(KIND, path.name, rows=len(net.edges), dry_run=dry_run)
    if dry_run:
        return report
    nodes = pd.DataFrame(
        {"id": net.node_ids, "geom": geometry_hex(pd.Series(shapely.points(net.node_xy)))}
    )
    edges = net.edges.assign(geom=geometry_hex(net.edges["geom"]))
    with engine.begin() as conn:
        conn.execute(models.network_edges.delete())
        conn.execute(models.network_nodes.delete())
        copy_rows(conn, models.network_nodes.name, nodes, progress)
        copy_rows(conn, models.network_edges.name, edges, progress)
        conn.execute(
            insert(models.imports).values(
                kind=KIND,
                source=path.name,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                rows=len(edges),
                imported_at=func.now(),
            )
        )
    report.written = len(edges)
    return report
