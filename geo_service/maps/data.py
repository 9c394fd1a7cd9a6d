"""What the maps show, read from PostGIS as GeoDataFrames in WGS84 (coordinates rounded)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, Label, Select, Table, func, select

from geo_service.catalogue.results import CoverageRow
from geo_service.catalogue.service import all_coverage
from geo_service.db import models
from geo_service.features.collections import cell_score
from geo_service.scoring.districts import indicator_table, public_view

DECIMALS = 6


def _read(conn: Connection, query: Select[Any]) -> gpd.GeoDataFrame:
    """A query with a ``geom`` column in EPSG:4326 as a GeoDataFrame, rounded to 6 decimals."""
    gdf = gpd.read_postgis(query, conn, geom_col="geom", crs=4326)
    gdf["geom"] = shapely.set_precision(gdf.geometry.to_numpy(), 10.0**-DECIMALS)
    return gdf


def wgs(table: Table) -> Label[Any]:
    """The table's geometry in WGS84."""
    return func.ST_Transform(table.c.geom, 4326).label("geom")


def district_shapes(conn: Connection) -> gpd.GeoDataFrame:
    """District codes, names and polygons (nothing scored needed)."""
    d = models.districts
    return _read(conn, select(d.c.code, d.c.name, wgs(d)).order_by(d.c.code))


def districts(
    conn: Connection, min_cell: int, indicators: list[str] | None = None
) -> gpd.GeoDataFrame:
    """Districts with status, residents and the latest values of ``indicators`` (keys), as
    public output shows them (``public_view`` with the profile's ``min_cell``)."""
    d, ds = models.districts, models.district_status
    gdf = _read(conn, select(d.c.code, d.c.name, wgs(d)).order_by(d.c.code))
    rows = [dict(r) for r in conn.execute(select(ds)).mappings()]
    status = pd.DataFrame(public_view(rows, min_cell), columns=[*ds.c.keys(), "small_count"])
    ind = indicator_table(conn, indicators or [], latest=True).drop(columns="year")
    if "year" not in status:
        status["year"] = None
    gdf = gdf.merge(status, left_on="code", right_on="district_code", how="left")
    gdf = gdf.merge(
        ind, left_on="code", right_on="district_code", how="left", suffixes=("", "_ind")
    )
    small = gdf["suppressed"].fillna(False).astype(bool)
    cols = ["residents", *[c for c in ind.columns if c not in ("district_code", "residents")]]
    gdf.loc[small, cols] = None
    return gdf.drop(columns=[c for c in gdf.columns if c.startswith("district_code")])


def area_scores(conn: Connection) -> gpd.GeoDataFrame:
    """H3 cells with score and per-category values."""
    a = models.area_scores
    gdf = _read(
        conn, select(a.c.h3_index, a.c.score, a.c.category_values, a.c.distance_mode, wgs(a))
    )
    values = pd.json_normalize(gdf.pop("category_values").tolist())
    return gpd.GeoDataFrame(pd.concat([gdf, values], axis=1), geometry="geom", crs=4326)


def amenities(conn: Connection) -> gpd.GeoDataFrame:
    """Amenity points with category and name."""
    a = models.amenities
    return _read(conn, select(a.c.category, a.c.name, wgs(a)))


def offers(conn: Connection) -> gpd.GeoDataFrame:
    """Active offers with their languages."""
    o, ol = models.offers, models.offer_languages
    langs = select(func.string_agg(ol.c.language, ", ")).where(ol.c.offer_id == o.c.id)
    q = select(
        o.c.id,
        o.c.name,
        o.c.category,
        o.c.provider,
        o.c.opening_hours,
        o.c.capacity_per_week,
        o.c.interpreting,
        langs.scalar_subquery().label("languages"),
        wgs(o),
    ).where(models.active_offer())
    return _read(conn, q.order_by(o.c.id))


def flats(conn: Connection) -> gpd.GeoDataFrame:
    """Available flats with their default infrastructure score (nearest H3 cell's score)."""
    f = models.flats
    score = cell_score(f).label("score")
    q = select(
        f.c.id,
        f.c.rooms,
        f.c.living_area_m2,
        f.c.rent_gross_cold_eur,
        f.c.available_from,
        f.c.district_code,
        f.c.address,
        score,
        wgs(f),
    ).where(f.c.available)
    gdf = _read(conn, q.order_by(f.c.id))
    gdf["available_from"] = gdf["available_from"].astype(str)
    return gdf


def offer_languages(conn: Connection) -> list[str]:
    """Every language the catalogue's offers are given in (the household form offers them)."""
    ol, o = models.offer_languages, models.offers
    q = select(ol.c.language).join(o, o.c.id == ol.c.offer_id).where(models.active_offer())
    return list(conn.execute(q.distinct().order_by(ol.c.language)).scalars())


def coverage_gaps(engine: Engine, interpreting_language: str, min_cell: int) -> pd.DataFrame:
    """The gap table (``gap_table``) of every language the catalogue offers besides the
    interpreting language, without the languages of fewer than ``min_cell`` households."""
    return gap_table(all_coverage(engine, min_cell, {interpreting_language}))


def gap_table(rows: list[CoverageRow]) -> pd.DataFrame:
    """Per district where households live, the (category, language) pairs with no offer
    within reach (2SFCA gaps; ``n_gaps`` 0 and ``gaps`` "" where every pair is served). A
    district without households has no row: gaps are counted only where households live."""
    table = pd.DataFrame([r.model_dump() for r in rows])
    if table.empty:
        return pd.DataFrame(columns=["code", "n_gaps", "gaps"])
    gaps = table[table["gap"]].sort_values(["category", "language"])
    per_category = gaps.groupby(["district_code", "category"])["language"].agg(", ".join)
    text = per_category.reset_index().assign(line=lambda t: t["category"] + ": " + t["language"])
    evaluated = pd.Index(table["district_code"].unique(), name="district_code")
    return (
        pd.DataFrame(
            {
                "n_gaps": gaps.groupby("district_code").size().reindex(evaluated, fill_value=0),
                "gaps": text.groupby("district_code")["line"]
                .agg("; ".join)
                .reindex(evaluated, fill_value=""),
            }
        )
        .rename_axis("code")
        .reset_index()
    )
