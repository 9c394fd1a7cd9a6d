"""``import addresses``: the city's house addresses from an OSM PBF (``addr:street`` and
``addr:housenumber`` on nodes and buildings), clipped to the city plus its boundary zone and
stored in one transaction as the local geocoder's index (``geo_service/geocoding.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.geocoding import number_key, street_key
from geo_service.ingest.errors import ImportReport, file_error
from geo_service.ingest.network import city_outline, project
from geo_service.ingest.spatial import city_zone, in_zone_xy
from geo_service.ingest.writer import Progress, copy_rows, geometry_hex, record_import
from geo_service.scoring.profile import ScoringProfile

KIND = "addresses"
COLUMNS = ("source_id", "street", "housenumber", "postcode", "city", "lon", "lat")


def read_addresses(path: Path) -> pd.DataFrame:
    """Every object of the PBF with a street and a house number: nodes where they are,
    closed ways (buildings) at a point on their surface; ``lon``/``lat`` in WGS84."""
    if not path.exists() or path.stat().st_size == 0:
        raise file_error(KIND, path.name, "file is missing or empty")
    rows = []
    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("addr:housenumber"))
        )
        for obj in processor:
            if not isinstance(obj, osmium.osm.Node | osmium.osm.Way):
                continue
            street, number = obj.tags.get("addr:street"), obj.tags.get("addr:housenumber")
            if not street or not number:
                continue
            if isinstance(obj, osmium.osm.Node):
                lon, lat = obj.location.lon, obj.location.lat
                source = f"n{obj.id}"
            else:
                coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if not coords:
                    continue
                shape = shapely.Polygon(coords) if len(coords) >= 4 else shapely.MultiPoint(coords)
                inner = shapely.point_on_surface(shape if shape.is_valid else shape.convex_hull)
                lon, lat = inner.x, inner.y
                source = f"w{obj.id}"
            rows.append(
                (source, street.strip(), number.strip(), obj.tags.get("addr:postcode"),
                 obj.tags.get("addr:city"), lon, lat)
            )  # fmt: skip
    except RuntimeError as exc:
        raise file_error(KIND, path.name, f"not a readable OSM PBF ({exc})") from None
    return pd.DataFrame(rows, columns=list(COLUMNS))


def import_addresses(
    engine: Engine,
    path: Path,
    profile: ScoringProfile,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Read a PBF's addresses within the city plus the profile's boundary zone; unless
    ``dry_run``, replace the stored addresses atomically."""
    found = read_addresses(path)
    if found.empty:
        raise file_error(KIND, path.name, "no object has addr:street and addr:housenumber")
    srid = storage_crs(engine).srid
    xy = project(found[["lon", "lat"]].to_numpy(dtype=float), srid)
    kept = in_zone_xy(xy, city_zone(city_outline(engine), profile.boundary_zone_m))
    rows = found[kept].drop(columns=["lon", "lat"]).reset_index(drop=True)
    report = ImportReport(KIND, path.name, rows=len(found), dry_run=dry_run)
    report.dropped = int((~kept).sum())
    if rows.empty:
        raise file_error(KIND, path.name, "no address lies within the city")
    rows["street_key"] = rows["street"].map(street_key)
    rows["number_key"] = rows["housenumber"].map(number_key)
    rows["geom"] = geometry_hex(pd.Series(shapely.points(xy[np.flatnonzero(kept)])), srid)
    if dry_run:
        return report
    with engine.begin() as conn:
        conn.execute(models.addresses.delete())
        copy_rows(conn, models.addresses.name, rows, progress)
        record_import(conn, KIND, path, len(rows))
    report.written = len(rows)
    return report
