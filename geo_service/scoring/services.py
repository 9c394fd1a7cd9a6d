"""Service places per district (kita, school levels, language courses): what a household needs,
what is left, and the hard constraint "services" with its reason in words.

The free places come from ``geo-service ingest capacities`` (as of a day); every placement
confirmed since then uses up the places stored with its reservation (``services``). A district
without a row for a kind is not limited in that kind (nothing is known about it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import Connection, Integer, func, select

from geo_service.db import models
from geo_service.i18n import _, ngettext
from geo_service.scoring.fit import Constraint
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import FullService

# district code -> kind -> {"free": imported, "used": since as_of, "left": free - used, "as_of"}
PlacesByDistrict = dict[str, dict[str, dict[str, Any]]]


def demand(profile: ScoringProfile, household: Household) -> dict[str, int]:
    """The places a household takes per service kind (only kinds it needs): one per child in
    the kind's age band, one seat for a household with the kind's need."""
    out = {}
    for kind, service in profile.services.items():
        if service.need is not None:
            n = int(service.need in household.needs)
        else:
            assert service.min_age is not None and service.max_age is not None
            n = sum(service.min_age <= a <= service.max_age for a in household.children_ages)
        if n:
            out[kind] = n
    return out


def read_places(conn: Connection) -> PlacesByDistrict:
    """Free, used and left places per district and kind: the imported free places minus what
    the placements confirmed on or after their day take (one query)."""
    c, r = models.service_capacities, models.reservations
    used = (
        select(func.coalesce(func.sum(r.c.services[c.c.kind].astext.cast(Integer)), 0))
        .where(
            r.c.district_code == c.c.district_code,
            r.c.status == "confirmed",
            r.c.confirmed_at >= c.c.as_of,
        )
        .scalar_subquery()
    )
    out: PlacesByDistrict = {}
    for code, kind, free, as_of, taken in conn.execute(
        select(c.c.district_code, c.c.kind, c.c.free_places, c.c.as_of, used).order_by(
            c.c.district_code, c.c.kind
        )
    ):
        out.setdefault(code, {})[kind] = {
            "free": int(free),
            "used": int(taken),
            "left": max(int(free) - int(taken), 0),
            "as_of": as_of,
        }
    return out


def left_matrix(
    places: Mapping[str, Mapping[str, Mapping[str, Any]]], codes: list[str], kinds: list[str]
) -> np.ndarray:
    """Places left as (districts x kinds), +inf where nothing is known (not limited)."""
    out = np.full((len(codes), len(kinds)), np.inf)
    for d, code in enumerate(codes):
        for k, kind in enumerate(kinds):
            known = places.get(code, {}).get(kind)
            if known is not None:
                out[d, k] = known["left"]
    return out


def _label(profile: ScoringProfile, kind: str) -> str:
    """The places' name in German ("Kita-Plätze")."""
    service = profile.services.get(kind)
    return service.label if service else kind


def full_sentence(profile: ScoringProfile, kind: str, district: str, left: int, need: int) -> str:
    """'Kita-Plätze in Beinum belegt (0 frei, 2 nötig)'."""
    return _("{places} in {district} taken ({left} free, {need} needed)").format(
        places=_label(profile, kind), district=district, left=left, need=need
    )


def services_constraint(
    profile: ScoringProfile,
    household: Household,
    status: Mapping[str, Mapping[str, Any]],
    district_codes: list[str],
    district_index: np.ndarray,
) -> Constraint | None:
    """The hard constraint "services": every place the household needs is free in the flat's
    district (None when it needs none, or no district has a figure for what it needs)."""
    need = demand(profile, household)
    places = {c: s.get("services") or {} for c, s in status.items()}
    kinds = [k for k in need if any(k in p for p in places.values())]
    if not kinds:
        return None
    left = left_matrix(places, district_codes, kinds)
    wanted = np.array([need[k] for k in kinds], dtype=float)
    ok_district = np.append((left >= wanted).all(axis=1), True)  # index -1: no district
    passed = ok_district[district_index]

    def describe(i: int) -> str:
        d = int(district_index[i])
        if d < 0:
            return _("in no district: no figures for its places")
        code = district_codes[d]
        name = str(status.get(code, {}).get("name") or code)
        parts = []
        for k, kind in enumerate(kinds):
            label = _label(profile, kind)
            if not np.isfinite(left[d, k]):
                parts.append(
                    _("{places} in {district}: no figures").format(places=label, district=name)
                )
            elif left[d, k] < wanted[k]:
                parts.append(full_sentence(profile, kind, name, int(left[d, k]), need[kind]))
            else:
                parts.append(
                    _("{places} in {district}: {left} free, {need} needed").format(
                        places=label, district=name, left=int(left[d, k]), need=need[kind]
                    )
                )
        return "; ".join(parts)

    return Constraint("services", passed, describe)


def full_services(
    profile: ScoringProfile,
    household: Household,
    status: Mapping[str, Mapping[str, Any]],
    district_codes: list[str],
    district_index: np.ndarray,
    mask: np.ndarray,
) -> list[FullService]:
    """Per district holding flats of ``mask`` (free flats that fit but for the services), each
    kind whose places left do not cover the household's need, with how many flats it costs."""
    need = demand(profile, household)
    places = {c: s.get("services") or {} for c, s in status.items()}
    kinds = list(need)
    if not kinds or not mask.any():
        return []
    left = left_matrix(places, district_codes, kinds)
    index = district_index[mask]
    counts = np.bincount(index[index >= 0], minlength=len(district_codes))
    out = []
    for d in np.flatnonzero(counts):
        code = district_codes[d]
        name = str(status.get(code, {}).get("name") or code)
        for k, kind in enumerate(kinds):
            if left[d, k] < need[kind]:
                out.append(
                    FullService(
                        code=code,
                        name=status.get(code, {}).get("name"),
                        kind=kind,
                        label=_label(profile, kind),
                        left=int(left[d, k]),
                        needed=need[kind],
                        fitting_flats=int(counts[d]),
                        explanation=full_sentence(profile, kind, name, int(left[d, k]), need[kind]),
                    )
                )
    return out


def service_note(full: FullService) -> str:
    """A ranking's note on a full service: 'Kita-Plätze in Beinum belegt (0 frei, 1 nötig):
    3 sonst passende Wohnungen dort nicht gelistet'."""
    n = full.fitting_flats
    flats = ngettext(
        "{n} flat there that fits otherwise is not listed",
        "{n} flats there that fit otherwise are not listed",
        n,
    ).format(n=n)
    return f"{full.explanation}: {flats}"
