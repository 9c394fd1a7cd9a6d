"""``geo-service offers``, ``coverage`` and ``offer-duplicates``: the round table's catalogue."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from geo_service.catalogue import service, sheet
from geo_service.cli.app import app
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.db.engine import get_engine

console = Console(highlight=False, soft_wrap=True)


def _print(rows: list[dict], columns: list[str], title: str) -> None:
    """A rich table of the given columns."""
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(r.get(c, "")) for c in columns))
    console.print(table)


@app.command("offers")
def offers(
    near: str = typer.Option(..., help="Flat id (F-0412) or lon,lat (WGS84)."),
    language: list[str] = typer.Option(["de"], help="Household language(s), ISO 639."),
    category: str = typer.Option(None, help="Offer category, e.g. counselling."),
    radius_m: float = typer.Option(None, help="Only offers within this many metres."),
    limit: int = typer.Option(10, min=1, max=200),
) -> None:
    """Offers near a flat or point in the household's languages, nearest first."""
    rows = service.referrals(
        get_engine(), near, language, category=category, radius_m=radius_m, limit=limit
    )
    for r in rows:
        r["languages"] = ";".join(r["languages"])
    cols = ["id", "name", "category", "languages", "interpreting", "distance_m", "match"]
    _print(rows, cols, f"offers near {near} ({', '.join(language)})")
    if any(r["fallback"] for r in rows):
        console.print("no offer in these languages: German-language offers shown (fallback)")


@app.command("coverage")
def coverage(
    language: list[str] = typer.Option(..., help="Language(s) to check, ISO 639."),
    category: list[str] = typer.Option(..., help="Offer categories to check."),
    radius_m: float = typer.Option(service.DEFAULT_RADIUS_M, help="Catchment radius in metres."),
    csv_out: Path = typer.Option(None, "--csv", help="Write the table as CSV."),
    e2sfca: bool = typer.Option(False, help="Weight by the scoring profile's decay (E2SFCA)."),
    profile: ProfilePath = None,
) -> None:
    """2SFCA coverage per district × category × language, gaps flagged."""
    decay = profile_from(profile) if e2sfca else None
    rows = service.coverage(get_engine(), language, category, radius_m, decay)
    if csv_out:
        with csv_out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["district_code"])
            writer.writeheader()
            writer.writerows(rows)
    _print(rows, list(rows[0]) if rows else [], f"coverage within {radius_m:.0f} m")
    for r in rows:
        if r["gap"]:
            console.print(
                f"gap: no {r['language']} {r['category']} within {radius_m:.0f} m "
                f"of district {r['district_code']}"
            )


@app.command("offer-duplicates")
def offer_duplicates(
    threshold: float = typer.Option(None, help="Similarity threshold (default 0.7)."),
) -> None:
    """Pairs of offers that are likely the same, with score and reason."""
    rows = service.duplicates(get_engine(), threshold)
    _print(rows, ["a", "b", "category", "distance_m", "score", "reason"], "likely duplicates")
    if not rows:
        sys.stdout.write("no likely duplicates\n")


@app.command("referral-sheet")
def referral_sheet(
    flat: str = typer.Option(..., help="Flat id, e.g. F-0412."),
    language: list[str] = typer.Option(
        ..., help="Household language(s); the first with labels is the sheet's language."
    ),
    sheet_language: str = typer.Option(None, help="Label language (de, en, ar, fa, uk, ru, tr)."),
    out: Path = typer.Option(..., help="HTML file to write."),
) -> None:
    """A printable one-page referral sheet for a flat in the household's languages."""
    html = sheet.referral_sheet(get_engine(), flat, language, sheet_language)
    out.write_text(html, encoding="utf-8")
    console.print(f"wrote {out} ({len(html):,} bytes)")
