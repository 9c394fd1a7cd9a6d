"""Recommendations with look-ahead: households for a free flat, flats for a waiting household,
and the potentials in words. Every recommendation is audited like a ranking."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy import Engine

from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.errors import Conflict, NotFound
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.transition import store
from geo_service.transition.groups import GROUP_LABELS, GROUPS, group_of
from geo_service.transition.live import free_now, waiting_entries
from geo_service.transition.market import waiting_points
from geo_service.transition.plan import PlanCache, current_plan
from geo_service.transition.schemas import (
    DistrictPotential,
    FlatOption,
    FlatRecommendation,
    FlatTypePotential,
    HouseholdOption,
    HouseholdRecommendation,
    Potentials,
)

TOLERANCE = 0.01  # points: reduced scores this close to zero count as "now or later alike"
NOTABLE = 0.05  # points: smaller potentials are reported as none


def _kept_for(weights: np.ndarray, overall: np.ndarray) -> str | None:
    """The group the plan keeps something for: the one most over-represented among the
    expected households placed there, compared with all expected placements (None when the
    plan keeps it for nobody)."""
    if weights.sum() < 1.0 or overall.sum() <= 0:  # less than one household expected
        return None
    lift = (weights / weights.sum()) / np.maximum(overall / overall.sum(), 1e-9)
    lift[weights < 1.0] = 0.0  # a group needs at least one expected household here
    best = int(np.argmax(lift)) if lift.max() > 0 else int(np.argmax(weights))
    return GROUP_LABELS[GROUPS[best]]


def _places(n: int) -> str:
    """'1 place', '12 places'."""
    return f"{n} place" if n == 1 else f"{n} places"


def _district_words(name: str, places: int, potential: float, kept_for: str | None) -> str:
    """A district's potential in words."""
    if places <= 0:
        return f"{name} has no places left."
    if potential < NOTABLE:
        return f"{name}'s remaining quota ({_places(places)}) is not expected to run short."
    whom = f": keep it for {kept_for}" if kept_for else ""
    return (
        f"{name}'s remaining quota ({_places(places)}) is worth {potential:.1f} points a "
        f"place{whom}."
    )


def _flat_words(flat_id: str, potential: float, kept_for: str | None, until: date) -> str:
    """A flat's own potential in words."""
    if potential < NOTABLE:
        return f"{flat_id} is not expected to be needed more by anyone arriving before {until}."
    whom = f": keep it for {kept_for}" if kept_for else ""
    return f"{flat_id} is worth {potential:.1f} points to households expected before {until}{whom}."


def _audit(
    engine: Engine, key: KeyInfo, profile: ScoringProfile, request: dict, detail: dict
) -> None:
    """One audit entry for a recommendation (read-only, like a ranking)."""
    with engine.begin() as conn:
        record(
            conn,
            "recommend",
            role=key.role,
            key_id=key.id,
            profile_version=profile.version,
            request=request,
            detail=detail,
        )


def potentials(
    engine: Engine,
    profile: ScoringProfile,
    *,
    rankers: RankerCache | None = None,
    plans: PlanCache | None = None,
) -> Potentials:
    """The current plan's district and flat-type potentials, in figures and words."""
    lp = current_plan(engine, profile, rankers=rankers, plans=plans)
    plan, ranker, state = lp.plan, lp.ranker, lp.state
    rules = profile.transition_rules
    overall = plan.kept_for.sum(axis=0)
    districts = []
    for d, code in enumerate(ranker.district_codes):
        name = ranker.districts.get(code, {}).get("name") or str(code)
        places, w = int(state.places[d]), float(plan.district_potential[d])
        kept = _kept_for(plan.kept_for[d], overall) if w >= NOTABLE else None
        districts.append(
            DistrictPotential(
                code=str(code),
                name=name,
                places_left=places,
                potential=round(w, 2),
                kept_for=kept,
                explanation=_district_words(name, places, w, kept),
            )
        )
    districts.sort(key=lambda x: (-x.potential, x.code))
    arrays = ranker.arrays
    rooms = f"{rules.large_flat_rooms:g}+ rooms"
    # type -> (which flats, label, one such flat in words)
    kinds = {
        "large": (arrays.rooms >= rules.large_flat_rooms, rooms, f"flat with {rooms}"),
        "barrier_free": (arrays.barrier_free.astype(bool), "barrier-free", "barrier-free flat"),
    }
    types = []
    for kind, (mask, label, one) in kinds.items():
        many = one.replace("flat", "flats", 1)
        mine = mask[state.free_flats]
        v = plan.flat_potential[mine]
        mean = round(float(v.mean()), 2) if len(v) else None
        kept = _kept_for(plan.flat_kept_for[mine].sum(axis=0), overall) if len(v) else None
        words = (
            f"No {one} is free."
            if mean is None
            else f"{len(v)} free {many}, worth {mean:.1f} points each on average"
            + (f": keep them for {kept}." if kept and mean >= NOTABLE else ".")
        )
        types.append(
            FlatTypePotential(
                type=kind,
                label=label,
                free_flats=len(v),
                potential=mean,
                explanation=words,
            )
        )
    return Potentials(
        computed_at=lp.computed_at,
        waiting=len(state.entry_ids),
        free_flats=len(state.free_flats),
        horizon_days=rules.horizon_days,
        plan_days=rules.plan_days,
        samples=rules.samples,
        forecast=lp.forecast,
        districts=districts,
        flat_types=types,
        variables=plan.variables,
        solve_seconds=round(plan.seconds, 3),
        profile_version=profile.version,
    )


