"""Render the maps to offline HTML: public maps to ``maps/``, household maps on request."""

from __future__ import annotations

from pathlib import Path

import folium
from sqlalchemy import Engine

from geo_service.catalogue.service import DEFAULT_RADIUS_M
from geo_service.db.crs import storage_crs
from geo_service.maps import builders, data
from geo_service.maps.assets import localise, vendor
from geo_service.maps.isochrone import walking_isochrones
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import cached_ranker, held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import RankedFlat

PUBLIC = ("districts", "infrastructure", "offers", "flats")
STATIC = "static"


def html_of(m: folium.Map, prefix: str) -> str:
    """A map as self-contained HTML whose assets load from ``prefix``."""
    return localise(m.get_root().render(), prefix)


def public_maps(engine: Engine, profile: ScoringProfile) -> dict[str, folium.Map]:
    """Build the four public maps from the database; indicator and category layers follow
    the city's profile."""
    interpreting = profile.catalogue.interpreting_language
    indicators = profile.indicator_list()
    with engine.connect() as conn:
        d = data.districts(conn, [i.key for i in indicators])
        return {
            "districts": builders.districts_map(d, indicators),
            "infrastructure": builders.infrastructure_map(
                data.area_scores(conn), data.amenities(conn), profile.category_list("amenity")
            ),
            "offers": builders.offers_map(
                data.offers(conn),
                d,
                data.coverage_gaps(engine, interpreting),
                DEFAULT_RADIUS_M / 1000,
            ),
            "flats": builders.flats_map(data.flats(conn), d),
        }


def render_public(engine: Engine, out: Path, profile: ScoringProfile) -> dict[str, Path]:
    """Write the public maps and their assets into ``out``; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    vendor(out / STATIC)
    files = {}
    for name, m in public_maps(engine, profile).items():
        files[name] = out / f"{name}.html"
        files[name].write_text(html_of(m, STATIC), encoding="utf-8")
    return files


def household_map(
    engine: Engine, profile: ScoringProfile, household: Household, top: int = 10
) -> tuple[folium.Map, list[RankedFlat]]:
    """The ranking map of one household (never written to the public folder), with walking
    isochrones around the best flat when a street network is loaded."""
    ranking = cached_ranker(engine, profile).rank(household, top, held=held_flats(engine))
    results = ranking.results
    with engine.connect() as conn:
        d, f = data.districts(conn), data.flats(conn)
        iso = None
        if results:
            chosen = f.set_index("id").geometry.loc[[results[0].flat_id]]
            best = chosen.to_crs(storage_crs(conn).srid).iloc[0]
            iso = walking_isochrones(conn, best.x, best.y)
    m = builders.household_map(results, f, d, household.model_dump(mode="json"), iso)
    return m, results
