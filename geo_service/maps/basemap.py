"""The offline base layer: streets by class, rail, water, green and built-up areas and place
names from the city's own OSM extract, clipped, simplified and written as one script that
every map loads (``static/basemap.js``).

Measured against vector tiles (tilemaker + MapLibre GL): maps must open from disk, and
Chromium refuses ``fetch`` of ``file:`` URLs, so tiles could not load there; one pre-simplified
layer loaded by a ``<script>`` works from disk and over HTTP and is cached across the maps.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import shapely
from pyproj import Transformer

from geo_service.errors import InputError
from geo_service.i18n import _

FILE = "basemap.js"
EMPTY = "window.GEO_BASEMAP = null;\n"
DECIMALS = 5  # ~1 m in WGS84
# highway=* -> drawn class; anything else with a highway tag is not drawn (paths, tracks...)
ROAD_CLASSES = {
    "motorway": "motorway",
    "motorway_link": "motorway",
    "trunk": "primary",
    "trunk_link": "primary",
    "primary": "primary",
    "primary_link": "primary",
    "secondary": "secondary",
    "secondary_link": "secondary",
    "tertiary": "tertiary",
    "tertiary_link": "tertiary",
    **{k: "minor" for k in ("residential", "unclassified", "living_street", "service")},
    "pedestrian": "minor",
}
RAIL = {"rail", "light_rail", "tram", "subway"}
WATERWAYS = {"river", "canal", "stream"}
AREA_TAGS = {
    "water": {("natural", "water"), ("landuse", "reservoir"), ("landuse", "basin")},
    "green": {
        ("landuse", "forest"),
        ("natural", "wood"),
        ("leisure", "park"),
        ("landuse", "grass"),
        ("landuse", "meadow"),
        ("landuse", "recreation_ground"),
        ("leisure", "garden"),
        ("landuse", "allotments"),
        ("landuse", "cemetery"),
    },
    "residential": {("landuse", "residential")},
    "industrial": {("landuse", "industrial"), ("landuse", "commercial"), ("landuse", "retail")},
}
PLACE_RANK = {"city": 1, "town": 2, "borough": 3, "suburb": 3, "village": 3, "quarter": 4}
PLACE_RANK |= {"hamlet": 5, "neighbourhood": 5, "isolated_dwelling": 6}
# Simplification tolerance (m) and smallest area kept (m²) per layer
TOLERANCE_M = {"motorway": 4.0, "primary": 4.0, "secondary": 3.0, "tertiary": 2.5}
TOLERANCE_M |= {"minor": 2.0, "rail": 4.0, "waterway": 4.0, "area": 6.0}
MIN_AREA_M2 = {"water": 1_000.0, "green": 5_000.0, "residential": 5_000.0, "industrial": 5_000.0}


@dataclass
class Extract:
    """What one pass over the PBF found, in WGS84 lon/lat."""

    lines: dict[str, list[shapely.Geometry]] = field(default_factory=lambda: defaultdict(list))
    areas: dict[str, list[shapely.Geometry]] = field(default_factory=lambda: defaultdict(list))
    places: list[tuple[str, int, float, float]] = field(default_factory=list)


def _area_kind(tags: osmium.osm.TagList) -> str | None:
    """The base-map area layer of an OSM area, if any."""
    for kind, pairs in AREA_TAGS.items():
        if any(tags.get(k) == v for k, v in pairs):
            return kind
    return None


def _add_line(found: Extract, way: osmium.osm.Way) -> None:
    """A road (by class), rail line or waterway, if the way is one."""
    kind = ROAD_CLASSES.get(way.tags.get("highway") or "")
    if way.tags.get("railway", "") in RAIL:
        kind = "rail"
    elif way.tags.get("waterway", "") in WATERWAYS:
        kind = "waterway"
    if kind and way.tags.get("area") != "yes":
        coords = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
        if len(coords) >= 2:
            found.lines[kind].append(shapely.LineString(coords))


def read_extract(pbf: Path) -> Extract:
    """Roads by class, rail and waterways (lines), water/green/built-up areas and named places
    from an OSM PBF."""
    if not pbf.exists():
        raise InputError(_("{path}: no such file").format(path=pbf))
    found = Extract()
    wkb = osmium.geom.WKBFactory()
    keys = ("highway", "railway", "waterway", "natural", "landuse", "leisure", "place")
    processor = (
        osmium.FileProcessor(str(pbf))
        .with_locations()
        .with_areas(osmium.filter.KeyFilter(*keys))
        .with_filter(osmium.filter.KeyFilter(*keys))
    )
    try:
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                rank = PLACE_RANK.get(obj.tags.get("place") or "")
                name = obj.tags.get("name")
                if rank and name:
                    found.places.append((name, rank, obj.location.lon, obj.location.lat))
            elif isinstance(obj, osmium.osm.Way):
                _add_line(found, obj)
            elif isinstance(obj, osmium.osm.Area):
                kind = _area_kind(obj.tags)
                if kind:
                    found.areas[kind].append(shapely.from_wkb(wkb.create_multipolygon(obj)))
    except RuntimeError as exc:  # osmium's message for a file that is not a PBF
        raise InputError(
            _("{path}: not a readable OSM extract ({error})").format(path=pbf, error=exc)
        ) from None
    return found


def _rounded(geoms: np.ndarray) -> list[Any]:
    """Coordinates of single lines (a list of points) or polygons (a list of rings) rounded
    to ``DECIMALS``."""
    out = []
    for g in shapely.get_parts(shapely.set_precision(geoms, 10.0**-DECIMALS)):
        if g is not None and not g.is_empty:
            out.append(json.loads(shapely.to_geojson(g))["coordinates"])
    return out


def build(
    pbf: Path, area_wgs84: shapely.Geometry, metric_crs: int, margin_m: float = 1500.0
) -> dict[str, Any]:
    """The base layer of the city: everything of the extract within ``margin_m`` of
    ``area_wgs84`` (the districts), simplified in ``metric_crs`` and rounded to ~1 m."""
    found = read_extract(pbf)
    to_m = Transformer.from_crs(4326, metric_crs, always_xy=True)
    to_wgs = Transformer.from_crs(metric_crs, 4326, always_xy=True)
    clip = shapely.transform(area_wgs84, to_m.transform, interleaved=False).buffer(margin_m)

    def prepare(geoms: list[shapely.Geometry], tol: float, polygons: bool) -> np.ndarray:
        """Project, clip, simplify and merge a layer; back to WGS84."""
        g = shapely.transform(np.asarray(geoms), to_m.transform, interleaved=False)
        g = shapely.intersection(g, clip)
        g = g[~shapely.is_empty(g)]
        if polygons:
            g = g[shapely.area(g) > 0]
        merged = shapely.union_all(g) if polygons else shapely.line_merge(shapely.union_all(g))
        simple = shapely.simplify(merged, tol, preserve_topology=polygons)
        parts = shapely.get_parts(simple)
        return shapely.transform(parts, to_wgs.transform, interleaved=False)

    lines = {
        kind: _rounded(prepare(geoms, TOLERANCE_M[kind], False))
        for kind, geoms in found.lines.items()
    }
    areas = {}
    for kind, geoms in found.areas.items():
        parts = prepare(geoms, TOLERANCE_M["area"], True)
        big = shapely.area(shapely.transform(parts, to_m.transform, interleaved=False))
        areas[kind] = _rounded(parts[big >= MIN_AREA_M2[kind]])
    places = [
        {"name": n, "rank": r, "lon": round(x, DECIMALS), "lat": round(y, DECIMALS)}
        for n, r, x, y in sorted(found.places, key=lambda p: (p[1], p[0]))
        if clip.contains(shapely.Point(to_m.transform(x, y)))
    ]
    return {"lines": lines, "areas": areas, "places": places}


def write(layer: dict[str, Any], static_dir: Path) -> Path:
    """Write the base layer as ``static/basemap.js`` (a script, so maps open from disk)."""
    static_dir.mkdir(parents=True, exist_ok=True)
    path = static_dir / FILE
    text = json.dumps(layer, ensure_ascii=False, separators=(",", ":"))
    path.write_text(f"window.GEO_BASEMAP = {text};\n", encoding="utf-8")
    return path


def install(static_dir: Path, source: Path | None) -> Path:
    """Put the city's base layer into ``static_dir``: a copy of ``source`` (a written base
    layer) if given and different, else keep what is there, else an empty one."""
    path = static_dir / FILE
    static_dir.mkdir(parents=True, exist_ok=True)
    if source is not None and source.exists() and source.resolve() != path.resolve():
        path.write_bytes(source.read_bytes())
    elif not path.exists():
        path.write_text(EMPTY, encoding="utf-8")
    return path


def summary(layer: dict[str, Any]) -> dict[str, int]:
    """Counts per layer, for the CLI's report."""
    out = {k: len(v) for k, v in layer["lines"].items()}
    out |= {k: len(v) for k, v in layer["areas"].items()}
    return out | {"places": len(layer["places"])}
