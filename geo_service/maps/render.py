"""Render the maps to offline HTML: public maps to ``maps/``, household maps on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import shapely
from sqlalchemy import Engine

from geo_service.catalogue.service import DEFAULT_RADIUS_M
from geo_service.db.crs import storage_crs
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.maps import base, basemap, builders, data
from geo_service.maps import household as household_page
from geo_service.maps.assets import localise, vendor
from geo_service.maps.isochrone import transit_isochrones, walking_isochrones
from geo_service.maps.tiles import sidecar_name
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.scoring.results import RankedFlat

PUBLIC = ("districts", "infrastructure", "offers", "flats")
STATIC = "static"


def html_of(m: folium.Map, prefix: str) -> str:
    """A map as self-contained HTML whose assets load from ``prefix``, its language declared
    on ``<html>`` (screen readers read it in the map's language)."""
    html = m.get_root().render().replace("<html>", f'<html lang="{base.labels().lang}">', 1)
    return localise(html, prefix)


def public_maps(engine: Engine, profile: ScoringProfile) -> dict[str, folium.Map]:
    """Build the four public maps from the database; indicator and category layers follow
    the city's profile."""
    interpreting = profile.catalogue.interpreting_language
    indicators = profile.indicator_list()
    with engine.connect() as conn:
        d = data.districts(conn, profile.min_cell, [i.key for i in indicators])
        return {
            "districts": builders.districts_map(
                d, indicators, profile.district.min_population, profile.min_cell
            ),
            "infrastructure": builders.infrastructure_map(
                data.area_scores(conn), data.amenities(conn), profile.category_list("amenity"), d
            ),
            "offers": builders.offers_map(
                data.offers(conn),
                d,
                data.coverage_gaps(engine, interpreting, profile.min_cell),
                DEFAULT_RADIUS_M / 1000,
            ),
            "flats": builders.flats_map(data.flats(conn), d),
        }


def build_basemap(
    engine: Engine, pbf: Path, static_dir: Path, profile: ScoringProfile
) -> dict[str, int]:
    """Build the city's base layer from its OSM extract (the districts plus the profile's
    boundary zone, at most 2 km) into ``static_dir``; return what it holds per layer."""
    with engine.connect() as conn:
        d = data.district_shapes(conn)
        srid = storage_crs(conn).srid
    if d.empty:
        raise InputError(_("no districts: import the districts before building the base map"))
    area = shapely.union_all(d.geometry.to_numpy())
    layer = basemap.build(pbf, area, srid, min(profile.boundary_zone_m, 2000.0))
    basemap.write(layer, static_dir)
    return basemap.summary(layer)


def render_public(
    engine: Engine, out: Path, profile: ScoringProfile, pbf: Path | None = None
) -> dict[str, Path]:
    """Write the public maps and their assets into ``out`` (building the base layer from
    ``pbf`` first if given); return the files."""
    out.mkdir(parents=True, exist_ok=True)
    if pbf is not None:
        build_basemap(engine, pbf, out / STATIC, profile)
    vendor(out / STATIC)
    files = {}
    for name, m in public_maps(engine, profile).items():
        files[name] = write_map(m, out / f"{name}.html")
    return files


def write_map(m: folium.Map, path: Path) -> Path:
    """Write a map to ``path`` with its tile data for opening from disk in ``static/``
    beside it; return ``path``."""
    path.write_text(html_of(m, STATIC), encoding="utf-8")
    for collection, script in getattr(m, "sidecars", {}).items():
        (path.parent / STATIC / sidecar_name(collection)).write_text(script, encoding="utf-8")
    return path


def household_map(
    engine: Engine,
    profile: ScoringProfile,
    household: Household | None,
    top: int = 10,
    form: bool = False,
    raw: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    *,
    rankers: RankerCache | None = None,
) -> tuple[folium.Map, list[RankedFlat]]:
    """The ranking map of one household (never written to the public folder), with what is
    within reach of the best flat (walking isochrones in network mode); ``form`` adds the
    household form (prefilled with ``raw`` and showing ``errors`` when the profile was bad)."""
    results: list[RankedFlat] = []
    if household is not None:
        ranker = ranker_of(rankers, engine, profile)
        results = ranker.rank(household, top, held=held_flats(engine)).results
    with engine.connect() as conn:
        d, f = data.districts(conn, profile.min_cell), data.flats(conn)
        iso = transit = None
        if results:
            chosen = f.set_index("id").geometry.loc[[results[0].flat_id]]
            best = chosen.to_crs(storage_crs(conn).srid).iloc[0]
            if results[0].distance_mode == "network":
                iso = walking_isochrones(conn, best.x, best.y)
            transit = transit_isochrones(conn, profile, best.x, best.y)
        languages = data.offer_languages(conn) if form else None
    shown = household.model_dump(mode="json") if household is not None else raw
    m = household_page.household_map(
        results, f, d, shown, profile, iso, form=languages, errors=errors or [], transit=transit
    )
    return m, results
