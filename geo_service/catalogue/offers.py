"""Search offers by language, category and distance from a point."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, exists, func, select

from geo_service.auth.keys import KeyInfo
from geo_service.catalogue.editing import visible_to
from geo_service.catalogue.referral import FALLBACK_LANGUAGE
from geo_service.catalogue.results import Offer, OfferPage
from geo_service.db import models
from geo_service.db.crs import storage_crs

OFFERS, LANGS = models.offers, models.offer_languages


def search_offers(
    engine: Engine,
    *,
    language: str | None = None,
    category: str | None = None,
    near: tuple[float, float] | None = None,
    radius_m: float | None = None,
    limit: int = 50,
    offset: int = 0,
    fallback: bool = False,
    statuses: Sequence[str] = ("active",),
    organisation: str | None = None,
    key: KeyInfo | None = None,
) -> OfferPage:
    """Offers in ``statuses`` (default: active) matching the filters, nearest first when
    ``near`` (lon, lat WGS84) is given; with ``fallback``, German offers flagged ``fallback``
    when none speaks ``language``. Drafts only as ``key`` may see them (its organisation's, or
    all for an admin; none without a key)."""
    langs = (
        select(func.array_agg(LANGS.c.language))
        .where(LANGS.c.offer_id == OFFERS.c.id)
        .scalar_subquery()
    )
    wgs = func.ST_Transform(OFFERS.c.geom, 4326)
    cols: list[Any] = [
        OFFERS.c.id,
        OFFERS.c.name,
        OFFERS.c.category,
        OFFERS.c.provider,
        OFFERS.c.address,
        OFFERS.c.opening_hours,
        OFFERS.c.capacity_per_week,
        OFFERS.c.contact_role,
        OFFERS.c.interpreting,
        OFFERS.c.district_code,
        OFFERS.c.status,
        OFFERS.c.organisation_id,
        langs.label("languages"),
        func.ST_X(wgs).label("lon"),
        func.ST_Y(wgs).label("lat"),
    ]
    conds: list[Any] = [OFFERS.c.status.in_(list(statuses)), visible_to(key)]
    if organisation is not None:
        conds.append(OFFERS.c.organisation_id == organisation)
    if language:
        conds.append(exists().where(LANGS.c.offer_id == OFFERS.c.id, LANGS.c.language == language))
    if category:
        conds.append(OFFERS.c.category == category)
    order: list[Any] = [OFFERS.c.id]
    if near:
        point = func.ST_Transform(
            func.ST_SetSRID(func.ST_MakePoint(*near), 4326), storage_crs(engine).srid
        )
        distance = func.ST_Distance(OFFERS.c.geom, point)
        cols.append(distance.label("distance_m"))
        order = [distance, OFFERS.c.id]
        if radius_m is not None:
            conds.append(func.ST_DWithin(OFFERS.c.geom, point, radius_m))
    if fallback and language and language != FALLBACK_LANGUAGE:
        found = search_offers(
            engine,
            language=language,
            category=category,
            near=near,
            radius_m=radius_m,
            limit=limit,
            offset=offset,
            statuses=statuses,
            organisation=organisation,
            key=key,
        )
        if found.total:
            return found
        german = search_offers(
            engine,
            language=FALLBACK_LANGUAGE,
            category=category,
            near=near,
            radius_m=radius_m,
            limit=limit,
            offset=offset,
            statuses=statuses,
            organisation=organisation,
            key=key,
        )
        flagged = [i.model_copy(update={"fallback": True}) for i in german.items]
        return german.model_copy(update={"items": flagged})
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(OFFERS).where(*conds)).scalar_one()
        rows = (
            conn.execute(select(*cols).where(*conds).order_by(*order).limit(limit).offset(offset))
            .mappings()
            .all()
        )
    items = [
        Offer.model_validate(
            {
                **r,
                "languages": sorted(r["languages"] or []),
                **({"distance_m": round(r["distance_m"], 1)} if "distance_m" in r else {}),
            }
        )
        for r in rows
    ]
    return OfferPage(total=total, limit=limit, offset=offset, items=items)
