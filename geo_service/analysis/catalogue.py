"""The offer catalogue for planners: offers, 2SFCA coverage gaps, language needs, duplicates."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo_service.analysis.source import crs, district_shapes, points, resolve, scoring_profile
from geo_service.analysis.tables import frame, framed
from geo_service.catalogue import service
from geo_service.catalogue.needs import needs_vs_supply
from geo_service.catalogue.offers import search_offers
from geo_service.catalogue.results import CoverageRow, DuplicatePair, Offer
from geo_service.catalogue.store import load_offers
from geo_service.catalogue.vocabulary import check_categories

NEEDS_COLUMNS = ["scope", "language", "households", "category", "offers", "gap"]


def offers(
    language: str | None = None,
    category: str | None = None,
    near: tuple[float, float] | None = None,
    radius_m: float | None = None,
    engine: Engine | None = None,
) -> gpd.GeoDataFrame:
    """Offers of the round table's catalogue, as ``GET /api/v1/offers`` finds them (all pages).

    Parameters
    ----------
    language : str, optional
        Only offers in this ISO 639 language.
    category : str, optional
        Only this catalogue category (e.g. ``"counselling"``).
    near : (float, float), optional
        ``(lon, lat)`` in WGS84 (EPSG:4326): nearest first, with ``distance_m``.
    radius_m : float, optional
        With ``near``: only offers within this many metres.
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per offer, CRS ``crs()`` (metres). Columns: ``id``, ``name``, ``category``,
        ``provider``, ``address``, ``opening_hours``, ``capacity_per_week``, ``contact_role``,
        ``interpreting``, ``district_code``, ``languages`` (list of ISO 639 codes),
        ``distance_m`` (only with ``near``), ``geometry`` (Point).

    Examples
    --------
    >>> ar = offers(language="ar", category="counselling")
    >>> len(ar)  # doctest: +SKIP
    """
    eng = resolve(engine)
    query: dict[str, Any] = {
        "language": language,
        "category": category,
        "near": near,
        "radius_m": radius_m,
    }
    total = search_offers(eng, limit=0, **query).total
    return points(search_offers(eng, limit=max(total, 1), **query).items, eng, Offer)


def coverage_gaps(
    languages: list[str],
    categories: list[str],
    radius_m: float = service.DEFAULT_RADIUS_M,
    e2sfca: bool = False,
    engine: Engine | None = None,
) -> gpd.GeoDataFrame:
    """2SFCA access to offers per district × category × language, as the coverage route
    computes it; ``gap`` marks districts where no household has an offer within reach.

    Demand is the placed (held or confirmed) households, or every flat as one household of
    unknown language while nobody is placed; supply is each offer's weekly capacity.

    Parameters
    ----------
    languages : list of str
        ISO 639 codes; an offer counts when it is in the language or offers interpreting.
    categories : list of str
        Catalogue categories (e.g. ``["counselling", "language_course"]``).
    radius_m : float, default 2000
        Catchment in metres (step 2SFCA).
    e2sfca : bool, default False
        True: enhanced 2SFCA with the scoring profile's decay per category (``radius_m`` is
        then the category's ``zero_m``).
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district, category and language with demand, CRS ``crs()`` (metres).
        Columns: ``district_code``, ``category``, ``language``, ``households``,
        ``access_per_household`` (offer capacity per household within reach),
        ``without_offer_in_reach``, ``gap``, ``geometry`` (the district's MultiPolygon).

    Examples
    --------
    >>> cov = coverage_gaps(["ar", "uk"], ["counselling"])
    >>> cov[cov["gap"]]  # doctest: +SKIP
    """
    eng = resolve(engine)
    check_categories(categories, scoring_profile())
    profile = scoring_profile() if e2sfca else None
    rows = frame(service.coverage(eng, languages, categories, radius_m, profile), model=CoverageRow)
    shapes = district_shapes(eng).rename(columns={"code": "district_code"})
    out = shapes.merge(rows, on="district_code", how="right")
    return gpd.GeoDataFrame(out[[*rows.columns, "geometry"]], geometry="geometry", crs=crs(eng))


def language_needs(
    languages: list[list[str]],
    districts: list[str] | None = None,
    categories: list[str] | None = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Households needing each language against the offers in it, per category: where the
    catalogue has nothing in a language households speak.

    Parameters
    ----------
    languages : list of list of str
        The languages of each household (ISO 639), e.g. from a batch's profiles.
    districts : list of str, optional
        Each household's district code (e.g. where an allocation placed it); default the
        city as a whole only.
    categories : list of str, optional
        Catalogue categories; default every category in the catalogue.
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    pandas.DataFrame
        One row per scope (``"city"`` or a district code), language and category, the city
        first, most needed languages first. Columns: ``scope``, ``language``, ``households``,
        ``category``, ``offers`` (offers listing the language), ``gap`` (no such offer).

    Examples
    --------
    >>> needs = language_needs([["ar"], ["ar", "en"], ["uk"]])
    >>> needs[needs["gap"]]  # doctest: +SKIP
    """
    catalogue, _ = load_offers(resolve(engine))
    cats = categories or sorted({o["category"] for o in catalogue})
    scopes = districts if districts is not None else [""] * len(languages)
    rows = framed(
        needs_vs_supply(list(zip(scopes, languages, strict=True)), catalogue, cats), NEEDS_COLUMNS
    )
    return rows[rows["scope"] != ""].reset_index(drop=True)


def duplicates(threshold: float | None = None, engine: Engine | None = None) -> pd.DataFrame:
    """Likely duplicate offers, as the duplicates route reports them.

    Parameters
    ----------
    threshold : float, optional
        Similarity in (0, 1] from which a pair is reported; default the service's (0.7).
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    pandas.DataFrame
        One row per pair, best first, no geometry. Columns: ``a``, ``b`` (offer ids),
        ``category``, ``distance_m`` (metres apart), ``score`` (similarity) and ``reason``.

    Examples
    --------
    >>> duplicates().head()  # doctest: +SKIP
    """
    return frame(service.duplicates(resolve(engine), threshold), model=DuplicatePair)
