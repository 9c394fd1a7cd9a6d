"""Allocate a batch of households: scores from the ranker, optimal vs greedy, optional holds."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, insert

from geo_service.allocation.solver import Solution, solve_greedy, solve_optimal
from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.db import models
from geo_service.db.transactions import in_transaction
from geo_service.errors import Conflict, InputError
from geo_service.reservations.holds import FlatTaken, Hold, place_holds
from geo_service.scoring.districts import check_district_codes
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import cached_ranker, held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker

LARGE_BATCH = 200  # above this many households the candidate restriction applies


def score_matrix(ranker: Ranker, households: list[Household], held: set[str]) -> np.ndarray:
    """Placement scores (households x flats); NaN where a hard constraint fails or B = 0."""
    out = np.full((len(households), len(ranker.ids)), np.nan)
    for i, hh in enumerate(households):
        ev = ranker.evaluate(hh, held)
        ok = ev.passed & (ranker.factor > 0)
        out[i, ok] = ev.placement[ok]
    return out


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


def describe(
    sol: Solution,
    method: str,
    ranker: Ranker,
    scores: np.ndarray,
    cap: np.ndarray,
    before: np.ndarray,
) -> dict[str, Any]:
    """The architecture's allocation shape (without the baseline)."""
    placed = np.flatnonzero(sol.flat_of >= 0)
    flats = sol.flat_of[placed]
    after = before + np.bincount(ranker.district_index[flats], minlength=len(cap))
    any_fit = np.isfinite(scores).any(axis=1)
    reasons = [
        {
            "household": int(i),
            "reason": "no compatible flat"
            if not any_fit[i]
            else "compatible flats taken by others or their districts are full",
        }
        for i in np.flatnonzero(sol.flat_of < 0)
    ]
    pts = scores[placed, flats] if len(placed) else np.array([])
    used = cap > 0
    util = np.divide(after, cap, out=np.zeros(len(cap)), where=used)
    return {
        "method": method,
        "objective": round(sol.objective, 2),
        "placed": sol.placed,
        "unplaced": len(reasons),
        "assignments": [
            {
                "household": int(i),
                "flat_id": str(ranker.ids[j]),
                "placement_score": round(float(scores[i, j]), 2),
            }
            for i, j in zip(placed, flats, strict=True)
        ],
        "unplaced_reasons": reasons,
        "districts": [
            {
                "code": str(c),
                "capacity": int(cap[k]),
                "before": int(before[k]),
                "after": int(after[k]),
            }
            for k, c in enumerate(ranker.district_codes)
        ],
        "solve_seconds": round(sol.seconds, 3),
        "mip_gap": sol.gap,
        "proven_optimal": sol.optimal,
        "fairness": {
            "utilisation_spread": round(float(util[used].max() - util[used].min()), 4)
            if used.any()
            else 0.0,
            "mean_score": round(float(pts.mean()), 2) if len(pts) else None,
            "min_score": round(float(pts.min()), 2) if len(pts) else None,
        },
    }


def allocate(
    engine: Engine,
    profile: ScoringProfile,
    households: list[Household],
    method: str = "optimal",
    capacity_scale: float = 1.0,
    exclude: list[str] | None = None,
) -> dict[str, Any]:
    """Place a batch; the greedy baseline always runs on the same input for comparison."""
    if method not in ("optimal", "greedy"):
        raise InputError("method must be 'optimal' or 'greedy'")
    if not 0 <= capacity_scale <= 10:
        raise InputError("capacity_scale must be between 0 and 10")
    with engine.connect() as conn:
        check_district_codes(conn, exclude or [], "exclude_districts")
    ranker = cached_ranker(engine, profile)
    rules = profile.allocation
    scores = score_matrix(ranker, households, held_flats(engine))
    if rules.min_score is not None:
        scores[scores < rules.min_score] = np.nan
    cap, before = capacities(ranker, capacity_scale, exclude or [])
    limit = cap if rules.max_utilisation is None else np.floor(cap * rules.max_utilisation)
    left = np.maximum(limit - before, 0).astype(int)
    district = ranker.district_index
    greedy = solve_greedy(scores, district, left)
    per = rules.candidates_per_district if len(households) > LARGE_BATCH else None
    chosen = (
        solve_optimal(
            scores,
            district,
            left,
            per,
            rules.time_limit_s,
            greedy.flat_of,
            rules.priority == "placed_first",
        )
        if method == "optimal"
        else greedy
    )
    result = describe(chosen, method, ranker, scores, cap, before)
    result["baseline"] = {
        "method": "greedy",
        "objective": round(greedy.objective, 2),
        "placed": greedy.placed,
        "solve_seconds": round(greedy.seconds, 3),
    }
    result["profile_version"] = profile.version
    result["data_timestamp"] = ranker.data_timestamp
    result["_flat_ids"], result["_flat_districts"] = ranker.ids, ranker.district
    return result


def record_run(
    engine: Engine,
    result: dict[str, Any],
    households: list[Household],
    profile: ScoringProfile,
    key: KeyInfo | None,
    reserve: bool = False,
) -> list[str]:
    """Store the run in ``allocations`` and audit it; with ``reserve``, hold every assigned flat
    through the hold routine in the SAME transaction (409 and nothing kept if one was taken
    meanwhile). Returns the reservation ids in assignment order."""
    district_of = dict(zip(result["_flat_ids"], result["_flat_districts"], strict=True))
    profiles = [h.model_dump(mode="json") for h in households]
    shown = public(result)

    def store(conn: Connection) -> list[str]:
        """The allocation row, its holds and its audit entry."""
        run_id = conn.execute(
            insert(models.allocations)
            .values(
                method=shown["method"],
                households=profiles,
                result=shown,
                objective=shown["objective"],
                placed=shown["placed"],
                profile_version=profile.version,
                api_key_id=key.id if key else None,
            )
            .returning(models.allocations.c.id)
        ).scalar_one()
        holds = [
            Hold(
                flat_id=a["flat_id"],
                district_code=district_of.get(a["flat_id"]),
                household=profiles[a["household"]],
                placement_score=a["placement_score"],
                audit_detail={"allocation_id": str(run_id), "household": a["household"]},
            )
            for a in (shown["assignments"] if reserve else [])
        ]
        rows = place_holds(conn, holds, key, profile.version, shown["data_timestamp"])
        record(
            conn,
            "allocation",
            role=key.role if key else "cli",
            key_id=key.id if key else None,
            profile_version=profile.version,
            data_timestamp=shown["data_timestamp"],
            request={"households": profiles},
            detail={
                "allocation_id": str(run_id),
                "method": shown["method"],
                "placed": shown["placed"],
                "objective": shown["objective"],
                "reserved": len(rows),
            },
        )
        return [str(r.id) for r in rows]

    try:
        return in_transaction(engine, store)
    except FlatTaken as exc:
        raise Conflict(
            f"flat {exc.flat_id} of this allocation was reserved meanwhile; nothing was "
            "reserved or stored: run the allocation again"
        ) from None


def public(result: dict[str, Any]) -> dict[str, Any]:
    """The result without internal lookup arrays."""
    return {k: v for k, v in result.items() if not k.startswith("_")}
