"""``geo-service simulate``: greedy, look-ahead, balanced and hindsight over generated years."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from geo_service.cli.app import app
from geo_service.cli.common import err, print_json, say, show_table
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.i18n import N_, _, formats, ngettext

if TYPE_CHECKING:
    from geo_service.transition.report import SimulationReport

LABELS = {
    "greedy": N_("greedy (best flat now)"),
    "lookahead": N_("look-ahead"),
    "balanced": N_("balanced (on the quota path)"),
    "hindsight": N_("hindsight (best possible)"),
}


def _fmt(value: float | None, digits: int = 0) -> str:
    """A figure for the table ('–' when there is none)."""
    return "–" if value is None else formats.number(value, digits)


def _pct(value: float, digits: int = 1) -> str:
    """A share as a clerk reads it: '97,2 %'."""
    return formats.percent(value, digits)


def print_report(report: SimulationReport) -> None:
    """The policies side by side, then the ratio and the balance per seed (long cells wrap)."""
    n = len(report.seeds)
    title = ngettext("{days} days, {n} year", "{days} days, {n} years (means)", n).format(
        days=report.days, n=n
    )
    rows = []
    for name, p in report.policies.items():
        spread = report.spread[name]
        ranged = n > 1 and name != "hindsight"
        ratio = _pct(p.ratio_to_hindsight) + (
            f" ({_pct(spread.min)} – {_pct(spread.max)})" if ranged else ""
        )
        rows.append(
            (
                _(LABELS[name]),
                _fmt(p.total_score),
                ratio,
                _fmt(p.placed),
                _fmt(p.never_placed),
                f"{_fmt(p.wait_days_median)} / {_fmt(p.wait_days_p90)} / {_fmt(p.wait_days_max)}",
                _pct(p.quota_use, 0),
                _fmt(p.balance_max_deviation, 1),
                _fmt(p.seconds, 1),
            )
        )
    show_table(
        _("Simulated placement over generated years: {title}. ILLUSTRATIVE").format(title=title),
        [
            (_("policy"), "left"),
            (_("points"), "right"),
            (_("of hindsight"), "right"),
            (_("moved in"), "right"),
            (_("never"), "right"),
            (_("days waited"), "right"),
            (_("places"), "right"),
            (_("max dev"), "right"),
            (_("s"), "right"),
        ],
        rows,
        {
            _("points"): _("total placement score of all moves"),
            _("never"): _("households still waiting at the end"),
            _("days waited"): _("days from joining the list to moving in: median / p90 / max"),
            _("places"): _("share of the year's district places used"),
            _("max dev"): _(
                "the largest gap, at a month's end, between a district's placements and its "
                "quota path (its share of all placements so far), in households"
            ),
            _("s"): _("seconds the policy took"),
        },
    )
    if n > 1:
        policies = ("greedy", "lookahead", "balanced")
        show_table(
            _("Share of hindsight (max dev) per year"),
            [(_("year"), "right"), (_("households"), "right"), (_("flats"), "right")]
            + [(_(LABELS[p]), "right") for p in policies]
            + [(_("look-ahead (s)"), "right")],
            [
                (
                    run.seed,
                    run.households,
                    run.flats,
                    *(
                        f"{_pct(run.policies[p].ratio_to_hindsight, 2)} "
                        f"({_fmt(run.policies[p].balance_max_deviation, 1)})"
                        for p in policies
                    ),
                    _fmt(run.policies["lookahead"].seconds, 1),
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
        task = bar.add_task(_("loading the city"), total=None)
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
