"""Walkable ways from an OpenStreetMap PBF extract, filtered by the profile's network rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

from geo_service.i18n import _
from geo_service.ingest.errors import file_error
from geo_service.scoring.profile import NetworkRules

KIND = "network"


@dataclass(frozen=True)
class Ways:
    """Walkable ways as flat arrays: node ids, lon/lat (EPSG:4326) and each node's way."""

    node_ids: np.ndarray  # int64, every way's nodes in order
    lonlat: np.ndarray  # (n, 2) float; NaN for nodes the extract does not hold
    way_index: np.ndarray  # int64, position of the node's way in ``way_ids``
    way_ids: np.ndarray  # int64 OSM way ids
    highway: np.ndarray  # object, the way's highway value
    seen: int  # ways with a highway tag in the extract, walkable or not


def walkable(tags: dict[str, str], rules: NetworkRules) -> bool:
    """Whether a way with ``tags`` is walkable: a walkable highway value and no excluded tag."""
    if tags.get("highway") not in rules.walkable:
        return False
    return not any(tags.get(k) == v for k, v in (r.split("=", 1) for r in rules.excluded))


def read_ways(path: Path, rules: NetworkRules) -> Ways:
    """Read the walkable ways of a PBF with node locations (NaN where the extract cut the way:
    ``split_ways`` ends the way there instead of bridging the gap)."""
    if not path.exists() or path.stat().st_size == 0:
        raise file_error(KIND, path.name, _("file is missing or empty"))
    ids: list[int] = []
    coords: list[tuple[float, float]] = []
    way_of: list[int] = []
    way_ids: list[int] = []
    highway: list[str] = []
    seen = 0
    try:
        fp = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in fp:
            if not isinstance(way, osmium.osm.Way):
                continue  # nodes tagged highway=* (crossings, stops): their locations suffice
            seen += 1
            tags = {t.k: t.v for t in way.tags}
            if not walkable(tags, rules):
                continue
            nodes = [
                (n.ref, n.lon, n.lat) if n.location.valid() else (n.ref, np.nan, np.nan)
                for n in way.nodes
            ]
            if len(nodes) < 2:
                continue
            for ref, lon, lat in nodes:
                ids.append(ref)
                coords.append((lon, lat))
                way_of.append(len(way_ids))
            way_ids.append(way.id)
            highway.append(tags["highway"])
    except RuntimeError as exc:
        raise file_error(
            KIND, path.name, _("cannot read OSM PBF: {error}").format(error=exc)
        ) from None
    return Ways(
        np.asarray(ids, dtype=np.int64),
        np.asarray(coords, dtype=float).reshape(-1, 2),
        np.asarray(way_of, dtype=np.int64),
        np.asarray(way_ids, dtype=np.int64),
        np.asarray(highway, dtype=object),
        seen,
    )


def split_ways(ways: Ways, keep: np.ndarray) -> tuple[Ways, np.ndarray]:
    """The ways cut at every node not kept (missing from the extract, outside the city's
    zone): each run of kept nodes becomes a piece of its OSM way; pieces of < 2 nodes go.
    Also returns the positions of the pieces' nodes in ``ways``."""
    starts = np.r_[True, (ways.way_index[1:] != ways.way_index[:-1]) | ~keep[:-1]]
    piece = (np.cumsum(starts) - 1)[keep]
    long_enough = np.bincount(piece)[piece] >= 2
    piece = piece[long_enough]
    rows = np.flatnonzero(keep)[long_enough]
    first = np.r_[True, piece[1:] != piece[:-1]]
    origin = ways.way_index[rows[first]]  # the OSM way of each piece
    pieces = Ways(
        ways.node_ids[rows],
        ways.lonlat[rows],
        np.cumsum(first) - 1,
        ways.way_ids[origin],
        ways.highway[origin],
        ways.seen,
    )
    return pieces, rows
