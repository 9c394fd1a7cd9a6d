"""Printable referral sheet: the nearest offer per category within the profile's radius, in
German and on a second page in the household's language (labels, opening hours and language
names translated), the flat's address and a mini map with streets and a scale bar; HTML, or
PDF through Chromium's print."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import Engine, select

from geo_service.catalogue.referral import FALLBACK_LANGUAGE, rank_referrals
from geo_service.catalogue.sheet_map import MiniMap, mini_map
from geo_service.catalogue.store import check_languages, load_offers, point_xy
from geo_service.db import models
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.maps.labels import Labels, labels_for, sheet_languages
from geo_service.scoring.profile import CatalogueRules

HERE = Path(__file__).parent
DEFAULT_SHEET_RADIUS_M = CatalogueRules().sheet_radius_m


def _languages_text(offer: dict[str, Any], lab: Labels) -> dict[str, Any]:
    """What the sheet says about an offer's languages: every language by name; for a German
    fallback, "German only" or "also in: …" naming the others."""
    names = [lab.language(c) for c in offer["languages"]]
    others = [lab.language(c) for c in offer["languages"] if c != FALLBACK_LANGUAGE]
    note = ""
    if offer.get("fallback"):
        note = f"{lab.sheet['also_in']}: {', '.join(others)}" if others else lab.sheet["fallback"]
    return {"names": ", ".join(names), "fallback_note": note}


def check_sheet_language(lang: str) -> str:
    """``lang`` if the sheet has labels in it, else InputError naming the languages it has."""
    if lang not in sheet_languages():
        raise InputError(
            _("sheet_language “{lang}”: the sheet is printed in {languages}").format(
                lang=lang, languages=", ".join(sheet_languages())
            )
        )
    return lang


def sheet_page(
    lab: Labels,
    household_languages: list[str],
    found: list[tuple[str, dict[str, Any] | None, int]],
    radius_m: float,
) -> dict[str, Any]:
    """One page's texts: per category its nearest offer (numbered as on the map) or "no
    offer within 5 km", in ``lab``'s language."""
    km = lab.metres(radius_m)
    km = f"\u2066{km}\u2069" if lab.rtl else km  # "5 km" stays "5 km" in right-to-left text
    rows: list[dict[str, Any]] = []
    for category, offer, n in found:
        row: dict[str, Any] = {"category": lab.category(category), "offer": offer, "n": n}
        if offer:
            row |= _languages_text(offer, lab)
            row["hours"] = lab.hours(offer.get("opening_hours"))
            row["distance"] = lab.metres(offer["distance_m"])
        rows.append(row)
    return {
        "lang": lab.lang,
        "t": lab.sheet,
        "lab": lab,
        "rows": rows,
        "within": lab.sheet["within"].format(km=km),
        "none": lab.sheet["none"].format(km=km),
        "household_languages": ", ".join(lab.language(c) for c in household_languages),
    }


def render_sheet(
    flat: str, address: str | None, pages: list[dict[str, Any]], minimap: MiniMap
) -> str:
    """The sheet's HTML, one A4 page per language; no remote assets."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env.get_template("sheet.html.j2").render(
        pages=pages, flat=flat, address=address, map=minimap
    )


def _address(engine: Engine, flat: str) -> str | None:
    """The flat's address (None for a lon,lat point or a flat without one)."""
    f = models.flats
    with engine.connect() as conn:
        return conn.execute(select(f.c.address).where(f.c.id == flat)).scalar()


def sheet_languages_of(codes: list[str], lang: str | None) -> list[str]:
    """The pages' languages: ``lang`` alone when asked for; else German, then the first of
    the household's languages the sheet has labels in (for the household to keep)."""
    if lang is not None:
        return [check_sheet_language(lang)]
    own = next((c for c in codes if c in sheet_languages()), FALLBACK_LANGUAGE)
    return list(dict.fromkeys([FALLBACK_LANGUAGE, own]))


def referral_sheet(
    engine: Engine,
    flat: str,
    languages: list[str],
    lang: str | None = None,
    radius_m: float = DEFAULT_SHEET_RADIUS_M,
) -> str:
    """HTML sheet for a flat: per category the nearest offer in the household's languages
    within ``radius_m`` (straight line); in German with a second page in the household's
    language, or in ``lang`` alone."""
    codes = check_languages(languages)
    pages = sheet_languages_of(codes, lang)
    offers, xy = load_offers(engine)
    origin = point_xy(engine, flat)
    index = {o["id"]: i for i, o in enumerate(offers)}
    found: list[tuple[str, dict[str, Any] | None, int]] = []
    shown: list[tuple[int, float, float]] = []
    for category in labels_for(FALLBACK_LANGUAGE).sheet["categories"]:
        best = rank_referrals(
            offers, xy, origin, codes, category=category, radius_m=radius_m, limit=1
        )
        offer = best[0] if best else None
        if offer:
            x, y = xy[index[offer["id"]]]
            shown.append((len(shown) + 1, float(x), float(y)))
        found.append((category, offer, len(shown) if offer else 0))
    minimap = mini_map(engine, origin, shown)
    return render_sheet(
        flat,
        _address(engine, flat),
        [sheet_page(labels_for(p), codes, found, radius_m) for p in pages],
        minimap,
    )
