"""``geo-service simulate``: replay generated years under greedy, look-ahead, balanced and
hindsight."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from sqlalchemy import Engine

from geo_service.errors import InputError, NotScored
from geo_service.i18n import _
from geo_service.scoring.pipeline import load_ranker
from geo_service.scoring.profile import ScoringProfile
from geo_service.transition.groups import size_band
from geo_service.transition.policies import (
    POLICIES,
    Outcome,
    balanced,
    forecast_for,
    greedy,
    hindsight,
    lookahead,
)
from geo_service.transition.report import (
    DistrictUse,
    GroupFigures,
    MonthFigures,
    PolicyFigures,
    PolicyRun,
    RatioSpread,
    SeedRun,
    SimulationReport,
)
from geo_service.transition.year import Year, YearMix, generate_year, simulated_rows

Progress = Callable[[str], None]
MONTH_DAYS = 30


def _stats(values: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """Median, 90th percentile and maximum (None when empty)."""
    if not len(values):
        return None, None, None
    return (
        round(float(np.median(values)), 1),
        round(float(np.percentile(values, 90)), 1),
        float(values.max()),
    )


def _groups(keys: list[str], year: Year, outcome: Outcome) -> list[GroupFigures]:
    """Placement share, mean score and median wait per group (a household may be in several
    groups, e.g. one per language it speaks)."""
    d = year.arrivals.days
    placed = outcome.flat_of >= 0
    wait = outcome.day - d.household_day
    members: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        for k in key.split(","):
            members.setdefault(k, []).append(i)
    out = []
    for key in sorted(members):
        idx = np.asarray(members[key])
        got = idx[placed[idx]]
        out.append(
            GroupFigures(
                group=key,
                households=len(idx),
                placed_share=round(float(placed[idx].mean()), 4),
                mean_score=round(float(outcome.score[got].mean()), 2) if len(got) else None,
                wait_days_median=float(np.median(wait[got])) if len(got) else None,
            )
        )
    return out


def deviation(used: np.ndarray, quota: np.ndarray) -> float:
    """The largest deviation of a district's placements ``used`` from its quota path: its
    quota's share of all placements made (households)."""
    share = quota / max(float(quota.sum()), 1.0)
    return float(np.abs(used - share * used.sum()).max()) if len(used) else 0.0


