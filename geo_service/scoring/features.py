"""Accessibility features: k nearest targets and counts per source point and category."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from geo_service.scoring.decay import Array
from geo_service.scoring.profile import ScoringProfile

if TYPE_CHECKING:  # the ranker reads this module's keys without loading scipy or pandas
    import pandas as pd

    from geo_service.scoring.distance import DistanceBackend

NO_LANGUAGE = ""  # key of categories that do not depend on language
INTERPRETING_ONLY = "*"  # catalogue key for a language no offer lists: interpreting offers only
ANY_LANGUAGE = "any"  # catalogue key counting every offer (area scores for planners)


@dataclass(frozen=True)
class TargetSet:
    """Target points (metres) of one category and language key, with ids and names."""

    xy: Array
    ids: np.ndarray
    names: np.ndarray


@dataclass(frozen=True)
class Features:
    """For every source: k nearest distances (m), target positions, counts within full/zero."""

    dist: Array
    idx: np.ndarray
    count_full: np.ndarray
    count_zero: np.ndarray
    # transit categories: ``dist`` holds minutes; the first route ridden (None: on foot) and
    # its headway (minutes) at the access stop
    route: np.ndarray | None = None
    headway_min: Array | None = None


class TransitFeatures(Protocol):
    """Features of the transit categories (``geo_service.transit.scoring``)."""

    def features(
        self, sources: Array, sets: dict[tuple[str, str], TargetSet]
    ) -> dict[tuple[str, str], Features]:
        """Median travel minutes per source and target set."""
        ...


def target_sets(
    amenities: pd.DataFrame, offers: pd.DataFrame, profile: ScoringProfile, with_any: bool = False
) -> dict[tuple[str, str], TargetSet]:
    """Group amenities by category and offers by (category, language key) per the profile."""

    def pack(df: pd.DataFrame) -> TargetSet:
        return TargetSet(
            df[["x", "y"]].to_numpy(float),
            df["id"].to_numpy(object),
            df["name"].fillna("").to_numpy(object),
        )

    sets = {
        (c, NO_LANGUAGE): pack(amenities[amenities.category == c]) for c in profile.names("amenity")
    }
    interp = offers["interpreting"].to_numpy(bool) & offers["languages"].map(
        lambda xs: profile.catalogue.interpreting_language in xs
    ).to_numpy(bool)
    languages = sorted({x for xs in offers["languages"] for x in xs})
    for cat in profile.names("catalogue"):
        in_cat = offers["category"].isin(profile.categories[cat].offer_categories).to_numpy(bool)
        keys = {
            lang: offers["languages"].map(lambda xs, lg=lang: lg in xs).to_numpy(bool)
            for lang in languages
        }
        keys[INTERPRETING_ONLY] = np.zeros(len(offers), dtype=bool)
        if with_any:
            keys[ANY_LANGUAGE] = np.ones(len(offers), dtype=bool)
        for lang, speaks in keys.items():
            sets[(cat, lang)] = pack(offers[in_cat & (speaks | interp)])
    return sets


def compute(
    sources: Array,
    sets: dict[tuple[str, str], TargetSet],
    profile: ScoringProfile,
    backend: DistanceBackend,
    transit: TransitFeatures | None = None,
) -> dict[tuple[str, str], Features]:
    """Features of every source point for every (category, language key) target set; the
    transit categories' from ``transit`` (travel minutes), the others' from ``backend``."""
    out = {}
    for (cat, lang), ts in sets.items():
        if profile.is_transit(cat):
            continue
        radii = (profile.full_m(cat), profile.zero_m(cat))
        dist, idx, (full, zero) = backend.query(sources, ts.xy, profile.k_nearest, radii)
        out[(cat, lang)] = Features(dist, idx, full, zero)
    by_transit = {key: ts for key, ts in sets.items() if profile.is_transit(key[0])}
    if by_transit:
        if transit is None:
            raise ValueError("transit categories need their transit features")
        out.update(transit.features(sources, by_transit))
    return {key: out[key] for key in sets}
