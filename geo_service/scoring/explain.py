"""Explanations in words for a clerk (current language): the decay rule, a place's share, the
district's quota, the placement score, empty rankings. No formulas: what counts, how much."""

from __future__ import annotations

from datetime import date
from typing import Any

from geo_service.i18n import N_, _, ngettext
from geo_service.i18n.formats import day, distance, number, percent, plain
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import Exclusions, FullDistrict

ORDINALS = (
    N_("the nearest"),
    N_("the 2nd nearest"),
    N_("the 3rd nearest"),
    N_("the 4th nearest"),
    N_("the 5th nearest"),
    N_("the 6th nearest"),
    N_("the 7th nearest"),
    N_("the 8th nearest"),
    N_("the 9th nearest"),
    N_("the 10th nearest"),
)
# A transit category's service day in words
SERVICE_DAYS = {"weekday": N_("a weekday"), "saturday": N_("a Saturday"), "sunday": N_("a Sunday")}
# The hard constraints (their ``name`` codes) in words
CONSTRAINTS = {
    "free": N_("free"),
    "rooms": N_("number of rooms"),
    "living_area": N_("living area"),
    "rent_ceiling": N_("rent ceiling"),
    "available_by_move_in": N_("free by the move-in date"),
    "barrier_free": N_("barrier-free"),
    "ground_floor_or_lift": N_("ground floor or lift"),
}


def constraint_name(code: str) -> str:
    """A hard constraint in words ("Zimmerzahl"); the code when it has none."""
    return _(CONSTRAINTS[code]) if code in CONSTRAINTS else code


def decay_rule(profile: ScoringProfile, category: str) -> str:
    """How far the category's places count, and how much the nearest ones count, in words."""
    cat = profile.categories[category]
    full, zero = profile.full_m(category), profile.zero_m(category)
    if profile.is_transit(category):
        start, end, service_day = profile.window(category)
        return _(
            "by public transport and on foot: counts fully up to {full} minutes, less and less "
            "beyond, not at all from {zero} minutes; the median of departures every minute "
            "{start}–{end} on {day}"
        ).format(
            full=plain(full),
            zero=plain(zero),
            start=start,
            end=end,
            day=_(SERVICE_DAYS[service_day]),
        )
    ranks = ", ".join(
        _("{ordinal} counts {share}").format(ordinal=_(ORDINALS[i]), share=percent(w))
        for i, w in enumerate(cat.rank_weights[: len(ORDINALS)])
    )
    rule = _(
        "counts fully up to {full}, less and less beyond, not at all from {zero}; {ranks}"
    ).format(full=distance(full), zero=distance(zero), ranks=ranks)
    if sum(cat.rank_weights) > 1:
        rule += _("; together they count at most as much as one")
    return rule


def place_note(distance_m: float, share: float, full_m: float, zero_m: float) -> str | None:
    """Why a place counts little or nothing (None when it counts fully)."""
    if distance_m >= zero_m:
        return _("{distance} away, farther than {zero}: does not count").format(
            distance=distance(distance_m), zero=distance(zero_m)
        )
    if distance_m > full_m:
        return _("{distance} away, farther than {full}: counts {share}").format(
            distance=distance(distance_m), full=distance(full_m), share=percent(share)
        )
    return None


