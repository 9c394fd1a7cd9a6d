"""Printable one-page referral sheet: the nearest offer per category, in the household's
language (labels, opening hours and language names translated), the flat's address and a
mini map with streets and a scale bar; HTML, or PDF through Chromium's print."""

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

HERE = Path(__file__).parent


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


def render_sheet(
    flat: str,
    address: str | None,
    lab: Labels,
    household_languages: list[str],
    rows: list[dict[str, Any]],
    minimap: MiniMap,
) -> str:
    """The sheet's HTML from prepared rows; no remote assets."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env.get_template("sheet.html.j2").render(
        lang=lab.lang,
        t=lab.sheet,
        lab=lab,
        flat=flat,
        address=address,
        household_languages=", ".join(lab.language(c) for c in household_languages),
        rows=rows,
        map=minimap,
    )


def _address(engine: Engine, flat: str) -> str | None:
    """The flat's address (None for a lon,lat point or a flat without one)."""
    f = models.flats
    with engine.connect() as conn:
        return conn.execute(select(f.c.address).where(f.c.id == flat)).scalar()


def referral_sheet(engine: Engine, flat: str, languages: list[str], lang: str | None = None) -> str:
    """HTML sheet for a flat: per category the nearest offer in the household's languages."""
    codes = check_languages(languages)
    if lang is not None:
        check_sheet_language(lang)
    lab = labels_for(lang or next((c for c in codes if c in sheet_languages()), "de"))
    offers, xy = load_offers(engine)
    origin = point_xy(engine, flat)
    index = {o["id"]: i for i, o in enumerate(offers)}
    rows: list[dict[str, Any]] = []
    shown: list[tuple[int, float, float]] = []
    for category in lab.sheet["categories"]:
        best = rank_referrals(offers, xy, origin, codes, category=category, limit=1)
        offer = best[0] if best else None
        row: dict[str, Any] = {"category": lab.category(category), "offer": offer}
        if offer:
            row |= _languages_text(offer, lab)
            row["n"] = len(shown) + 1
            row["hours"] = lab.hours(offer.get("opening_hours"))
            row["distance"] = lab.metres(offer["distance_m"])
            x, y = xy[index[offer["id"]]]
            shown.append((row["n"], float(x), float(y)))
        rows.append(row)
    minimap = mini_map(engine, origin, shown)
    return render_sheet(flat, _address(engine, flat), lab, codes, rows, minimap)
