"""Catalogue functions for the CLI, API and notebooks: referrals, coverage gaps, duplicates."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection

import numpy as np
from sqlalchemy import Connection, Engine

from geo_service.catalogue.coverage import Weight, coverage_2sfca, smoothstep_weight, step_weight
from geo_service.catalogue.duplicates import find_duplicates
from geo_service.catalogue.referral import rank_referrals
from geo_service.catalogue.results import CoverageRow, DuplicatePair, Referral
from geo_service.catalogue.store import (
    check_languages,
    flats_as_demand,
    load_offers,
    placed_households,
    point_xy,
    vocabulary,
)
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.scoring.profile import ScoringProfile
from geo_service.suppression import is_small

DEFAULT_RADIUS_M = 2000.0


def referrals(
    bind: Engine | Connection,
    near: str,
    languages: list[str],
    *,
    category: str | None = None,
    radius_m: float | None = None,
    limit: int = 10,
) -> list[Referral]:
    """Offers near a flat id or 'lon,lat' in the given languages (German fallback flagged)."""
    codes = check_languages(languages)
    offers, xy = load_offers(bind)
    origin = point_xy(bind, near)
    found = rank_referrals(
        offers, xy, origin, codes, category=category, radius_m=radius_m, limit=limit
    )
    return [Referral.model_validate(r) for r in found]


def e2sfca_weight(profile: ScoringProfile, category: str) -> tuple[Weight, float]:
    """The profile's decay for an offer category (E2SFCA) and its zero distance as radius."""
    name = profile.offer_category_map().get(category)
    if name is None:
        raise InputError(
            _("category “{category}” is not mapped in the profile “{profile}”").format(
                category=category, profile=profile.name
            )
        )
    return smoothstep_weight(profile.full_m(name), profile.zero_m(name)), profile.zero_m(name)


def coverage(
    bind: Engine | Connection,
    languages: list[str],
    categories: list[str],
    radius_m: float = DEFAULT_RADIUS_M,
    profile: ScoringProfile | None = None,
) -> list[CoverageRow]:
    """2SFCA access per district × category × language (E2SFCA with the profile's decay if
    given); gap when no offer is within reach."""
    codes = check_languages(languages)
    offers, oxy = load_offers(bind)
    homes, hxy = placed_households(bind)
    if not homes:
        homes, hxy = flats_as_demand(bind)
    districts = np.array([h["district_code"] or "" for h in homes])
    rows = []
    for cat in categories:
        weight, reach = e2sfca_weight(profile, cat) if profile else (step_weight, radius_m)
        for lang in codes:
            speaks = np.array([not h["languages"] or lang in h["languages"] for h in homes], bool)
            serves = np.array(
                [
                    o["category"] == cat and (lang in o["languages"] or o["interpreting"])
                    for o in offers
                ],
                bool,
            ).reshape(-1)
            cap = np.array([o["capacity_per_week"] or 1 for o in offers], float)
            access = coverage_2sfca(
                hxy[speaks], np.ones(int(speaks.sum())), oxy[serves], cap[serves], reach, weight
            )
            for code in sorted(set(districts[speaks])):
                a = access[districts[speaks] == code]
                rows.append(
                    CoverageRow(
                        district_code=code,
                        category=cat,
                        language=lang,
                        households=len(a),
                        access_per_household=round(float(a.mean()), 4),
                        without_offer_in_reach=int((a == 0).sum()),
                        gap=bool((a == 0).all()),
                    )
                )
    return rows


def as_csv(rows: list[CoverageRow]) -> str:
    """Coverage rows as CSV text with a header line (the JSON field names)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(CoverageRow.model_fields))
    writer.writeheader()
    writer.writerows(r.model_dump() for r in rows)
    return buf.getvalue()


def all_coverage(
    bind: Engine | Connection, min_cell: int, skip_languages: Collection[str] = ()
) -> list[CoverageRow]:
    """The coverage rows of every offer category and every language the catalogue has (but
    ``skip_languages``), with the default 2SFCA radius, as public outputs show them
    (``public_rows``); a district has rows only where households live."""
    categories, languages = vocabulary(bind)
    languages = [lang for lang in languages if lang not in skip_languages]
    if not categories or not languages:
        return []
    return public_rows(coverage(bind, languages, categories), min_cell)


def public_rows(rows: list[CoverageRow], min_cell: int) -> list[CoverageRow]:
    """The rows a public output may show: a district's language spoken by fewer than
    ``min_cell`` households is left out (primary suppression), so that a gap, or its count of
    homes, cannot tell where a single household of that language lives. Nothing sums the
    rows of a district (a household may speak several languages), so no margin gives a left-out
    row back."""
    return [r for r in rows if not is_small(r.households, min_cell)]


def all_gaps(
    bind: Engine | Connection, min_cell: int, skip_languages: Collection[str] = ()
) -> list[CoverageRow]:
    """The coverage rows that are gaps (see ``all_coverage``)."""
    return [r for r in all_coverage(bind, min_cell, skip_languages) if r.gap]


def duplicates(bind: Engine | Connection, threshold: float | None = None) -> list[DuplicatePair]:
    """Likely duplicate offer pairs with score and reason (default threshold in duplicates.py)."""
    offers, xy = load_offers(bind)
    found = (
        find_duplicates(offers, xy) if threshold is None else find_duplicates(offers, xy, threshold)
    )
    return [DuplicatePair.model_validate(p) for p in found]


def languages_and_categories(
    engine: Engine, languages: list[str] | None, categories: list[str] | None
) -> tuple[list[str], list[str]]:
    """The requested languages and categories, or every one the catalogue has."""
    known_categories, known_languages = vocabulary(engine)
    return languages or known_languages, categories or known_categories
