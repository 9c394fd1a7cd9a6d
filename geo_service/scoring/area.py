"""Area scores on an H3 grid (resolution 9) covering the city, for maps and planners."""

from __future__ import annotations

import json

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, func, select

from geo_service.db import bulk, models, pgbinary
from geo_service.db.crs import storage_crs
from geo_service.scoring.decay import category_value, contributions, household_weights
from geo_service.scoring.distance import DistanceBackend
from geo_service.scoring.features import (
    ANY_LANGUAGE,
    NO_LANGUAGE,
    TransitFeatures,
    compute,
    target_sets,
)
from geo_service.scoring.profile import ScoringProfile

H3_RESOLUTION = 9


def city_cells(conn: Connection) -> gpd.GeoDataFrame:
    """H3 cells whose centre lies in a district, with cell polygons (storage CRS)."""
    srid = storage_crs(conn).srid
    d = models.districts
    city = conn.execute(select(func.ST_AsText(func.ST_Transform(func.ST_Union(d.c.geom), 4326))))
    wkt = city.scalar_one()
    if wkt is None:
        return gpd.GeoDataFrame({"h3_index": []}, geometry=[], crs=srid)
    cells = sorted(h3.geo_to_cells(shapely.from_wkt(wkt).__geo_interface__, H3_RESOLUTION))
    rings = [[(lng, lat) for lat, lng in h3.cell_to_boundary(c)] for c in cells]
    polys = gpd.GeoSeries(shapely.polygons(rings), crs=4326).to_crs(srid)
    return gpd.GeoDataFrame({"h3_index": cells}, geometry=polys.values, crs=srid)


def compute_area_scores(
    conn: Connection,
    amenities: pd.DataFrame,
    offers: pd.DataFrame,
    profile: ScoringProfile,
    backend: DistanceBackend,
    transit: TransitFeatures | None = None,
) -> gpd.GeoDataFrame:
    """Score every cell centre with default weights; catalogue categories count every offer."""
    cells = city_cells(conn)
    if cells.empty:
        return cells.assign(score=[], category_values=[], district_code=[])
    centres = shapely.centroid(cells.geometry.to_numpy())
    xy = np.column_stack([shapely.get_x(centres), shapely.get_y(centres)])
    sets = target_sets(amenities, offers, profile, with_any=True)
    wanted = {k: v for k, v in sets.items() if k[1] in (NO_LANGUAGE, ANY_LANGUAGE)}
    feats = compute(xy, wanted, profile, backend, transit)
    names = profile.names()
    values = np.column_stack(
        [
            category_value(
                feats[
                    (c, NO_LANGUAGE if profile.categories[c].kind == "amenity" else ANY_LANGUAGE)
                ].dist,
                profile.categories[c].rank_weights,
                profile.full_m(c),
                profile.zero_m(c),
            )
            for c in names
        ]
    )
    cells["score"] = np.round(
        contributions(values, household_weights(profile, None)).sum(axis=1), 2
    )
    cells["category_values"] = [
        json.dumps(dict(zip(names, np.round(v, 4).tolist(), strict=True))) for v in values
    ]
    d = gpd.read_postgis(
        select(models.districts.c.code, models.districts.c.geom),
        conn,
        geom_col="geom",
        crs=cells.crs,
    )
    tree = shapely.STRtree(d.geometry.to_numpy())
    c_idx, d_idx = tree.query(centres, predicate="within")
    codes = np.full(len(cells), None, dtype=object)
    codes[c_idx] = d.code.to_numpy()[d_idx]
    cells["district_code"] = codes
    return cells


AREA_COLUMNS = (
    "h3_index",
    "geom",
    "score",
    "category_values",
    "district_code",
    "distance_mode",
    "profile_version",
)


def area_contents(cells: gpd.GeoDataFrame, version: str, mode: str) -> bulk.Contents:
    """The new area_scores rows in binary COPY format, for ``bulk.replace_tables``."""
    n = len(cells)
    geoms = shapely.set_srid(cells.geometry.to_numpy(), cells.crs.to_epsg()) if n else []
    rows = pgbinary.copy_data(
        [
            pgbinary.text(cells["h3_index"].to_numpy()),
            pgbinary.raw(list(shapely.to_wkb(geoms, include_srid=True)) if n else []),
            pgbinary.float8(cells["score"].to_numpy(float)),
            pgbinary.raw(list(cells["category_values"]), pgbinary.JSONB_VERSION),
            pgbinary.text(cells["district_code"].to_numpy()),
            pgbinary.constant(mode, n),
            pgbinary.constant(version, n),
        ]
    )
    return bulk.Contents("area_scores", AREA_COLUMNS, [rows])
