"""Where the analysis functions read from: the engine, the scoring profile, geometries."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, select

from geo_service.config import get_settings
from geo_service.db import models
from geo_service.db.engine import get_engine
from geo_service.db.models import SRID
from geo_service.scoring.profile import ScoringProfile, cached_profile

CRS = SRID  # every GeoDataFrame of the analysis API: ETRS89 / UTM 32N (EPSG:25832, metres)


def resolve(engine: Engine | None) -> Engine:
    """The given engine, or the configured one (``DATABASE_URL`` or the embedded cluster)."""
    return engine if engine is not None else get_engine()


def scoring_profile() -> ScoringProfile:
    """The configured scoring profile, as the API loads it (once per process)."""
    return cached_profile(str(get_settings().profile_path))


def framed(rows: pd.DataFrame | list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """``rows`` as a frame with at least ``columns`` (in that order, any others after them):
    an empty answer still has its documented columns."""
    df = pd.DataFrame(rows)
    if df.empty:  # no rows: object columns, so joins on text keys still work
        return pd.DataFrame({c: pd.Series(dtype=object) for c in dict.fromkeys([*columns, *df])})
    return df.reindex(columns=[*columns, *(c for c in df.columns if c not in columns)])


def points(frame: pd.DataFrame | list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    """Rows with WGS84 ``lon``/``lat`` (as the services return them) as points in EPSG:25832,
    with at least ``columns`` besides the geometry."""
    df = framed(frame, [*columns, "lon", "lat"])
    geom = gpd.points_from_xy(df.pop("lon"), df.pop("lat"), crs=4326)
    return gpd.GeoDataFrame(df, geometry=geom).to_crs(CRS)


def district_shapes(engine: Engine) -> gpd.GeoDataFrame:
    """District codes and polygons (EPSG:25832), ordered by code."""
    d = models.districts
    with engine.connect() as conn:
        return gpd.read_postgis(
            select(d.c.code, d.c.geom).order_by(d.c.code), conn, geom_col="geom", crs=CRS
        ).rename_geometry("geometry")
