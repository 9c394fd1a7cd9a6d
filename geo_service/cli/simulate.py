"""``geo-service simulate``: greedy, look-ahead, balanced and hindsight over generated years."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from geo_service.cli.app import app
from geo_service.cli.common import err, print_json, say, show_table
from geo_service.cli.options import ProfilePath, profile_from

if TYPE_CHECKING:
    from geo_service.transition.report import SimulationReport

LABELS = {
    "greedy": "greedy",
    "lookahead": "look-ahead",
    "balanced": "balanced",
    "hindsight": "hindsight",
}


def _fmt(value: float | None, pattern: str = "{:.0f}") -> str:
    """A figure for the table ('-' when there is none)."""
    return "-" if value is None else pattern.format(value)


def print_report(report: SimulationReport) -> None:
    """The policies side by side, then the ratio and the balance per seed (long cells wrap)."""
    n = len(report.seeds)
    title = f"{report.days} days, {n} seed{'s' if n > 1 else ''}" + (" (means)" if n > 1 else "")
    rows = []
    for name, p in report.policies.items():
        spread = report.spread[name]
        ranged = n > 1 and name != "hindsight"
        ratio = f"{p.ratio_to_hindsight:.1%}" + (
            f" ({spread.min:.1%}-{spread.max:.1%})" if ranged else ""
        )
        rows.append(
            (
                LABELS[name],
                _fmt(p.total_score),
                ratio,
                _fmt(p.placed),
                _fmt(p.never_placed),
                f"{_fmt(p.wait_days_median)} / {_fmt(p.wait_days_p90)} / {_fmt(p.wait_days_max)}",
                f"{p.quota_use:.0%}",
                _fmt(p.balance_max_deviation, "{:.1f}"),
                _fmt(p.seconds, "{:.1f}"),
            )
        )
    show_table(
        f"Simulated transition management: {title}. ILLUSTRATIVE",
        [
            ("policy", "left"),
            ("score", "right"),
            ("of hindsight", "right"),
            ("placed", "right"),
            ("never", "right"),
            ("wait", "right"),
            ("places", "right"),
            ("max dev", "right"),
            ("s", "right"),
        ],
        rows,
        {
            "score": "total placement score of all moves",
            "never": "households still waiting at the end",
            "wait": "days from joining to moving: median / p90 / max",
            "places": "share of the year's district places used",
            "max dev": "the largest gap, at a month's end, between a district's placements "
            "and its quota path (its share of all placements so far), in households",
            "s": "seconds the policy took",
        },
    )
    if n > 1:
        policies = ("greedy", "lookahead", "balanced")
        show_table(
            "Ratio to hindsight and max deviation per seed",
            [("seed", "right"), ("households", "right"), ("flats", "right")]
            + [(LABELS[p], "right") for p in policies],
            [
                (
                    run.seed,
                    run.households,
                    run.flats,
                    *(
                        f"{run.policies[p].ratio_to_hindsight:.2%} "
                        f"({run.policies[p].balance_max_deviation:.1f})"
                        for p in policies
                    ),
                )
                for run in report.runs
            ],
        )
    say(report.note)


@app.command("simulate")
def simulate_cmd(
    days: int = typer.Option(365, min=7, max=730, help="Length of the simulated period."),
    seed: int = typer.Option(1, min=0, help="Seed of the first generated year."),
    seeds: int = typer.Option(1, min=1, max=100, help="How many years (seeds seed, seed+1, ...)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
    profile: ProfilePath = None,
) -> None:
    """Replay generated years of arrivals under greedy, look-ahead, balanced (look-ahead kept
    on each district's quota path) and the hindsight optimum: each policy's share of
    hindsight and its largest monthly deviation from the quota path."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from geo_service.db.engine import get_engine
    from geo_service.transition.simulation import simulate

    prof = profile_from(profile)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("loading the city", total=None)
        report = simulate(
            get_engine(),
            prof,
            days=days,
            seeds=list(range(seed, seed + seeds)),
            progress=lambda text: bar.update(task, description=text),
        )
    if as_json:
        print_json(report)
        return
    print_report(report)
