"""Flats, their stored accessibility features and the H3 area scores."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from geo_service.analysis.source import crs, points, resolve, scoring_profile
from geo_service.db import models
from geo_service.flats import Flat, list_flats
from geo_service.scoring.store import read_features


def flats(
    available: bool | None = True, district: str | None = None, engine: Engine | None = None
) -> gpd.GeoDataFrame:
    """Flats with their attributes, as ``GET /api/v1/flats`` lists them (every page at once).

    Parameters
    ----------
    available : bool or None, default True
        True: flats on offer; False: withdrawn ones; None: all.
    district : str, optional
        Only this district code.
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per flat, ordered by ``id``, CRS ``crs()`` (metres). Columns: ``id``,
        ``rooms``, ``living_area_m2``, ``rent_gross_cold_eur`` (EUR per month), ``floor``,
        ``lift``, ``barrier_free``, ``available_from`` (ISO date), ``available``,
        ``district_code`` and more flat attributes, ``geometry`` (Point).

    Examples
    --------
    >>> f = flats()
    >>> f.groupby("district_code")["rent_gross_cold_eur"].median()  # doctest: +SKIP
    """
    eng = resolve(engine)
    total = list_flats(eng, available=available, district=district, limit=0).total
    page = list_flats(eng, available=available, district=district, limit=max(total, 1))
    return points(page.items, eng, Flat)


def features(
    category: str | None = None, language: str | None = None, engine: Engine | None = None
) -> gpd.GeoDataFrame:
    """The stored accessibility features: the k nearest places per flat and category.

    Parameters
    ----------
    category : str, optional
        Only this scoring category (e.g. ``"kita"``, ``"gp"``, ``"language_course"``).
    language : str, optional
        Only this language key: ``""`` for amenity categories, an ISO 639 code for catalogue
        categories, ``"*"`` for offers with interpreting only.
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per flat, category and language key, CRS ``crs()`` (metres), at the flat's
        location. Columns: ``flat_id``, ``district_code``, ``category``, ``language``,
        ``nearest_m`` (metres to the nearest place, inf when none), ``distances_m``,
        ``target_ids``, ``target_names`` (the k nearest), ``count_full`` / ``count_zero``
        (places within the category's ``full_m`` / ``zero_m``), ``distance_mode``,
        ``profile_version``, ``geometry`` (Point).

    Examples
    --------
    >>> kita = features("kita")
    >>> kita.groupby("district_code")["nearest_m"].median()  # doctest: +SKIP
    """
    eng = resolve(engine)
    with eng.connect() as conn:
        df = read_features(conn, category, language)
    df = df.assign(nearest_m=df["distances_m"].str[0].astype(float).fillna(np.inf))
    where = flats(available=None, engine=eng)[["id", "district_code", "geometry"]]
    out = where.merge(df, left_on="id", right_on="flat_id").drop(columns="id")
    order = ["flat_id", "district_code", "category", "language", "nearest_m"]
    cols = order + [c for c in out.columns if c not in (*order, "geometry")] + ["geometry"]
    return gpd.GeoDataFrame(out[cols], geometry="geometry", crs=crs(eng))


def area_scores(engine: Engine | None = None) -> gpd.GeoDataFrame:
    """Infrastructure scores of the H3 cells (resolution 9) covering the city, as ``score``
    stored them (default weights; catalogue categories count every offer).

    Parameters
    ----------
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell, CRS ``crs()`` (metres). Columns: ``h3_index``, ``district_code``
        (of the cell centre, None outside every district), ``score`` (0-100), one column per
        scoring category with its value c_k in [0, 1] (e.g. ``kita``, ``gp``), and
        ``geometry`` (Polygon).

    Examples
    --------
    >>> cells = area_scores()
    >>> cells.plot(column="kita", legend=True)  # doctest: +SKIP
    """
    a = models.area_scores
    query = select(a.c.h3_index, a.c.district_code, a.c.score, a.c.category_values, a.c.geom)
    eng = resolve(engine)
    with eng.connect() as conn:
        gdf = gpd.read_postgis(query.order_by(a.c.h3_index), conn, geom_col="geom", crs=crs(eng))
    raw = gdf.pop("category_values")
    values = pd.DataFrame(
        [v if isinstance(v, dict) else json.loads(v) for v in raw], index=gdf.index
    )
    names = scoring_profile().names()
    values = values.reindex(columns=[*names, *(c for c in values.columns if c not in names)])
    geometry = gdf.pop("geom")
    return gpd.GeoDataFrame(pd.concat([gdf, values], axis=1), geometry=geometry, crs=crs(eng))
