"""Explanations in words: the decay rule, a place's share, the district factor, empty rankings."""

from __future__ import annotations

from datetime import date
from typing import Any

from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import Exclusions, FullDistrict

ORDINALS = ("nearest", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th")


def metres(d: float) -> str:
    """Distance in words: '240 m', '10.6 km'."""
    return f"{d:,.0f} m" if d < 10_000 else f"{d / 1000:,.1f} km"


def plural(n: float, word: str) -> str:
    """'1 room', '2 rooms', '2.5 rooms'."""
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def percent(share: float) -> str:
    """A share as '91 %'."""
    return f"{share * 100:.0f} %"


def decay_rule(profile: ScoringProfile, category: str) -> str:
    """The category's decay and rank weights in words."""
    cat = profile.categories[category]
    full, zero = profile.full_m(category), profile.zero_m(category)
    if profile.is_transit(category):
        start, end, day = profile.window(category)
        return (
            f"by public transport and on foot: counts fully up to {full:g} min, less and less "
            f"beyond, nothing from {zero:g} min; the median of departures every minute "
            f"{start}–{end} on a {day}"
        )
    ranks = ", ".join(
        f"the {ORDINALS[i]} ×{w:g}" for i, w in enumerate(cat.rank_weights[: len(ORDINALS)])
    )
    capped = "; together at most 1" if sum(cat.rank_weights) > 1 else ""
    return (
        f"counts fully up to {metres(full)}, less and less beyond, nothing from {metres(zero)}; "
        f"{ranks}{capped}"
    )


def place_note(distance_m: float, share: float, full_m: float, zero_m: float) -> str | None:
    """Why a place counts little or nothing (None when it counts fully)."""
    if distance_m >= zero_m:
        return f"{metres(distance_m)} away, beyond {metres(zero_m)}: counts 0"
    if distance_m > full_m:
        return f"{metres(distance_m)} away, beyond {metres(full_m)}: counts {percent(share)}"
    return None


def district_sentence(info: dict[str, Any], profile: ScoringProfile) -> str:
    """'Thiede is at 91 % of its quota (120 of 132): × 0.45 (...)'."""
    rules = profile.district
    name = info.get("name") or info.get("code")
    if name is None:
        return "the flat lies in no known district: × 0"
    u, factor = float(info.get("utilisation") or 0.0), float(info.get("factor") or 0.0)
    cap, placed = info.get("capacity"), info.get("placements")
    counts = f" ({placed} of {cap})" if cap is not None and placed is not None else ""
    head = f"{name} is at {percent(u)} of its quota{counts}: × {factor:.2f}"
    full, zero = rules.utilisation_full, rules.utilisation_zero
    if factor >= 1.0:
        return f"{head} (full factor below {percent(full)})"
    if factor <= 0.0:
        return f"{head} (at its cap: no placements from {percent(zero)})"
    return f"{head} (the factor falls from 1 at {percent(full)} to 0 at {percent(zero)})"


def summary(placement: float, score: float, factor: float, eligible: bool) -> str:
    """The placement score as a formula in words."""
    if not eligible:
        return f"placement 0: fails a hard constraint (infrastructure {score:.2f})"
    return f"placement {placement:.2f} = infrastructure {score:.2f} × district factor {factor:.2f}"


def flat_notes(
    failed: list[str], factor: float, unreachable: bool, district: str | None
) -> list[str]:
    """Why a single flat scores low or zero."""
    notes = []
    if failed:
        notes.append("placement score 0: fails " + "; ".join(failed))
    if factor <= 0.0:
        notes.append(f"placement score 0: {district or 'its district'} is at its cap (factor 0)")
    if unreachable:
        notes.append("the flat lies too far from the street network: every category counts 0")
    return notes


def ranking_notes(
    *,
    returned: int,
    limit: int,
    considered: int,
    excluded: Exclusions,
    failed: dict[str, int],
    full: list[FullDistrict],
    move_in: date,
    today: date,
    override_cap: bool,
) -> list[str]:
    """Why a ranking came back empty or short, in words (nothing when it is full)."""
    notes = []
    if override_cap:
        notes.append(
            "district caps overridden on request: flats in full districts are listed with "
            "placement score 0 (audited)"
        )
    if move_in < today:
        notes.append(
            f"move_in {move_in.isoformat()} lies in the past: only flats available by then fit"
        )
    if returned >= limit:
        return notes
    parts = []
    if excluded.outside_districts:
        parts.append(f"{excluded.outside_districts} outside the requested districts")
    if excluded.not_on_offer:
        parts.append(f"{excluded.not_on_offer} no longer on offer")
    if excluded.held:
        parts.append(f"{excluded.held} reserved")
    if excluded.constraint:
        worst = sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))
        which = ", ".join(f"{name} {n}" for name, n in worst if n)
        parts.append(f"{excluded.constraint} failing a hard constraint ({which})")
    if excluded.district_full:
        names = ", ".join(d.name or d.code for d in full)
        parts.append(f"{excluded.district_full} in districts at their cap ({names})")
    head = "no flat fits" if returned == 0 else f"only {plural(returned, 'flat')} fit"
    notes.append(f"{head}; of {considered} flats: " + "; ".join(parts) if parts else head)
    return notes
