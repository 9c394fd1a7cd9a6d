"""``geo-service offers``, ``coverage`` and ``offer-duplicates``: the round table's catalogue."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, print_json, progress, say, show_table
from geo_service.cli.options import ProfilePath
from geo_service.cli.scoring import JSON_OPTION

SHOWN_ROWS = 60  # longer coverage tables show only the gaps


@app.command("offers")
def offers(
    near: str = typer.Option(..., help="Flat id (F-0412) or lon,lat (WGS84)."),
    language: list[str] = typer.Option(["de"], help="Household language(s), ISO 639."),
    category: str = typer.Option(None, help="Offer category (see `geo-service vocab`)."),
    radius_m: float = typer.Option(None, help="Only offers within this many metres."),
    limit: int = typer.Option(10, min=1, max=200),
    as_json: bool = JSON_OPTION,
) -> None:
    """Offers near a flat or point in the household's languages, nearest first."""
    from geo_service.catalogue import service
    from geo_service.catalogue.vocabulary import check_categories
    from geo_service.cli.options import profile_from
    from geo_service.db.engine import get_engine

    if category is not None:
        check_categories([category], profile_from(None))
    rows = service.referrals(
        get_engine(), near, language, category=category, radius_m=radius_m, limit=limit
    )
    if as_json:
        print_json(rows)
        return
    show_table(
        f"Offers near {near} ({', '.join(language)})",
        [("id", "left"), ("name", "left"), ("category", "left"), ("lang", "left"), ("m", "right")],
        [
            (
                r.id,
                r.name,
                r.category,
                " ".join(r.languages) + (" +i" if r.interpreting else ""),
                f"{r.distance_m:,.0f}",
            )
            for r in rows
        ],
        {"lang": "languages spoken (ISO 639); +i: interpreting", "m": "distance in metres"},
    )
    if any(r.fallback for r in rows):
        say("no offer in these languages: German-language offers shown (fallback)")


@app.command("coverage")
def coverage(
    language: list[str] = typer.Option(
        None, help="Language(s) to check, ISO 639 (default: every catalogue language)."
    ),
    category: list[str] = typer.Option(
        None, help="Offer categories to check (default: every catalogue category)."
    ),
    radius_m: float = typer.Option(
        None, help="Catchment radius in metres (default: the catalogue's, 2,000 m)."
    ),
    csv_out: Path = typer.Option(None, "--csv", help="Write every row as CSV."),
    e2sfca: bool = typer.Option(False, help="Weight by the scoring profile's decay (E2SFCA)."),
    as_json: bool = JSON_OPTION,
    profile: ProfilePath = None,
) -> None:
    """2SFCA coverage per district × category × language, gaps flagged."""
    from geo_service.catalogue import service
    from geo_service.catalogue.results import Coverage
    from geo_service.catalogue.vocabulary import check_categories
    from geo_service.cli.options import profile_from
    from geo_service.db.engine import get_engine

    served = profile_from(profile)
    check_categories(category or [], served)
    engine = get_engine()
    decay = served if e2sfca else None
    languages, categories = service.languages_and_categories(engine, language, category)
    radius_m = radius_m or service.DEFAULT_RADIUS_M
    with progress(f"2SFCA for {len(languages)} languages × {len(categories)} categories"):
        rows = service.coverage(engine, languages, categories, radius_m, decay)
    if csv_out:
        csv_out.write_text(service.as_csv(rows), encoding="utf-8")
    if as_json:
        print_json(Coverage(radius_m=radius_m, items=rows))
        return
    gaps = [r for r in rows if r.gap]
    shown = rows if len(rows) <= SHOWN_ROWS else gaps
    what = "" if shown is rows else f", the {len(gaps)} gaps of {len(rows)} rows"
    show_table(
        f"Coverage within {radius_m:,.0f} m{what}",
        [
            ("district", "left"),
            ("category", "left"),
            ("lang", "left"),
            ("homes", "right"),
            ("access", "right"),
            ("none", "right"),
            ("gap", "left"),
        ],
        [
            (
                r.district_code,
                r.category,
                r.language,
                r.households,
                f"{r.access_per_household:.3f}",
                r.without_offer_in_reach,
                "GAP" if r.gap else "",
            )
            for r in shown
        ],
        {
            "access": "offer capacity per household within reach (2SFCA)",
            "none": "homes with no such offer in reach",
            "GAP": "no home of the district has one in reach",
        },
    )
    if shown is not rows:
        console.print("every row: --json or --csv FILE")


@app.command("offer-duplicates")
def offer_duplicates(
    threshold: float = typer.Option(None, help="Similarity threshold (default 0.7)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Pairs of offers that are likely the same, with score and reason."""
    from geo_service.catalogue import service
    from geo_service.catalogue.results import Duplicates
    from geo_service.db.engine import get_engine

    rows = service.duplicates(get_engine(), threshold)
    if as_json:
        print_json(Duplicates(items=rows))
        return
    if not rows:
        console.print("no likely duplicates")
        return
    show_table(
        "Likely duplicate offers",
        [("a", "left"), ("b", "left"), ("m", "right"), ("score", "right"), ("why", "left")],
        [(r.a, r.b, f"{r.distance_m:.0f}", f"{r.score:.2f}", r.reason) for r in rows],
        {"m": "metres apart", "score": "similarity 0-1 (name, provider, languages, nearness)"},
    )


@app.command("referral-sheet")
def referral_sheet(
    flat: str = typer.Option(..., help="Flat id, e.g. F-0412."),
    language: list[str] = typer.Option(
        ..., help="Household language(s); the first with labels gets the sheet's second page."
    ),
    sheet_language: str = typer.Option(
        None, help="One page in this language (de, en, ar, fa, uk, ru, tr) instead."
    ),
    out: Path = typer.Option(..., help="File to write: HTML, or PDF (A4) when it ends in .pdf."),
    profile: ProfilePath = None,
) -> None:
    """A printable referral sheet for a flat: German, and a page in the household's language."""
    from geo_service.catalogue import sheet
    from geo_service.cli.options import profile_from
    from geo_service.db.engine import get_engine

    radius = profile_from(profile).catalogue.sheet_radius_m
    html = sheet.referral_sheet(get_engine(), flat, language, sheet_language, radius)
    if out.suffix.lower() == ".pdf":
        from geo_service.catalogue.sheet_pdf import sheet_pdf

        data = sheet_pdf(html)
        out.write_bytes(data)
        console.print(f"wrote {out} ({len(data):,} bytes, A4 PDF)")
        return
    out.write_text(html, encoding="utf-8")
    console.print(f"wrote {out} ({len(html):,} bytes)")
