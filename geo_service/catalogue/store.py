"""Catalogue data read through SQLAlchemy Core: offers, flats and placed households (metres,
storage CRS)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, func, select

from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.db.engine import connected
from geo_service.errors import InputError, NotFound
from geo_service.i18n import _
from geo_service.scoring.household import language_problem

OFFERS, LANGS, FLATS = models.offers, models.offer_languages, models.flats
ACTIVE = ("held", "confirmed")


def check_languages(languages: list[str]) -> list[str]:
    """The codes lower-cased, or InputError naming the first one that is not ISO 639."""
    codes = [c.strip().lower() for c in languages if c.strip()]
    for code in codes:
        problem = language_problem(code)
        if problem:
            raise InputError(_("language: {problem}").format(problem=problem))
    return codes


def load_offers(bind: Engine | Connection) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Every active offer with its languages, and an (n, 2) array of storage-CRS coordinates (m)."""
    langs = (
        select(func.array_agg(LANGS.c.language))
        .where(LANGS.c.offer_id == OFFERS.c.id)
        .scalar_subquery()
    )
    cols = [c for c in OFFERS.c if c.name not in ("geom", "created_at", "version")]
    query = (
        select(*cols, langs.label("languages"), func.ST_X(OFFERS.c.geom), func.ST_Y(OFFERS.c.geom))
        .where(models.active_offer())
        .order_by(OFFERS.c.id)
    )
    with connected(bind) as conn:
        rows = conn.execute(query).all()
    offers = [
        {
            **dict(zip([c.name for c in cols], r[: len(cols)], strict=True)),
            "languages": sorted(r[len(cols)] or []),
        }
        for r in rows
    ]
    return offers, np.array([r[-2:] for r in rows], dtype=float).reshape(-1, 2)


def vocabulary(bind: Engine | Connection) -> tuple[list[str], list[str]]:
    """The catalogue's categories and languages, each sorted: of every offer but drafts, so
    that pausing or retiring a category's or a language's last offers shows up as a gap."""
    active = OFFERS.c.status != "draft"
    with connected(bind) as conn:
        categories = conn.scalars(
            select(OFFERS.c.category).where(active).distinct().order_by(OFFERS.c.category)
        )
        languages = conn.scalars(
            select(LANGS.c.language)
            .join(OFFERS, OFFERS.c.id == LANGS.c.offer_id)
            .where(active)
            .distinct()
            .order_by(LANGS.c.language)
        )
        return list(categories), list(languages)


def point_xy(bind: Engine | Connection, near: str) -> tuple[float, float]:
    """Storage-CRS coordinates (m) of a flat id or a 'lon,lat' pair (WGS84)."""
    parts = near.split(",")
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            raise InputError(
                _("near: “{near}” is neither a flat id nor lon,lat").format(near=near)
            ) from None
        geom = func.ST_Transform(
            func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326), storage_crs(bind).srid
        )
        query = select(func.ST_X(geom), func.ST_Y(geom))
    else:
        query = select(func.ST_X(FLATS.c.geom), func.ST_Y(FLATS.c.geom)).where(FLATS.c.id == near)
    with connected(bind) as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound(_("there is no flat {flat_id}").format(flat_id=near))
    return float(row[0]), float(row[1])


def placed_households(bind: Engine | Connection) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Held or confirmed households (district, languages) at their flat's coordinates."""
    res = models.reservations
    query = (
        select(
            res.c.district_code, res.c.household, func.ST_X(FLATS.c.geom), func.ST_Y(FLATS.c.geom)
        )
        .join(FLATS, FLATS.c.id == res.c.flat_id)
        .where(res.c.status.in_(ACTIVE))
    )
    with connected(bind) as conn:
        rows = conn.execute(query).all()
    households = [
        {"district_code": r[0], "languages": list((r[1] or {}).get("languages") or [])}
        for r in rows
    ]
    return households, np.array([r[2:] for r in rows], dtype=float).reshape(-1, 2)


def flats_as_demand(bind: Engine | Connection) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Every flat as one planned household of unknown language (when nobody is placed yet)."""
    query = select(FLATS.c.district_code, func.ST_X(FLATS.c.geom), func.ST_Y(FLATS.c.geom))
    with connected(bind) as conn:
        rows = conn.execute(query).all()
    return (
        [{"district_code": r[0], "languages": []} for r in rows],
        np.array([r[1:] for r in rows], dtype=float).reshape(-1, 2),
    )
