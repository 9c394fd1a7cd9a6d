"""``geo-service simulate``: greedy, look-ahead, balanced and hindsight over generated years."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, err, print_json, say
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
    """The policies side by side, then the ratio per seed."""
    from rich.table import Table

    n = len(report.seeds)
    title = f"{report.days} days, {n} seed{'s' if n > 1 else ''}" + (" (means)" if n > 1 else "")
    table = Table(title=f"Simulated transition management: {title}. ILLUSTRATIVE")
    for col in (
        "policy",
        "total score",
        "of hindsight",
        "placed",
        "never placed",
        "wait median",
        "wait p90",
        "wait max",
        "places used",
        "max deviation",
        "seconds",
    ):
        table.add_column(col, justify="left" if col == "policy" else "right")
    for name, p in report.policies.items():
        spread = report.spread[name]
        ranged = n > 1 and name != "hindsight"
        ratio = f"{p.ratio_to_hindsight:.1%}" + (
            f" ({spread.min:.1%}-{spread.max:.1%})" if ranged else ""
        )
        table.add_row(
            LABELS[name],
            _fmt(p.total_score),
            ratio,
            _fmt(p.placed),
            _fmt(p.never_placed),
            _fmt(p.wait_days_median),
            _fmt(p.wait_days_p90),
            _fmt(p.wait_days_max),
            f"{p.quota_use:.0%}",
            _fmt(p.balance_max_deviation, "{:.1f}"),
            _fmt(p.seconds, "{:.1f}"),
        )
    console.print(table)
    say(
        "max deviation: the largest gap, at a month's end, between a district's placements "
        "and its quota path (its share of all placements so far), in households"
    )
    if n > 1:
        per = Table(title="Ratio to hindsight per seed")
        for col in ("seed", "households", "flats", "greedy", "look-ahead", "balanced"):
            per.add_column(col, justify="right")
        for run in report.runs:
            per.add_row(
                str(run.seed),
                str(run.households),
                str(run.flats),
                *(
                    f"{run.policies[p].ratio_to_hindsight:.2%}"
                    for p in ("greedy", "lookahead", "balanced")
                ),
            )
        console.print(per)
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
