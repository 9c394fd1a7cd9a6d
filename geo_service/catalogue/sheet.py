"""Printable one-page referral sheet: nearest offer per category, translated labels, SVG map."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from sqlalchemy import Engine

from geo_service.catalogue.referral import rank_referrals
from geo_service.catalogue.store import check_languages, load_offers, point_xy
from geo_service.errors import InputError

HERE = Path(__file__).parent
MAP_PX, MAP_MARGIN = 170.0, 12.0


@cache
def labels() -> dict[str, Any]:
    """The translated labels per sheet language from labels.toml."""
    return tomllib.loads((HERE / "labels.toml").read_text(encoding="utf-8"))


def _map_positions(rows: list[dict[str, Any]], origin: tuple[float, float]) -> None:
    """Place each row's offer in the SVG, the flat in the centre, north up, scaled to fit."""
    dxy = np.array([r["xy"] for r in rows if r["offer"]]).reshape(-1, 2) - origin
    half = (MAP_PX / 2 - MAP_MARGIN) / max(float(np.abs(dxy).max(initial=0.0)), 1.0)
    for r, (dx, dy) in zip([r for r in rows if r["offer"]], dxy, strict=True):
        r["sx"], r["sy"] = round(MAP_PX / 2 + dx * half, 1), round(MAP_PX / 2 - dy * half, 1)


def check_sheet_language(lang: str) -> str:
    """``lang`` if the sheet has labels in it, else InputError naming the languages it has."""
    if lang not in labels():
        raise InputError(
            f"sheet_language {lang!r}: the sheet has labels in {', '.join(sorted(labels()))}"
        )
    return lang


def render_sheet(flat: str, lang: str, household_languages: list[str], rows: list[dict]) -> str:
    """The sheet's HTML: rows carry category, offer (or None) and xy; no remote assets."""
    check_sheet_language(lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env.get_template("sheet.html.j2").render(
        lang=lang, t=labels()[lang], flat=flat, household_languages=household_languages, rows=rows
    )


def referral_sheet(engine: Engine, flat: str, languages: list[str], lang: str | None = None) -> str:
    """HTML sheet for a flat: per category the nearest offer in the household's languages."""
    codes = check_languages(languages)
    lang = check_sheet_language(lang) if lang else next((c for c in codes if c in labels()), "de")
    offers, xy = load_offers(engine)
    origin = point_xy(engine, flat)
    rows = []
    for category in labels()[lang]["categories"]:
        best = rank_referrals(offers, xy, origin, codes, category=category, limit=1)
        offer = best[0] if best else None
        pos = xy[[o["id"] for o in offers].index(offer["id"])] if offer else None
        rows.append({"category": category, "offer": offer, "xy": pos})
    for n, r in enumerate([r for r in rows if r["offer"]], start=1):
        r["n"] = n
    _map_positions(rows, origin)
    return render_sheet(flat, lang, codes, rows)
