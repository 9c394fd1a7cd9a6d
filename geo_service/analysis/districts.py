"""Districts of the social structure plan: status, capacity, utilisation, indicators."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo_service.analysis.source import district_shapes, resolve, scoring_profile
from geo_service.analysis.tables import frame
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.scoring.districts import indicator_table, list_status
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import District


def districts(public: bool = False, engine: Engine | None = None) -> gpd.GeoDataFrame:
    """Every district with its status index, class, capacity and utilisation, as a map layer.

    The figures are those of ``GET /api/v1/districts`` (the same ``list_status`` call).

    Parameters
    ----------
    public : bool, default False
        False: the planners' view with every figure. True: the public view, where districts
        under the profile's minimum population (``suppressed``) show no figures (NaN).
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district, ordered by ``code``, CRS ``crs()`` (metres). Columns: ``code``,
        ``name``, ``ortschaft``, ``year`` (indicator year), ``status_index`` (higher = more
        burden), ``status_class`` (1 high .. 4 very low, NaN when suppressed), ``suppressed``,
        ``capacity``, ``capacity_source``, ``placements``, ``utilisation`` (placements /
        capacity), ``factor`` (district factor B), ``profile_version``, ``computed_at``,
        ``geometry`` (MultiPolygon).

    Examples
    --------
    >>> d = districts()
    >>> d.plot(column="utilisation", legend=True)  # doctest: +SKIP
    """
    eng = resolve(engine)
    with eng.connect() as conn:
        public_cell = scoring_profile().min_cell if public else None
        status = frame(list_status(conn, public_cell), model=District)
    shapes = district_shapes(eng)
    gdf = shapes.merge(status, on="code", how="right")
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs=shapes.crs)[[*status, "geometry"]]


def indicators(
    year: int | None = None,
    engine: Engine | None = None,
    profile: ScoringProfile | None = None,
) -> pd.DataFrame:
    """Social-structure indicators per district and year (the district detail route's figures).

    Parameters
    ----------
    year : int, optional
        Only this year; default every year on file.
    engine : sqlalchemy.Engine, optional
        Database to read; default ``DATABASE_URL`` or the embedded cluster.
    profile : ScoringProfile, optional
        The city's profile, whose indicators are the columns; default the configured one
        (``scoring_profile()``). ``profile.indicator_list()`` gives their labels and units.

    Returns
    -------
    pandas.DataFrame
        One row per district and year, ordered by ``district_code`` and ``year``; no geometry
        (join ``districts()`` on ``code`` for a map). Columns: ``district_code``, ``year``,
        ``residents``, then one column per indicator of the profile in its order (for the
        Salzgitter sample ``unemployment_rate``, ``sgb2_share``, ``child_poverty_rate``,
        ``foreign_share`` in percent, ``refugees_per_1000``; NaN where a year lacks one). Raw
        figures, including those of districts the public view suppresses.

    Raises
    ------
    InputError
        ``year`` is not on file (the message lists the years that are).

    Examples
    --------
    >>> ind = indicators(2024)
    >>> ind.set_index("district_code")["unemployment_rate"].head()  # doctest: +SKIP
    """
    keys = list((profile or scoring_profile()).district.indicators)
    with resolve(engine).connect() as conn:
        df = indicator_table(conn, keys)
    if year is None or df.empty:
        return df
    years = sorted(df["year"].unique().tolist())
    if year not in years:
        raise InputError(
            _("the year {year} has no indicators (on file: {years})").format(year=year, years=years)
        )
    return df[df["year"] == year].reset_index(drop=True)
