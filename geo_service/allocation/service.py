"""Allocate a batch of households: scores from the ranker, optimal vs greedy, optional holds."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, insert

from geo_service.allocation.certified import solve_certified
from geo_service.allocation.limits import ServiceLimits, service_limits
from geo_service.allocation.reasons import Fit, explain_unplaced
from geo_service.allocation.results import (
    METHODS,
    Allocation,
    Assignment,
    Baseline,
    DistrictUse,
    Fairness,
    WishesMet,
)
from geo_service.allocation.solver import Solution, solve_greedy
from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.db import models
from geo_service.db.transactions import in_transaction
from geo_service.errors import Conflict, InputError
from geo_service.i18n import _
from geo_service.reservations.holds import FlatTaken, Hold, case_ref_hash, place_holds
from geo_service.scoring.districts import check_district_codes
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.scoring.ranking import Ranker
from geo_service.scoring.services import demand

Step = Callable[[str, int, int], None]  # (stage, done, total)


def score_matrix(
    ranker: Ranker,
    households: Sequence[Household],
    held: set[str],
    min_score: float | None = None,
    step: Step | None = None,
) -> tuple[np.ndarray, list[Fit]]:
    """Placement scores plus the wishes' points (households x flats), NaN where a hard
    constraint fails, B = 0 or the placement score is under ``min_score``; and per household
    what fits (for the unplaced reasons). Households with the same profile (the case reference
    aside) are evaluated once."""
    out = np.full((len(households), len(ranker.ids)), np.nan)
    fits: list[Fit] = []
    in_district = ranker.district_index >= 0
    n_districts = len(ranker.district_codes)
    seen: dict[str, int] = {}
    for i, hh in enumerate(households):
        same = seen.setdefault(hh.model_dump_json(exclude={"ref"}), i)
        if same < i:
            out[i] = out[same]
            fits.append(fits[same])
            if step:
                step(_("scoring households"), i + 1, len(households))
            continue
        ev = ranker.evaluate(hh, held)
        ok = ev.passed & (ranker.factor > 0)
        out[i, ok] = ev.placement[ok]
        below = False
        if min_score is not None:  # on the placement score: a wish never lifts a flat over it
            low = ok & (out[i] < min_score)
            below = bool(ok.any() and not (ok & ~low).any())
            out[i, low] = np.nan
        wish = None
        if ev.wishes.stated:
            wish = np.where(np.isfinite(out[i]), 0.0, np.nan)
            wish[ok] = ev.wish_of(np.flatnonzero(ok))
            out[i] += np.nan_to_num(wish)
        free = ranker.on_offer & ~ev.reserved
        services = next((c.passed for c in ev.checks if c.name == "services"), None)
        fits.append(
            Fit(
                fitting=int(ev.passed.sum()),
                fitting_districts=np.bincount(
                    ranker.district_index[ev.passed & in_district], minlength=n_districts
                )
                > 0,
                failed={c.name: int((free & ~c.passed).sum()) for c in ev.checks[1:]},
                below_min_score=below,
                full_services=[
                    f.explanation
                    for f in ranker.full_services_of(hh, ev, free & (ranker.factor > 0), services)
                ],
                wish=wish,
            )
        )
        if step:
            step(_("scoring households"), i + 1, len(households))
    return out, fits


def capacities(ranker: Ranker, scale: float, exclude: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per district code index (districts with flats): capacity (scaled, 0 where excluded)
    and placements so far."""
    codes = list(ranker.district_codes)
    exclude = [c for c in exclude if c in codes]  # a district without flats takes nobody anyway
    cap = np.array([ranker.districts.get(c, {}).get("capacity", 0) or 0 for c in codes], float)
    before = np.array([ranker.districts.get(c, {}).get("placements", 0) or 0 for c in codes], float)
    cap = np.floor(cap * scale)
    cap[[codes.index(c) for c in exclude]] = 0
    return cap.astype(int), before.astype(int)


@dataclass(frozen=True)
class Batch:
    """A batch ready to solve: scores (placement + wishes, NaN where it may not go), what fits
    per household, district capacity, placements before and places left, service limits."""

    ranker: Ranker
    households: Sequence[Household]
    scores: np.ndarray
    fits: list[Fit]
    cap: np.ndarray
    before: np.ndarray
    left: np.ndarray
    limits: ServiceLimits | None
    labels: dict[str, str]  # service kind -> its places in German


def _services_used(batch: Batch, i: int, flat_of: np.ndarray) -> list[str]:
    """The service places in the districts of household ``i``'s fitting flats that the batch
    used up for it ("Kita-Plätze in Beinum")."""
    limits, ranker = batch.limits, batch.ranker
    if limits is None:
        return []
    district = ranker.district_index
    used = limits.used_by(flat_of, district)
    rows = np.flatnonzero(np.isfinite(batch.scores[i]) & (batch.left[district] > 0))
    out = []
    for d in sorted({int(x) for x in district[rows]}):
        short = used[d] + limits.demand[i] > limits.left[d]
        code = str(ranker.district_codes[d])
        name = ranker.districts.get(code, {}).get("name") or code
        out += [f"{batch.labels.get(k, k)} in {name}" for k in np.array(limits.kinds)[short]]
    return out


