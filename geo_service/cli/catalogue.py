"""``geo-service offers``, ``coverage`` and ``offer-duplicates``: the round table's catalogue."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_service.cli.app import app
from geo_service.cli.common import (
    category_words,
    console,
    print_json,
    progress,
    say,
    show_table,
)
from geo_service.cli.options import ProfilePath
from geo_service.cli.scoring import JSON_OPTION
from geo_service.i18n import _, formats

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
    lang, metres = _("lang"), _("m")
    show_table(
        _("Offers near {near} ({languages})").format(near=near, languages=", ".join(language)),
        [
            (_("id"), "left"),
            (_("name"), "left"),
            (_("category"), "left"),
            (lang, "left"),
            (metres, "right"),
        ],
        [
            (
                r.id,
                r.name,
                category_words(r.category),
                " ".join(r.languages) + (" +i" if r.interpreting else ""),
                formats.number(r.distance_m, 0),
            )
            for r in rows
        ],
        {
            lang: _("languages spoken (ISO 639); +i: interpreting"),
            metres: _("distance in metres"),
        },
    )
    if any(r.fallback for r in rows):
        say(_("no offer in these languages: German-language offers shown (fallback)"))


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
    with progress(
        _("2SFCA for {languages} languages × {categories} categories").format(
            languages=len(languages), categories=len(categories)
        )
    ):
        rows = service.coverage(engine, languages, categories, radius_m, decay)
    if csv_out:
        csv_out.write_text(service.as_csv(rows), encoding="utf-8")
    if as_json:
        print_json(Coverage(radius_m=radius_m, items=rows))
        return
    gaps = [r for r in rows if r.gap]
    shown = rows if len(rows) <= SHOWN_ROWS else gaps
    within = formats.distance(radius_m)
    title = (
        _("Coverage within {distance}").format(distance=within)
        if shown is rows
        else _("Coverage within {distance}, the {gaps} gaps of {rows} rows").format(
            distance=within, gaps=len(gaps), rows=len(rows)
        )
    )
    access, none, gap = _("access"), _("none"), _("GAP")
    show_table(
        title,
        [
            (_("district"), "left"),
            (_("category"), "left"),
            (_("lang"), "left"),
            (_("homes"), "right"),
            (access, "right"),
            (none, "right"),
            (_("gap"), "left"),
        ],
        [
            (
                r.district_code,
                category_words(r.category),
                r.language,
                r.households,
                formats.number(r.access_per_household, 3),
                r.without_offer_in_reach,
                gap if r.gap else "",
            )
            for r in shown
        ],
        {
            access: _("offer capacity per household within reach (2SFCA)"),
            none: _("homes with no such offer in reach"),
            gap: _("no home of the district has one in reach"),
        },
    )
    if shown is not rows:
        console.print(_("every row: --json or --csv FILE"))


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
        console.print(_("no likely duplicates"))
        return
    metres, score = _("m"), _("similarity")
    show_table(
        _("Likely duplicate offers"),
        [("a", "left"), ("b", "left"), (metres, "right"), (score, "right"), (_("why"), "left")],
        [
            (r.a, r.b, formats.number(r.distance_m, 0), formats.number(r.score, 2), r.reason)
            for r in rows
        ],
        {
            metres: _("metres apart"),
            score: _("similarity 0-1 (name, provider, languages, nearness)"),
        },
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
        console.print(
            _("wrote {file} ({size} bytes, A4 PDF)").format(
                file=out, size=formats.number(len(data), 0)
            )
        )
        return
    out.write_text(html, encoding="utf-8")
    console.print(
        _("wrote {file} ({size} bytes)").format(file=out, size=formats.number(len(html), 0))
    )
