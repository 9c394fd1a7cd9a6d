"""Amenities from an OpenStreetMap PBF extract, mapped onto categories by the profile's rules.

Every mapped object counts once, at a representative point that lies on it: nodes as they
are, closed ways (a kita's building) inside their polygon, open ways (a
``public_transport=platform`` line) on the line, multipolygon relations (a park of several
parts) inside one of their polygons. The OSM id is kept (``n123``, ``w45``, ``r6``). A way the
extract cuts keeps the part inside the extract.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import osmium
import shapely

from geo_service.i18n import _
from geo_service.ingest.errors import file_error
from geo_service.scoring.profile import ScoringProfile

Rules = list[tuple[dict[str, str], str]]


def tag_rules(profile: ScoringProfile) -> Rules:
    """The profile's OSM rules as (required tags, category), most specific first."""
    rules = []
    for name in profile.names("amenity"):
        for rule in profile.categories[name].osm:
            tags = dict(part.split("=", 1) for part in rule.split("+"))
            rules.append((tags, name))
    return sorted(rules, key=lambda r: -len(r[0]))


def category_for(tags: dict[str, str], rules: Rules) -> str | None:
    """The first category whose required tags all match ``tags``."""
    for required, name in rules:
        if all(tags.get(k) == v for k, v in required.items()):
            return name
    return None


def way_geometry(way: osmium.osm.Way) -> shapely.Geometry | None:
    """A closed way's polygon or an open way's line, from its nodes inside the extract."""
    coords = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    if not coords:
        return None
    if len(coords) == 1:
        return shapely.Point(coords[0])
    complete = len(coords) == len(way.nodes)
    if complete and way.is_closed() and len(coords) >= 4:
        polygon = shapely.Polygon(coords)
        return polygon if polygon.is_valid else shapely.make_valid(polygon)
    return shapely.LineString(coords)


def relation_geometry(area: osmium.osm.Area) -> shapely.Geometry | None:
    """A multipolygon relation's outer polygons (holes do not move a representative point far
    enough to matter for walking distances)."""
    rings = [[(n.lon, n.lat) for n in ring] for ring in area.outer_rings()]
    polygons = [shapely.Polygon(r) for r in rings if len(r) >= 4]
    if not polygons:
        return None
    return shapely.make_valid(shapely.MultiPolygon(polygons))


def mapped_objects(path: Path, rules: Rules) -> list[dict[str, object]]:
    """Mapped nodes, ways and multipolygon relations with their geometries (EPSG:4326);
    objects without a usable geometry (wholly outside the extract) are skipped."""
    keys = {k for required, _ in rules for k in required}
    rows: list[dict[str, object]] = []
    fp = osmium.FileProcessor(str(path)).with_areas().with_filter(osmium.filter.KeyFilter(*keys))
    for obj in fp:
        if isinstance(obj, osmium.osm.Relation) or (
            isinstance(obj, osmium.osm.Area) and obj.from_way()
        ):
            continue  # relations come as areas; closed ways are read as ways
        tags = {t.k: t.v for t in obj.tags}
        category = category_for(tags, rules)
        if category is None:
            continue
        if isinstance(obj, osmium.osm.Node):
            geom: shapely.Geometry | None = shapely.Point(obj.location.lon, obj.location.lat)
            sid = f"n{obj.id}"
        elif isinstance(obj, osmium.osm.Way):
            geom, sid = way_geometry(obj), f"w{obj.id}"
        elif isinstance(obj, osmium.osm.Area):
            geom, sid = relation_geometry(obj), f"r{obj.orig_id()}"
        else:
            continue
        if geom is None or geom.is_empty:
            continue
        rows.append(
            {
                "source": "osm",
                "source_id": sid,
                "category": category,
                "name": tags.get("name", ""),
                "geometry": geom,
            }
        )
    return rows


def read_pbf(path: Path, profile: ScoringProfile) -> gpd.GeoDataFrame:
    """Read mapped amenities from a PBF as representative points (EPSG:4326); unmapped objects
    are skipped."""
    try:
        rows = mapped_objects(path, tag_rules(profile))
    except RuntimeError as exc:
        raise file_error(
            "amenities", path.name, _("cannot read OSM PBF: {error}").format(error=exc)
        ) from None
    if not rows:
        raise file_error("amenities", path.name, _("no mapped amenities in the extract"))
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf["geometry"] = shapely.point_on_surface(gdf.geometry.to_numpy())
    return gdf