def _months(year: Year, outcome: Outcome) -> list[MonthFigures]:
    """Arrivals, moves, the waiting list, the places used and the balance, month by month."""
    d = year.arrivals.days
    places = max(int(year.quota.sum()), 1)
    placed = outcome.flat_of >= 0
    district = np.full(len(outcome.flat_of), -1)
    district[placed] = year.template_district[d.flat_template[outcome.flat_of[placed]]]
    out = []
    for m in range((year.mix.days + MONTH_DAYS - 1) // MONTH_DAYS):
        first, last = m * MONTH_DAYS, min((m + 1) * MONTH_DAYS, year.mix.days) - 1
        moved = (outcome.day >= 0) & (outcome.day <= last)
        used = np.bincount(district[moved], minlength=len(year.quota))
        out.append(
            MonthFigures(
                month=m + 1,
                arrived=int(((d.household_day >= first) & (d.household_day <= last)).sum()),
                placed=int(((outcome.day >= first) & (outcome.day <= last)).sum()),
                waiting=int(((d.household_day <= last) & ~moved).sum()),
                quota_used=round(float(moved.sum()) / places, 4),
                max_deviation=round(deviation(used, year.quota), 2),
            )
        )
    return out


def figures(year: Year, outcome: Outcome, best: float) -> PolicyRun:
    """Everything the report says about one policy in one year."""
    d = year.arrivals.days
    placed = outcome.flat_of >= 0
    wait = (outcome.day - d.household_day)[placed]
    district = year.template_district[d.flat_template[outcome.flat_of[placed]]]
    used = np.bincount(district, minlength=len(year.quota))
    total = float(outcome.score.sum())
    median, p90, longest = _stats(wait)
    with_places = year.quota > 0
    months = _months(year, outcome)
    return PolicyRun(
        total_score=round(total, 2),
        ratio_to_hindsight=round(total / best, 4) if best > 0 else 1.0,
        placed=int(placed.sum()),
        never_placed=int((~placed).sum()),
        wait_days_median=median,
        wait_days_p90=p90,
        wait_days_max=longest,
        mean_score=round(float(outcome.score[placed].mean()), 2) if placed.any() else None,
        quota_use=round(float(used.sum() / max(year.quota.sum(), 1)), 4),
        districts_at_quota=int((used[with_places] >= year.quota[with_places]).sum()),
        balance_max_deviation=max((m.max_deviation for m in months), default=0.0),
        seconds=round(outcome.seconds, 2),
        by_language=_groups(
            [",".join(h.languages) for h in year.arrivals.households], year, outcome
        ),
        by_size=_groups([size_band(h.size) for h in year.arrivals.households], year, outcome),
        districts=[
            DistrictUse(code=c, quota=int(q), used=int(u))
            for c, q, u in zip(year.district_codes, year.quota, used, strict=True)
        ],
        months=months,
        wait_days=[int(w) for w in wait],
    )


def _mean(runs: list[SeedRun], policy: str) -> PolicyFigures:
    """A policy's figures averaged over the seeds."""
    rows = [r.policies[policy] for r in runs]
    out: dict[str, float | None] = {}
    for name in PolicyFigures.model_fields:
        values = [getattr(p, name) for p in rows if getattr(p, name) is not None]
        out[name] = round(float(np.mean(values)), 4) if values else None
    return PolicyFigures.model_validate(out)


def _spread(runs: list[SeedRun], policy: str) -> RatioSpread:
    """Mean, range and standard deviation of a policy's ratio to hindsight."""
    r = np.array([run.policies[policy].ratio_to_hindsight for run in runs])
    return RatioSpread(
        mean=round(float(r.mean()), 4),
        min=round(float(r.min()), 4),
        max=round(float(r.max()), 4),
        sd=round(float(r.std(ddof=1)), 4) if len(r) > 1 else 0.0,
    )


def simulate(
    engine: Engine,
    profile: ScoringProfile,
    days: int = 365,
    seeds: list[int] | None = None,
    mix: YearMix | None = None,
    progress: Progress | None = None,
) -> SimulationReport:
    """Generate a year per seed on the stored city and replay it under every policy."""
    seeds = seeds if seeds is not None else [1]
    if not 7 <= days <= 730:
        raise InputError(_("days must be between 7 and 730"))
    if not seeds or len(seeds) > 100:
        raise InputError(_("between 1 and 100 seeds"))
    mix = dataclasses.replace(mix or YearMix(), days=days)
    rules = profile.transition_rules
    ranker = load_ranker(engine, profile)
    if not len(ranker.ids) or not (ranker.factor > 0).any():
        raise NotScored(_("no flats in a district with places: load and score the data first"))
    rows = simulated_rows(ranker)
    forecast = None
    runs = []
    for seed in seeds:
        say = progress or (lambda _: None)
        say(_("seed {seed}: generating the year").format(seed=seed))
        year = generate_year(ranker, rows, mix, seed)
        if forecast is None:
            forecast = forecast_for(
                year, lambda hh: rows.rows(hh, ranker.factor), rules.pool_size, rules.seed
            )
        say(_("seed {seed}: hindsight optimum").format(seed=seed))
        outcomes = {"hindsight": hindsight(year)}
        say(_("seed {seed}: simple assignment").format(seed=seed))
        outcomes["greedy"] = greedy(year)
        say(_("seed {seed}: look-ahead").format(seed=seed))
        outcomes["lookahead"] = lookahead(year, rules, forecast)
        say(f"seed {seed}: balanced")
        outcomes["balanced"] = balanced(year, rules, forecast)
        best = float(outcomes["hindsight"].score.sum())
        runs.append(
            SeedRun(
                seed=seed,
                households=len(year.arrivals.households),
                flats=len(year.arrivals.days.flat_day),
                places=int(year.quota.sum()),
                policies={p: figures(year, outcomes[p], best) for p in POLICIES},
            )
        )
    return SimulationReport(
        days=days,
        seeds=seeds,
        mix=dataclasses.asdict(mix),
        look_ahead=rules.model_dump(),
        profile_version=profile.version,
        policies={p: _mean(runs, p) for p in POLICIES},
        spread={p: _spread(runs, p) for p in POLICIES},
        runs=runs,
    )