def _flat_position(
    engine: Engine, profile: ScoringProfile, flat_id: str, *, rankers: RankerCache | None = None
) -> int:
    """The ranker position of a free flat (404 unknown, 409 not free or district full)."""
    ranker = ranker_of(rankers, engine, profile)
    if flat_id not in ranker.position:
        raise NotFound(f"no flat with id {flat_id!r}")
    j = ranker.position[flat_id]
    if ranker.factor[j] <= 0:
        raise Conflict(f"flat {flat_id} lies in a district at its cap")
    if not free_now(engine, ranker, profile)[j]:
        raise Conflict(
            f"flat {flat_id} is not free now (held, offered, not on offer, or free only later)"
        )
    return j


def for_flat(
    engine: Engine,
    profile: ScoringProfile,
    flat_id: str,
    limit: int,
    key: KeyInfo,
    *,
    rankers: RankerCache | None = None,
    plans: PlanCache | None = None,
) -> FlatRecommendation:
    """The waiting households a free flat suits best: score plus waiting points minus what
    each can expect elsewhere; offer it now, or keep it for the households expected."""
    lp = current_plan(engine, profile, rankers=rankers, plans=plans)
    rules = profile.transition_rules
    j = _flat_position(engine, profile, flat_id, rankers=rankers)
    ranker, today = lp.ranker, date.today()
    d = int(ranker.district_index[j])
    code = str(ranker.district_codes[d])
    name = ranker.districts.get(code, {}).get("name") or code
    start = max(0, int((ranker.arrays.available_from[j] - np.datetime64(today)).astype(int)))
    last_day = start + rules.flat_hold_days
    v = lp.flat_potential(j, last_day)
    w = float(lp.plan.district_potential[d])
    with engine.connect() as conn:
        waiting = [e for e in waiting_entries(conn) if e[0] not in lp.state.not_ready]
    planned_entry = lp.planned_household(j)
    options = []
    if waiting:
        profiles = [store.planning_household(h, profile) for _, h, _ in waiting]
        rows = lp.rows.rows(profiles, ranker.factor)
        waited = np.array([(today - entered).days for _, _, entered in waiting], dtype=float)
        bonus = waiting_points(waited, rules)
        for i, (entry_id, household, _) in enumerate(waiting):
            s = rows[i, j]
            if not np.isfinite(s):
                continue
            u = lp.household_potential(entry_id, rows[i], float(bonus[i]))
            options.append((s + bonus[i] - u, i, float(s), float(bonus[i]), u, entry_id, household))
    options.sort(key=lambda o: (-o[0], -waited[o[1]] if waiting else 0, o[5]))
    households = [
        HouseholdOption(
            entry_id=entry_id,
            rank=r + 1,
            days_waiting=int(waited[i]),
            group=GROUP_LABELS[group_of(household)],
            placement_score=round(s, 2),
            waiting_points=round(b, 2),
            household_potential=round(u, 2),
            value=round(value, 2),
            planned=entry_id == planned_entry,
            explanation=f"{s:.1f} points here + {b:.1f} for waiting - {u:.1f} it can expect "
            f"from other flats = {value:.1f}",
        )
        for r, (value, i, s, b, u, entry_id, household) in enumerate(options[:limit])
    ]
    best = households[0].value if households else None
    offer = planned_entry is not None or (best is not None and best >= v + w - TOLERANCE)
    until = today + timedelta(days=last_day)
    k = lp.flat_index(j)
    kept = lp.plan.flat_kept_for[k] if k is not None else np.zeros(len(GROUPS))
    overall = lp.plan.kept_for.sum(axis=0)
    for_district = _kept_for(lp.plan.kept_for[d], overall)
    words = [
        _flat_words(flat_id, v, _kept_for(kept, overall), until),
        _district_words(name, int(lp.state.places[d]), w, for_district),
    ]
    if not households:
        verdict = "keep"
        words.insert(0, f"No waiting household fits {flat_id} now.")
    elif offer:
        verdict = "offer_now"
        words.insert(0, f"Offer {flat_id} now to {households[0].entry_id}.")
    else:
        verdict = "keep"
        words.insert(
            0,
            f"Keep {flat_id} for now: the best waiting household gains {best:.1f} points, less "
            f"than the {v + w:.1f} the flat and {name}'s quota are worth to those expected.",
        )
    _audit(
        engine,
        key,
        profile,
        {"flat_id": flat_id, "limit": limit},
        {"verdict": verdict, "results": [h.entry_id for h in households]},
    )
    return FlatRecommendation(
        flat_id=flat_id,
        address=ranker.address(flat_id),
        district_code=code,
        district_name=name,
        district_potential=round(w, 2),
        flat_potential=round(v, 2),
        verdict=verdict,
        explanation=" ".join(words),
        households=households,
        computed_at=lp.computed_at,
        profile_version=profile.version,
    )


