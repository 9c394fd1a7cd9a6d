"""``geo-service report``: the situation report for a meeting of the round table."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import app
from geo_service.cli.common import err as console
from geo_service.cli.common import print_json
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.i18n import _


@app.command("report")
def report(
    since: str = typer.Option(..., help="Date of the last meeting (YYYY-MM-DD or TT.MM.JJJJ)."),
    out: Path = typer.Option(None, help="Write to this .html or .pdf file."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON instead."),
    profile: ProfilePath = None,
) -> None:
    """Situation report since a date: placements, utilisation against the quota plan, the
    waiting list, coverage gaps opened or closed, likely duplicates, offers changed, bridge
    builders; German, A4, charts inside, no personal data."""
    from geo_service.dates import as_date
    from geo_service.db.engine import get_engine
    from geo_service.errors import InputError
    from geo_service.report.service import build_report, render_html, render_pdf

    try:
        day = as_date(since)
    except ValueError as exc:
        raise InputError(f"--since: {exc}") from None

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
    console.print(f"situation report since {day:%d.%m.%Y} written to {out}")
