"""Recommendations with look-ahead: households for a free flat, flats for a waiting household,
and the potentials in words. Every recommendation is audited like a ranking."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy import Engine

from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.errors import Conflict, NotFound
from geo_service.i18n import N_, _, ngettext
from geo_service.i18n.formats import day, number
from geo_service.reservations.overrides import override_reason, recommended
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.scoring.ranking import Ranker
from geo_service.transition import store
from geo_service.transition.groups import GROUP_LABELS, GROUPS, group_of
from geo_service.transition.live import free_now, waiting_entries
from geo_service.transition.market import waiting_points
from geo_service.transition.plan import LivePlan, PlanCache, current_plan
from geo_service.transition.schemas import (
    DistrictPotential,
    FlatOption,
    FlatRecommendation,
    FlatTypePotential,
    HouseholdOption,
    HouseholdRecommendation,
    Potentials,
    WaitingEntry,
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
    return _(GROUP_LABELS[GROUPS[best]])


def _places(n: int) -> str:
    """'1 place', '12 places'."""
    return ngettext("{n} place", "{n} places", n).format(n=n)


def _district_words(name: str, places: int, potential: float, kept_for: str | None) -> str:
    """A district's potential in words."""
    if places <= 0:
        return _("{district} has no places left.").format(district=name)
    if potential < NOTABLE:
        return _("The places left in {district} ({places}) are expected to suffice.").format(
            district=name, places=_places(places)
        )
    if kept_for:
        return _(
            "The places left in {district} ({places}) are needed by households expected "
            "later ({points} points a place): keep them for {group}."
        ).format(district=name, places=_places(places), points=number(potential), group=kept_for)
    return _(
        "The places left in {district} ({places}) are needed by households expected later "
        "({points} points a place)."
    ).format(district=name, places=_places(places), points=number(potential))


def _flat_words(flat_id: str, potential: float, kept_for: str | None, until: date) -> str:
    """A flat's own potential in words."""
    if potential < NOTABLE:
        return _("Nobody expected before {until} needs flat {flat} more.").format(
            until=day(until), flat=flat_id
        )
    if kept_for:
        return _(
            "Households expected before {until} need flat {flat} more ({points} points): keep "
            "it for {group}."
        ).format(until=day(until), flat=flat_id, points=number(potential), group=kept_for)
    return _("Households expected before {until} need flat {flat} more ({points} points).").format(
        until=day(until), flat=flat_id, points=number(potential)
    )


def _option_words(score: float, bonus: float, elsewhere: float, value: float) -> str:
    """Why a waiting household ranks where it does for a flat, in plain sentences."""
    words = [_("Fits here with {points} points.").format(points=number(score))]
    if bonus >= NOTABLE:
        words.append(_("{points} points for the time waited.").format(points=number(bonus)))
    if elsewhere >= NOTABLE:
        words.append(
            _("{points} points less: other flats expected soon would suit it as well.").format(
                points=number(elsewhere)
            )
        )
    words.append(_("Comparison value: {points}.").format(points=number(value)))
    return " ".join(words)