def district_sentence(info: dict[str, Any], profile: ScoringProfile) -> str:
    """The district's quota and what it does to the score, e.g. "Der Stadtteil Lebenstedt hat
    44 % seiner Aufnahmequote erreicht (68 von 155); der Wert wird nicht gemindert."."""
    rules = profile.district
    name = info.get("name") or info.get("code")
    if name is None:
        return _("The flat lies in no known district: its score counts 0.")
    u, factor = float(info.get("utilisation") or 0.0), float(info.get("factor") or 0.0)
    cap, placed = info.get("capacity"), info.get("placements")
    if cap is not None and placed is not None:
        head = _("{name} has reached {share} of its quota ({placed} of {capacity})").format(
            name=name, share=percent(u), placed=placed, capacity=cap
        )
    else:
        head = _("{name} has reached {share} of its quota").format(name=name, share=percent(u))
    full, zero = percent(rules.utilisation_full), percent(rules.utilisation_zero)
    if factor >= 1.0:
        tail = _("the score is not reduced (only from {full} of the quota on)")
    elif factor <= 0.0:
        tail = _("nobody more is placed there (from {zero} of the quota): the score counts 0")
    else:
        tail = _(
            "so the score counts {factor} (it is reduced from {full} of the quota and counts 0 "
            "at {zero})"
        )
    return _("{head}; {tail}.").format(
        head=head, tail=tail.format(full=full, zero=zero, factor=percent(factor))
    )


def summary(placement: float, score: float, factor: float, eligible: bool) -> str:
    """How the placement score comes about, in one sentence."""
    if not eligible:
        return _(
            "Placement score 0: the flat does not meet a requirement of the household "
            "(infrastructure score {score})."
        ).format(score=number(score))
    if factor >= 1.0:
        return _(
            "Placement score {placement}: the infrastructure score, not reduced by the district."
        ).format(placement=number(placement))
    return _(
        "Placement score {placement}: the infrastructure score {score}, counted at {factor} "
        "because of the district's quota."
    ).format(placement=number(placement), score=number(score), factor=percent(factor))


def flat_notes(
    failed: list[str], factor: float, unreachable: bool, district: str | None
) -> list[str]:
    """Why a single flat scores low or zero."""
    notes = []
    if failed:
        notes.append(_("Placement score 0: not met: {failed}.").format(failed="; ".join(failed)))
    if factor <= 0.0:
        notes.append(
            _("Placement score 0: {district} has reached its quota.").format(
                district=district or _("its district")
            )
        )
    if unreachable:
        notes.append(_("The flat lies too far from the street network: no category counts for it."))
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
            _(
                "District quotas overridden on request: flats in districts that reached their "
                "quota are listed with placement score 0 (recorded in the audit log)."
            )
        )
    if move_in < today:
        notes.append(
            _("The move-in date {move_in} lies in the past: only flats free by then fit.").format(
                move_in=day(move_in)
            )
        )
    if returned >= limit:
        return notes
    parts = []
    if excluded.outside_districts:
        n = excluded.outside_districts
        parts.append(
            ngettext(
                "{n} lies outside the requested districts",
                "{n} lie outside the requested districts",
                n,
            ).format(n=n)
        )
    if excluded.not_on_offer:
        n = excluded.not_on_offer
        parts.append(
            ngettext("{n} is no longer on offer", "{n} are no longer on offer", n).format(n=n)
        )
    if excluded.held:
        n = excluded.held
        parts.append(ngettext("{n} is reserved", "{n} are reserved", n).format(n=n))
    if excluded.constraint:
        n = excluded.constraint
        worst = sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))
        which = ", ".join(f"{constraint_name(name)} {count}" for name, count in worst if count)
        parts.append(
            ngettext(
                "{n} does not meet a requirement ({which})",
                "{n} do not meet a requirement ({which})",
                n,
            ).format(n=n, which=which)
        )
    if excluded.district_full:
        n = excluded.district_full
        names = ", ".join(d.name or d.code for d in full)
        parts.append(
            ngettext(
                "{n} lies in districts that reached their quota ({names})",
                "{n} lie in districts that reached their quota ({names})",
                n,
            ).format(n=n, names=names)
        )
    if returned == 0:
        head = _("No flat fits")
    else:
        head = ngettext("Only {n} flat fits", "Only {n} flats fit", returned).format(n=returned)
    if not parts:
        notes.append(head + ".")
        return notes
    notes.append(
        _("{head}; of {considered} flats: {parts}.").format(
            head=head, considered=considered, parts="; ".join(parts)
        )
    )
    return notes
