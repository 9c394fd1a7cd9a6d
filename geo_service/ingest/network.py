"""``import network``: the walkable street network from an OSM PBF, validated, one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from sqlalchemy import Engine, func, select

from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.i18n.formats import distance
from geo_service.ingest.errors import ImportReport, file_error
from geo_service.ingest.osm_ways import KIND, Ways, read_ways, split_ways
from geo_service.ingest.spatial import city_zone, in_zone_xy
from geo_service.ingest.writer import Progress, copy_rows, geometry_hex, record_import
from geo_service.scoring.profile import ScoringProfile

MIN_EDGE_M = 0.001  # two OSM nodes at one location still join their ways (length > 0)


@dataclass(frozen=True)
class Network:
    """Junction nodes (OSM id, x/y in metres) and the edges between them (storage CRS)."""

    node_ids: np.ndarray
    node_xy: np.ndarray
    edges: pd.DataFrame  # source, target, length_m, highway, osm_way_id, geom (shapely)


def project(lonlat: np.ndarray, srid: int) -> np.ndarray:
    """WGS84 lon/lat to x/y in metres of ``srid`` (NaN stays NaN)."""
    x, y = Transformer.from_crs(4326, srid, always_xy=True).transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def build_network(ways: Ways, xy: np.ndarray) -> Network:
    """Split ways at junctions (nodes shared by ways, way ends) into edges, all vectorised;
    ``xy`` holds every node's position in metres."""
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
    """The union of the stored districts (storage CRS); an error when none are stored."""
    union = func.ST_AsBinary(func.ST_Union(models.districts.c.geom))
    with engine.connect() as conn:
        wkb = conn.execute(select(union)).scalar_one()
    if wkb is None:
        raise InputError(_("no districts stored yet: import districts before the network"))
    return shapely.from_wkb(bytes(wkb))


def check_ways(path: Path, ways: Ways) -> None:
    """Clear errors for an empty extract or one without walkable ways."""
    if ways.seen == 0:
        raise file_error(KIND, path.name, _("empty extract: no ways tagged highway=*"))
    if len(ways.way_ids) == 0:
        raise file_error(
            KIND,
            path.name,
            _("no walkable ways among {n} highway ways (profile rules)").format(n=ways.seen),
        )


def check_inside(path: Path, ways: Ways, kept: np.ndarray, zone_m: float) -> None:
    """A clear error for an extract none of whose walkable ways comes near the city."""
    if not kept.any():
        raise file_error(
            KIND,
            path.name,
            _(
                "extract lies outside the city: none of its {n} walkable ways reaches a "
                "district or the {distance} around the city"
            ).format(n=len(ways.way_ids), distance=distance(zone_m)),
        )


def zone_counts(ways: Ways, pieces: Ways, net: Network, city: shapely.Geometry) -> tuple[int, int]:
    """Edges in the zone (midpoint in no district) and walkable ways dropped whole."""
    mid = shapely.line_interpolate_point(net.edges["geom"].to_numpy(), 0.5, normalized=True)
    shapely.prepare(city)
    in_zone = int((~shapely.contains(city, mid)).sum())
    return in_zone, len(np.setdiff1d(ways.way_ids, pieces.way_ids))


def import_network(
    engine: Engine,
    path: Path,
    profile: ScoringProfile,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate a PBF's walkable network, clipped to the city plus the profile's boundary zone
    (ways the extract or the zone cuts end there); unless ``dry_run``, replace the stored
    network atomically."""
    city, srid = city_outline(engine), storage_crs(engine).srid
    zone_m = profile.boundary_zone_m
    ways = read_ways(path, profile.network_rules)
    check_ways(path, ways)
    xy = project(ways.lonlat, srid)
    kept = in_zone_xy(xy, city_zone(city, zone_m))
    check_inside(path, ways, kept, zone_m)
    pieces, rows = split_ways(ways, kept)
    net = build_network(pieces, xy[rows])
    report = ImportReport(KIND, path.name, rows=len(net.edges), dry_run=dry_run, zone_m=zone_m)
    report.in_zone, report.dropped = zone_counts(ways, pieces, net, city)
    if dry_run:
        return report
    nodes = pd.DataFrame(
        {"id": net.node_ids, "geom": geometry_hex(pd.Series(shapely.points(net.node_xy)), srid)}
    )
    edges = net.edges.assign(geom=geometry_hex(net.edges["geom"], srid))
    with engine.begin() as conn:
        conn.execute(models.network_edges.delete())
        conn.execute(models.network_nodes.delete())
        copy_rows(conn, models.network_nodes.name, nodes, progress)
        copy_rows(conn, models.network_edges.name, edges, progress)
        record_import(conn, KIND, path, len(edges))
    report.written = len(edges)
    return report