def _flat_option_words(score: float, district: str, quota: float, flat: float, value: float) -> str:
    """Why a free flat ranks where it does for a waiting household, in plain sentences."""
    words = [_("Fits with {points} points.").format(points=number(score))]
    if quota >= NOTABLE:
        words.append(
            _(
                "{points} points less: the places left in {district} are needed by households "
                "expected later."
            ).format(points=number(quota), district=district)
        )
    if flat >= NOTABLE:
        words.append(
            _("{points} points less: households expected later need this flat more.").format(
                points=number(flat)
            )
        )
    words.append(_("Comparison value: {points}.").format(points=number(value)))
    return " ".join(words)


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
    rooms = f"{rules.large_flat_rooms:g}"
    # type -> (which flats, label, the flats in words: (none free, n free))
    kinds = {
        "large": (
            arrays.rooms >= rules.large_flat_rooms,
            _("{rooms} or more rooms").format(rooms=rooms),
            (
                _("No flat with {rooms} or more rooms is free."),
                N_("{n} free flat with {rooms} or more rooms"),
                N_("{n} free flats with {rooms} or more rooms"),
            ),
        ),
        "barrier_free": (
            arrays.barrier_free.astype(bool),
            _("barrier-free"),
            (
                _("No barrier-free flat is free."),
                N_("{n} free barrier-free flat"),
                N_("{n} free barrier-free flats"),
            ),
        ),
    }
    types = []
    for kind, (mask, label, (none_free, one, many)) in kinds.items():
        mine = mask[state.free_flats]
        v = plan.flat_potential[mine]
        mean = round(float(v.mean()), 2) if len(v) else None
        kept = _kept_for(plan.flat_kept_for[mine].sum(axis=0), overall) if len(v) else None
        if mean is None:
            words = none_free.format(rooms=rooms)
        else:
            free = ngettext(one, many, len(v)).format(n=len(v), rooms=rooms)
            words = _("{flats}, worth {points} points each on average").format(
                flats=free, points=number(mean)
            ) + (
                _(": keep them for {group}.").format(group=kept)
                if kept and mean >= NOTABLE
                else "."
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
        raise NotFound(_("there is no flat {flat_id}").format(flat_id=flat_id))
    j = ranker.position[flat_id]
    if ranker.factor[j] <= 0:
        raise Conflict(
            _("flat {flat} lies in a district that has reached its quota").format(flat=flat_id)
        )
    if not free_now(engine, ranker, profile)[j]:
        raise Conflict(
            _(
                "flat {flat} is not free now (held, offered, not on offer, or free only later)"
            ).format(flat=flat_id)
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
        profiles = [store.planning_household(h, profile) for _e, h, _d in waiting]
        rows = lp.rows.rows(profiles, ranker.factor)
        waited = np.array([(today - entered).days for _e, _h, entered in waiting], dtype=float)
        bonus = waiting_points(waited, rules)
        for i, (entry_id, household, _entered) in enumerate(waiting):
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
            group=_(GROUP_LABELS[group_of(household)]),
            placement_score=round(s, 2),
            waiting_points=round(b, 2),
            household_potential=round(u, 2),
            value=round(value, 2),
            planned=entry_id == planned_entry,
            explanation=_option_words(s, b, u, value),
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
        words.insert(0, _("No waiting household fits flat {flat} now.").format(flat=flat_id))
    elif offer:
        verdict = "offer_now"
        words.insert(
            0,
            _("Offer flat {flat} now to the first household of the list ({entry}).").format(
                flat=flat_id, entry=households[0].entry_id
            ),
        )
    else:
        verdict = "keep"
        words.insert(
            0,
            _(
                "Keep flat {flat} for now: the best waiting household would gain {best} points, "
                "less than the {kept} points the flat and the places in {district} are worth to "
                "households expected later."
            ).format(flat=flat_id, best=number(best or 0.0), kept=number(v + w), district=name),
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


def _flat_values(
    engine: Engine, profile: ScoringProfile, lp: LivePlan, ranker: Ranker, row: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The free flats a household's score ``row`` fits (positions), their district and flat
    potentials, and their values (score minus both)."""
    rules = profile.transition_rules
    free = free_now(engine, ranker, profile) & np.isfinite(row)
    start = np.maximum((ranker.arrays.available_from - np.datetime64(date.today())).astype(int), 0)
    positions = np.flatnonzero(free)
    w = lp.plan.district_potential[np.asarray(ranker.district_index)[positions]]
    v = np.array(
        [lp.flat_potential(int(j), int(start[j]) + rules.flat_hold_days) for j in positions]
    )
    return positions, w, v, row[positions] - w - v


def recommended_flats(
    engine: Engine,
    profile: ScoringProfile,
    entry: WaitingEntry,
    limit: int,
    *,
    rankers: RankerCache | None = None,
    plans: PlanCache | None = None,
) -> set[str]:
    """The flats recommended to a waiting household: its best ``limit`` by look-ahead value
    (as ``GET /waiting-list/{id}/recommendations`` lists them, not audited) and the best
    ``limit`` of its ranking."""
    lp = current_plan(engine, profile, rankers=rankers, plans=plans)
    ranker = ranker_of(rankers, engine, profile)
    household = store.planning_household(entry.household, profile)
    row = lp.rows.rows([household], ranker.factor)[0]
    positions, _, _, value = _flat_values(engine, profile, lp, ranker, row)
    order = np.lexsort((ranker.ids[positions], -value))[:limit]
    ahead = {str(ranker.ids[positions[o]]) for o in order}
    return ahead | recommended(ranker, household, profile, held_flats(engine))


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
        raise Conflict(
            _(
                "entry {entry} has the status “{status}”: recommendations are for waiting "
                "households"
            ).format(entry=entry_id, status=_(store.STATUS_WORDS[entry.status]))
        )
    lp = current_plan(engine, profile, rankers=rankers, plans=plans)
    rules = profile.transition_rules
    ranker, today = ranker_of(rankers, engine, profile), date.today()
    household = store.planning_household(entry.household, profile)
    row = lp.rows.rows([household], ranker.factor)[0]
    bonus = float(waiting_points(np.array([entry.days_waiting]), rules)[0])
    u = lp.household_potential(entry_id, row, bonus)
    positions, w, v, value = _flat_values(engine, profile, lp, ranker, row)
    district = np.asarray(ranker.district_index)[positions]
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
                explanation=_flat_option_words(
                    float(row[j]), name, float(w[o]), float(v[o]), float(value[o])
                ),
            )
        )
    not_ready = entry.household.move_in > today + timedelta(days=rules.flat_hold_days)
    if not_ready:
        verdict = "not_ready"
        words = _("The household can move in from {date} only.").format(
            date=day(entry.household.move_in)
        )
    elif not flats:
        verdict, words = "wait", _("No free flat fits the household now.")
    elif planned is not None or flats[0].value + bonus >= u - TOLERANCE:
        verdict, words = "offer_now", _("Offer flat {flat} now.").format(flat=flats[0].flat_id)
    else:
        verdict = "wait"
        words = _(
            "Wait: the best free flat would give it {now} points, flats expected soon {soon}."
        ).format(now=number(flats[0].value + bonus), soon=number(u))
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


def offer(
    engine: Engine,
    profile: ScoringProfile,
    entry_id: str,
    flat_id: str,
    reason: str | None,
    key: KeyInfo,
    *,
    rankers: RankerCache | None = None,
    plans: PlanCache | None = None,
) -> WaitingEntry:
    """Offer a flat to a waiting household; a flat outside its recommended flats (look-ahead
    or ranking, ``overrides.recommended`` of each) only with a ``reason`` (400 without)."""
    n = profile.override_rules.recommended

    def check(entry: WaitingEntry) -> str | None:
        best = recommended_flats(engine, profile, entry, n, rankers=rankers, plans=plans)
        return override_reason(flat_id, reason, best, profile)

    return store.offer(engine, entry_id, flat_id, key, profile, rankers=rankers, override=check)
