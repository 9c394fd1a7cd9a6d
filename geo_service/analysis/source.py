"""Where the analysis functions read from: the engine, the scoring profile, geometries."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import geopandas as gpd
from pydantic import BaseModel
from sqlalchemy import Engine, select

from geo_service.analysis.tables import frame
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.db.engine import get_engine
from geo_service.scoring.profile import ScoringProfile, cached_profile
from geo_service.scoring.ranker_cache import RankerCache


def resolve(engine: Engine | None) -> Engine:
    """The given engine, or the configured one (``DATABASE_URL`` or the embedded cluster)."""
    return engine if engine is not None else get_engine()


def scoring_profile() -> ScoringProfile:
    """The configured scoring profile, as the API loads it (once per process)."""
    return cached_profile(str(get_settings().profile_path))


@cache
def session_rankers() -> RankerCache:
    """This notebook's rankers (one cache per process, as a server keeps one on ``app.state``):
    the features stay in memory between calls, kept current by the state version."""
    return RankerCache()


def crs(engine: Engine | None = None) -> int:
    """The EPSG code every GeoDataFrame of the analysis API is in: the database's storage CRS
    (metres; e.g. 25832 for the Salzgitter sample, ETRS89 / UTM 32N).

    Examples
    --------
    >>> crs()  # doctest: +SKIP
    25832
    """
    return storage_crs(resolve(engine)).srid


def points(rows: Sequence[BaseModel], engine: Engine, model: type[BaseModel]) -> gpd.GeoDataFrame:
    """Result models with WGS84 ``lon``/``lat`` (as the services return them) as points in the
    storage CRS, with the model's other fields as columns (also when there are no rows)."""
    df = frame(rows, model=model)
    geom = gpd.points_from_xy(df.pop("lon"), df.pop("lat"), crs=4326)
    return gpd.GeoDataFrame(df, geometry=geom).to_crs(crs(engine))


def district_shapes(engine: Engine) -> gpd.GeoDataFrame:
    """District codes and polygons (storage CRS), ordered by code."""
    d = models.districts
    with engine.connect() as conn:
        return gpd.read_postgis(
            select(d.c.code, d.c.geom).order_by(d.c.code), conn, geom_col="geom", crs=crs(engine)
        ).rename_geometry("geometry")
