"""Which flats a ranking keeps: the filters, the counts of the flats left out by reason, the
districts and service places that are full, the best flats in order, and the analysts' table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from geo_service.scoring.decay import round_preserving_sum
from geo_service.scoring.evaluation import Evaluation
from geo_service.scoring.explain import ranking_notes
from geo_service.scoring.fit import all_of
from geo_service.scoring.household import Household
from geo_service.scoring.results import Exclusions, FullDistrict, FullService, Ranking
from geo_service.scoring.services import full_services, service_note

if TYPE_CHECKING:  # pandas is imported where frames are made: a ranking needs none
    import pandas as pd

    from geo_service.scoring.ranking import Ranker


# why a flat is left out of a ranking, each counted under the first that applies (in order)
REASONS = ("outside_districts", "not_on_offer", "held", "constraint", "district_full")


@dataclass(frozen=True)
class Selection:
    """The flats a ranking keeps (positions, best first) and its counts, not yet explained."""

    evaluation: Evaluation
    chosen: list[int]
    ranking: Ranking
    scored: tuple[np.ndarray, np.ndarray]  # S and S x B of the chosen flats


def select(
    ranker: Ranker,
    household: Household,
    limit: int | None = 10,
    districts: list[str] | None = None,
    override_cap: bool = False,
    held: set[str] | None = None,
) -> Selection:
    """The top flats passing every filter (best placement first, ties by flat id) and the
    ranking's counts of the flats left out by reason, not yet explained."""
    ranker.check_districts(districts)
    ev = ranker.evaluate(household, held)
    n = len(ranker.ids)
    fits, free = ev.fits, ev.checks[0].passed  # "free": on offer, not reserved
    offered = ranker.on_offer
    if districts:  # each reason counts the flats it leaves out of those the reasons before kept
        inside = np.isin(ranker.district, districts)
        offered, free = inside & offered, inside & free
    fitting = free & fits
    uncapped = ~ranker.capped
    left = fitting if override_cap else fitting & uncapped
    n_free = int(np.count_nonzero(free))
    kept = [
        n,
        np.count_nonzero(inside) if districts else n,
        np.count_nonzero(offered),
        n_free,
        *map(np.count_nonzero, (fitting, left)),
    ]
    counts = {
        reason: int(before - after)
        for reason, before, after in zip(REASONS, kept, kept[1:], strict=False)
    }
    failed = {
        c.name: n_free - int(np.count_nonzero(free & c.passed))
        for c in ev.checks
        if c.name != "free"
    }
    full_districts = full_districts_of(ranker, fitting & ranker.capped)
    services = next((c.passed for c in ev.checks if c.name == "services"), None)
    short = full_services_of(ranker, household, ev, free & uncapped, services)
    idx = np.flatnonzero(left)
    score, placement = ev.scores_of(idx)
    chosen = top(idx, ev.ranking_of(idx, placement), ranker.id_order, limit)
    at = np.searchsorted(idx, chosen)  # the chosen among idx (ascending)
    excluded = Exclusions(**counts)
    ranking = Ranking(
        results=[],
        profile_version=ranker.profile.version,
        data_timestamp=ranker.data_timestamp,
        considered=n,
        eligible=len(idx),
        excluded=excluded,
        failed_constraints=failed,
        full_districts=full_districts,
        full_services=short,
        notes=ranking_notes(
            returned=len(chosen),
            limit=n if limit is None else limit,
            considered=n,
            excluded=excluded,
            failed=failed,
            full=full_districts,
            move_in=household.move_in,
            today=date.today(),
            override_cap=override_cap,
        )
        + [service_note(s) for s in short],
    )
    return Selection(ev, chosen, ranking, (score[at], placement[at]))


def full_services_of(
    ranker: Ranker,
    household: Household,
    ev: Evaluation,
    free: np.ndarray,
    services: np.ndarray | None,
) -> list[FullService]:
    """The districts whose service places the household needs are taken, among the free
    flats in districts below their cap that fit it but for those places."""
    if services is None:
        return []
    others = [c.passed for c in ev.checks if c.name not in ("free", "services")]
    mask = free & all_of(others) & ~services
    return full_services(
        ranker.profile,
        household,
        ranker.districts,
        list(ranker.district_codes),
        ranker.district_index,
        mask,
    )


def full_districts_of(ranker: Ranker, mask: np.ndarray) -> list[FullDistrict]:
    """The districts at their cap among the flats of ``mask``, with how many fit there."""
    codes = ranker.district_index[mask]
    counts = np.bincount(codes[codes >= 0], minlength=len(ranker.district_codes))
    found = {str(ranker.district_codes[i]): int(n) for i, n in enumerate(counts) if n}
    return [
        FullDistrict(
            code=code,
            name=ranker.districts.get(code, {}).get("name"),
            utilisation=round(float(ranker.districts.get(code, {}).get("utilisation", 1.0)), 4),
            fitting_flats=count,
        )
        for code, count in sorted(found.items())
    ]


def table(ranker: Ranker, sel: Selection) -> pd.DataFrame:
    """A selection as one row per flat (rank, scores, district, points per category),
    without the words: for analysts ranking thousands of flats at once."""
    import pandas as pd

    ev, rows = sel.evaluation, sel.chosen
    names = ranker.profile.names()
    points = round_preserving_sum(ev.points(rows)) if rows else np.zeros((0, len(names)))
    score, placement = sel.scored
    info = [ranker.districts.get(c, {}) for c in ranker.district[rows]]
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(rows) + 1),
            "flat_id": ranker.ids[rows].astype(str),
            "address": ranker.addresses[rows],
            "placement_score": placement,
            "infrastructure_score": score,
            "district_code": ranker.district[rows],
            "district_name": [i.get("name") for i in info],
            "district_factor": np.round(ranker.factor[rows], 4),
            "utilisation": [round(float(i.get("utilisation", 0.0)), 4) for i in info],
            **{f"points_{c}": points[:, k] for k, c in enumerate(names)},
            "profile_version": ranker.profile.version,
        }
    )


def top(rows: np.ndarray, score: np.ndarray, ids: np.ndarray, limit: int | None) -> list[int]:
    """The ``limit`` best of ``rows`` by ``score`` (one per row; highest first, ties by
    ``ids[row]``, e.g. ``Ranker.id_order``): a partial sort keeps the candidates down to those
    scoring at least the limit-th best (all its ties kept), and only those are sorted."""
    if limit is not None and limit <= 0:
        return []
    if limit is not None and limit < len(rows):
        threshold = np.partition(score, len(score) - limit)[len(score) - limit]
        keep = score >= threshold
        rows, score = rows[keep], score[keep]
    return rows[np.lexsort((ids[rows], -score))[:limit]].tolist()