def _wishes(batch: Batch, placed: np.ndarray, flats: np.ndarray) -> WishesMet:
    """How many households stated district wishes and how many got one (the first)."""
    wished = [h.preferences.districts if h.preferences else [] for h in batch.households]
    got = dict(zip(placed.tolist(), batch.ranker.district[flats].tolist(), strict=True))
    ranks = [w.index(got[i]) + 1 for i, w in enumerate(wished) if w and got.get(i) in w]
    return WishesMet(
        stated=sum(1 for w in wished if w),
        met=len(ranks),
        first_choice=sum(1 for r in ranks if r == 1),
        stated_categories=sum(
            1 for h in batch.households if h.preferences and h.preferences.categories
        ),
    )


def describe(sol: Solution, method: str, batch: Batch) -> dict[str, Any]:
    """The fields of an Allocation that describe one solution (without the baseline)."""
    ranker, scores, fits, cap, before = (
        batch.ranker,
        batch.scores,
        batch.fits,
        batch.cap,
        batch.before,
    )
    placed = np.flatnonzero(sol.flat_of >= 0)
    flats = sol.flat_of[placed]
    district = ranker.district_index
    after = before + np.bincount(district[flats], minlength=len(cap))
    codes = [str(c) for c in ranker.district_codes]
    refs = [getattr(h, "ref", None) for h in batch.households]
    reasons = [
        explain_unplaced(
            int(i),
            refs,
            fits[i],
            scores[i],
            district,
            batch.left,
            sol.flat_of,
            codes,
            _services_used(batch, int(i), sol.flat_of),
        )
        for i in np.flatnonzero(sol.flat_of < 0)
    ]
    wish = np.array(
        [
            float(w[j]) if (w := fits[i].wish) is not None else 0.0
            for i, j in zip(placed, flats, strict=True)
        ]
    )
    pts = scores[placed, flats] - wish if len(placed) else np.array([])
    used = cap > 0
    util = np.divide(after, cap, out=np.zeros(len(cap)), where=used)
    return {
        "method": method,
        "objective": round(sol.objective, 2),
        "placed": sol.placed,
        "unplaced": len(reasons),
        "assignments": [
            Assignment(
                household=int(i),
                ref=refs[i],
                flat_id=str(ranker.ids[j]),
                address=ranker.addresses[j],
                district_code=str(ranker.district[j]),
                placement_score=round(float(p), 2),
                wish_points=round(float(w), 2),
            )
            for i, j, p, w in zip(placed, flats, pts, wish, strict=True)
        ],
        "wishes": _wishes(batch, placed, flats),
        "unplaced_reasons": reasons,
        "districts": [
            DistrictUse(
                code=c,
                name=ranker.districts.get(c, {}).get("name"),
                capacity=int(cap[k]),
                before=int(before[k]),
                after=int(after[k]),
                placed=int(after[k] - before[k]),
            )
            for k, c in enumerate(codes)
        ],
        "solve_seconds": round(sol.seconds, 3),
        "mip_gap": sol.gap,
        "proven_optimal": sol.optimal,
        "solve_path": sol.path,
        "upper_bound": round(sol.bound, 2) if sol.bound is not None else None,
        "solve_detail": sol.detail,
        "fairness": Fairness(
            utilisation_spread=round(float(util[used].max() - util[used].min()), 4)
            if used.any()
            else 0.0,
            mean_score=round(float(pts.mean()), 2) if len(pts) else None,
            min_score=round(float(pts.min()), 2) if len(pts) else None,
        ),
    }


def balanced_share(left: np.ndarray, households: int) -> np.ndarray:
    """Method ``balanced``: each district takes at most its share of the places left times
    the households the batch can place (rounded up), so the quotas are used evenly over the
    batches rather than the best districts first."""
    total = int(left.sum())
    if total <= 0:
        return left
    share = np.ceil(left / total * min(households, total)).astype(int)
    return np.minimum(share, left)


