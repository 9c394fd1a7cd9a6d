"""Amenities from an OpenStreetMap PBF extract: nodes and way centroids mapped by the profile."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import osmium
import shapely

from geo_service.ingest.errors import file_error
from geo_service.scoring.profile import ScoringProfile


def tag_rules(profile: ScoringProfile) -> list[tuple[dict[str, str], str]]:
    """The profile's OSM rules as (required tags, category), most specific first."""
    rules = []
    for name in profile.names("amenity"):
        for rule in profile.categories[name].osm:
            tags = dict(part.split("=", 1) for part in rule.split("+"))
            rules.append((tags, name))
    return sorted(rules, key=lambda r: -len(r[0]))


def category_for(tags: dict[str, str], rules: list[tuple[dict[str, str], str]]) -> str | None:
    """The first category whose required tags all match ``tags``."""
    for required, name in rules:
        if all(tags.get(k) == v for k, v in required.items()):
            return name
    return None


def read_pbf(path: Path, profile: ScoringProfile) -> gpd.GeoDataFrame:
    """Read mapped amenities from a PBF (EPSG:4326); unmapped objects are skipped."""
    rules = tag_rules(profile)
    keys = {k for required, _ in rules for k in required}
    rows: list[dict[str, object]] = []
    try:
        fp = (
            osmium.FileProcessor(str(path)).with_areas().with_filter(osmium.filter.KeyFilter(*keys))
        )
        for obj in fp:
            tags = {t.k: t.v for t in obj.tags}
            cat = category_for(tags, rules)
            if cat is None:
                continue
            if isinstance(obj, osmium.osm.Node):
                geom = shapely.Point(obj.location.lon, obj.location.lat)
                sid = f"n{obj.id}"
            elif isinstance(obj, osmium.osm.Area):
                rings = [[(n.lon, n.lat) for n in ring] for ring in obj.outer_rings()]
                if not rings:
                    continue
                geom = shapely.Polygon(rings[0]).centroid
                sid = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
            else:
                continue
            rows.append(
                {
                    "source": "osm",
                    "source_id": sid,
                    "category": cat,
                    "name": tags.get("name", ""),
                    "geometry": geom,
                }
            )
    except RuntimeError as exc:
        raise file_error("amenities", path.name, f"cannot read OSM PBF: {exc}") from None
    if not rows:
        raise file_error("amenities", path.name, "no mapped amenities in the extract")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