def for_household(
    engine: Engine,
    profile: ScoringProfile,
    entry_id: str,
    limit: int,
    key: KeyInfo,
    *,
    rankers: RankerCache | None = None,
    plans: PlanCache | None = None,
) -> HouseholdRecommendation:
    """The free flats a waiting household suits best: score minus the potentials the flat
    and its district's quota carry; offer the best now, or wait for better."""
    entry = store.get(engine, entry_id)
    if entry.status != "waiting":
        raise Conflict(f"entry {entry_id} is {entry.status}: recommendations are for waiting ones")
    lp = current_plan(engine, profile, rankers=rankers, plans=plans)
    rules = profile.transition_rules
    ranker, today = ranker_of(rankers, engine, profile), date.today()
    household = store.planning_household(entry.household, profile)
    row = lp.rows.rows([household], ranker.factor)[0]
    bonus = float(waiting_points(np.array([entry.days_waiting]), rules)[0])
    u = lp.household_potential(entry_id, row, bonus)
    free = free_now(engine, ranker, profile) & np.isfinite(row)
    start = np.maximum((ranker.arrays.available_from - np.datetime64(today)).astype(int), 0)
    positions = np.flatnonzero(free)
    district = np.asarray(ranker.district_index)[positions]
    w = lp.plan.district_potential[district]
    v = np.array(
        [lp.flat_potential(int(j), int(start[j]) + rules.flat_hold_days) for j in positions]
    )
    value = row[positions] - w - v
    order = np.lexsort((ranker.ids[positions], -value))[:limit]
    planned = lp.planned_flat(entry_id)
    ev = ranker.evaluate(household) if len(order) else None
    flats = []
    for r, o in enumerate(order):
        j = int(positions[o])
        code = str(ranker.district_codes[district[o]])
        name = ranker.districts.get(code, {}).get("name") or code
        assert ev is not None
        shown = ranker.explain(ev, j, r + 1)
        flats.append(
            FlatOption(
                flat_id=str(ranker.ids[j]),
                address=ranker.addresses[j],
                rank=r + 1,
                district_code=code,
                district_name=name,
                placement_score=round(float(row[j]), 2),
                infrastructure_score=shown.infrastructure_score,
                contributions=shown.contributions,
                district_potential=round(float(w[o]), 2),
                flat_potential=round(float(v[o]), 2),
                value=round(float(value[o]), 2),
                planned=planned == j,
                explanation=f"{row[j]:.1f} points - {w[o]:.1f} for {name}'s quota - "
                f"{v[o]:.1f} the flat is worth to others = {value[o]:.1f}",
            )
        )
    not_ready = entry.household.move_in > today + timedelta(days=rules.flat_hold_days)
    if not_ready:
        verdict, words = "not_ready", f"It can move from {entry.household.move_in} only."
    elif not flats:
        verdict, words = "wait", "No free flat fits it now."
    elif planned is not None or flats[0].value + bonus >= u - TOLERANCE:
        verdict, words = "offer_now", f"Offer {flats[0].flat_id} now."
    else:
        verdict = "wait"
        words = (
            f"Wait: its best flat now is worth {flats[0].value + bonus:.1f} points after "
            f"potentials, flats expected soon {u:.1f}."
        )
    _audit(
        engine,
        key,
        profile,
        {"entry_id": entry_id, "limit": limit},
        {"verdict": verdict, "results": [f.flat_id for f in flats]},
    )
    return HouseholdRecommendation(
        entry_id=entry_id,
        days_waiting=entry.days_waiting,
        waiting_points=round(bonus, 2),
        household_potential=round(u, 2),
        verdict=verdict,
        explanation=words,
        flats=flats,
        computed_at=lp.computed_at,
        profile_version=profile.version,
    )
