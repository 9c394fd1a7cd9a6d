"""``geo-service report``: the situation report for a meeting of the round table, and
``report fairness``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from geo_service.cli.app import app
from geo_service.cli.common import err as console
from geo_service.cli.common import print_json
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.cli.report_tables import show_fairness
from geo_service.i18n import _, formats

report_app = typer.Typer(
    help="Reports: the situation report (geo-service report --since D --out F) and fairness.",
    invoke_without_command=True,
)
app.add_typer(report_app, name="report")


@report_app.callback()
def report(
    ctx: typer.Context,
    since: str = typer.Option(None, help="Date of the last meeting (YYYY-MM-DD or TT.MM.JJJJ)."),
    out: Path = typer.Option(None, help="Write to this .html or .pdf file."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON instead."),
    profile: ProfilePath = None,
) -> None:
    """Situation report since a date: placements, utilisation against the quota plan, the
    waiting list, coverage gaps opened or closed, likely duplicates, offers changed, bridge
    builders; German, A4, charts inside, no personal data. `report fairness` compares
    household groups."""
    from geo_service.db.engine import get_engine
    from geo_service.errors import InputError
    from geo_service.report.service import build_report, render_html, render_pdf

    if ctx.invoked_subcommand is not None:
        return
    if since is None:
        raise InputError(_("give --since YYYY-MM-DD (the date of the last meeting)"))
    day = since_day(since)
    if not as_json and out is None:
        raise InputError(_("give --out FILE (.html or .pdf), or --json"))
    suffix = out.suffix.lower() if out else ""
    if out is not None and suffix not in (".html", ".pdf"):
        raise InputError(_("--out: {name} must end in .html or .pdf").format(name=out.name))
    prof = profile_from(profile)
    found = build_report(get_engine(), day, prof)
    if as_json:
        print_json(found)
    if out is None:
        return
    if suffix == ".pdf":
        out.write_bytes(render_pdf(found, prof))
    else:
        out.write_text(render_html(found, prof), encoding="utf-8")
    console.print(
        _("situation report since {day} written to {file}").format(day=formats.day(day), file=out)
    )


@report_app.command("fairness")
def fairness(
    since: str = typer.Option(
        ..., help="Households on the waiting list since (YYYY-MM-DD or TT.MM.JJJJ)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    profile: ProfilePath = None,
) -> None:
    """Who waits longer or gets worse flats: per household group (size band, language, needs)
    the median days waited, median placement score, share placed, wishes met and overrides,
    each as a ratio to all households; small groups merged or suppressed."""
    from geo_service.db.engine import get_engine
    from geo_service.report.fairness import build_fairness

    found = build_fairness(get_engine(), since_day(since), profile_from(profile))
    if as_json:
        print_json(found)
        return
    show_fairness(found)


def since_day(text: str) -> date:
    """The day of ``--since`` (YYYY-MM-DD or TT.MM.JJJJ); InputError naming the option."""
    from geo_service.dates import as_date
    from geo_service.errors import InputError

    try:
        return as_date(text)
    except ValueError as exc:
        raise InputError(f"--since: {exc}") from None
