"""``geo-service questionnaire``: the printable questionnaire of a household's wishes."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console
from geo_service.cli.options import ProfilePath, profile_from


@app.command("questionnaire")
def questionnaire_cmd(
    out: Path = typer.Option(..., help="File to write: HTML, or PDF (A4) when it ends in .pdf."),
    sheet_language: str = typer.Option(
        "de", help="de, en, ar, fa, uk, ru or tr (every question also in German)."
    ),
    profile: ProfilePath = None,
) -> None:
    """Which districts a household would most like to live in and what matters most nearby,
    in its language: the clerk types the answers in as the household's "preferences"."""
    from geo_service.catalogue.questionnaire import questionnaire
    from geo_service.db.engine import get_engine
    from geo_service.i18n import _, formats

    html = questionnaire(get_engine(), profile_from(profile), sheet_language)
    if out.suffix.lower() == ".pdf":
        from geo_service.catalogue.sheet_pdf import print_pdf

        data = print_pdf(html, one_page=True)
        out.write_bytes(data)
    else:
        data = html.encode("utf-8")
        out.write_text(html, encoding="utf-8")
    console.print(
        _("wrote {file} ({size} bytes)").format(file=out, size=formats.number(len(data), 0))
    )