def allocate(
    engine: Engine,
    profile: ScoringProfile,
    households: Sequence[Household],
    method: str = "optimal",
    capacity_scale: float = 1.0,
    exclude: list[str] | None = None,
    step: Step | None = None,
    *,
    rankers: RankerCache | None = None,
) -> Allocation:
    """Place a batch; the greedy baseline always runs on the same input for comparison.
    ``step(stage, done, total)`` reports progress (scoring households, then solving)."""
    if method not in METHODS:
        raise InputError(_("method must be “optimal”, “greedy” or “balanced”"))
    if not 0 <= capacity_scale <= 10:
        raise InputError(_("capacity_scale must be between 0 and 10"))
    with engine.connect() as conn:
        check_district_codes(conn, exclude or [], "exclude_districts")
    ranker = ranker_of(rankers, engine, profile)
    rules = profile.allocation
    scores, fits = score_matrix(ranker, households, held_flats(engine), rules.min_score, step)
    cap, before = capacities(ranker, capacity_scale, exclude or [])
    limit = cap if rules.max_utilisation is None else np.floor(cap * rules.max_utilisation)
    left = np.maximum(limit - before, 0).astype(int)
    district = ranker.district_index
    every = service_limits(ranker, households, profile)
    limits = every.binding(scores, district) if every is not None else None
    labels = {k: s.label for k, s in profile.services.items()}
    batch = Batch(ranker, households, scores, fits, cap, before, left, limits, labels)
    if step:
        step(_("solving ({method})").format(method=method), 0, 1)
    greedy = solve_greedy(scores, district, left, limits)
    room = balanced_share(left, len(households)) if method == "balanced" else left
    chosen = (
        greedy
        if method == "greedy"
        else solve_certified(
            scores,
            district,
            room,
            greedy if method == "optimal" else solve_greedy(scores, district, room, limits),
            rules.priority == "placed_first",
            rules.time_limit_s,
            rules.candidates_per_district,
            limits,
        )
    )
    if step:
        step(_("solving ({method})").format(method=method), 1, 1)
    return Allocation(
        **describe(chosen, method, batch),
        baseline=Baseline(
            objective=round(greedy.objective, 2),
            placed=greedy.placed,
            solve_seconds=round(greedy.seconds, 3),
        ),
        profile_version=profile.version,
        data_timestamp=ranker.data_timestamp,
    )


def stored_profiles(households: Sequence[Household]) -> list[dict[str, Any]]:
    """The batch as stored: profiles, and case references only as keyed hashes."""
    out = []
    for h in households:
        ref = getattr(h, "ref", None)
        row = h.model_dump(mode="json", exclude={"ref"})
        out.append({**row, "ref_hash": case_ref_hash(ref)} if ref else row)
    return out


def stored_result(result: Allocation) -> dict[str, Any]:
    """The result as stored: every case reference replaced by its keyed hash."""
    data = result.model_dump(mode="json")
    for item in (*data["assignments"], *data["unplaced_reasons"]):
        ref = item.pop("ref", None)
        item["ref_hash"] = case_ref_hash(ref) if ref else None
    return data


def record_run(
    engine: Engine,
    result: Allocation,
    households: Sequence[Household],
    profile: ScoringProfile,
    key: KeyInfo | None,
    reserve: bool = False,
) -> Allocation:
    """Store the run in ``allocations`` and audit it; with ``reserve``, hold every assigned flat
    through the hold routine in the SAME transaction (409 and nothing kept if one was taken
    meanwhile). Case references are stored only as keyed hashes. Returns the result with the
    reservation ids in assignment order."""
    profiles = stored_profiles(households)

    def store(conn: Connection) -> Allocation:
        """The holds, the allocation row and its audit entry."""
        run_id = uuid.uuid4()
        holds = [
            Hold(
                flat_id=a.flat_id,
                district_code=a.district_code,
                household=households[a.household].model_dump(mode="json", exclude={"ref"}),
                placement_score=a.placement_score,
                case_ref=a.ref,
                audit_detail={"allocation_id": str(run_id), "household": a.household},
                services=demand(profile, households[a.household]),
            )
            for a in (result.assignments if reserve else [])
        ]
        rows = place_holds(conn, holds, key, profile.version, result.data_timestamp)
        stored = result.model_copy(update={"reservations": [str(r.id) for r in rows]})
        conn.execute(
            insert(models.allocations).values(
                id=run_id,
                method=stored.method,
                households=profiles,
                result=stored_result(stored),
                objective=stored.objective,
                placed=stored.placed,
                profile_version=profile.version,
                api_key_id=key.id if key else None,
            )
        )
        record(
            conn,
            "allocation",
            role=key.role if key else "cli",
            key_id=key.id if key else None,
            profile_version=profile.version,
            data_timestamp=stored.data_timestamp,
            # profiles only: the case reference hashes stay in the allocation row, which the
            # retention purge can anonymise (the audit log is append-only)
            request={
                "households": [{k: v for k, v in p.items() if k != "ref_hash"} for p in profiles]
            },
            detail={
                "allocation_id": str(run_id),
                "method": stored.method,
                "placed": stored.placed,
                "objective": stored.objective,
                "reserved": len(rows),
            },
        )
        return stored

    try:
        return in_transaction(engine, store)
    except FlatTaken as exc:
        raise Conflict(
            _(
                "flat {flat} of this allocation was reserved meanwhile; nothing was reserved or "
                "stored: run the allocation again"
            ).format(flat=exc.flat_id)
        ) from None
