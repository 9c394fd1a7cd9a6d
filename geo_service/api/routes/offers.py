"""``/api/v1/offers``: the round table's catalogue by language, category and distance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.auth.keys import KeyInfo
from geo_service.catalogue.editing import Status as OfferStatus
from geo_service.catalogue.offers import search_offers
from geo_service.catalogue.results import OfferPage
from geo_service.catalogue.store import check_languages
from geo_service.catalogue.vocabulary import check_categories
from geo_service.codes import Code
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/offers", tags=["offers"])


def parse_near(near: str | None) -> tuple[float, float] | None:
    """``lon,lat`` in WGS84."""
    if near is None:
        return None
    try:
        lon, lat = (float(v) for v in near.split(","))
    except ValueError:
        raise InputError(
            _("near: expected “lon,lat” in decimal degrees, e.g. near=10.336,52.156")
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(
            _("near: the longitude must be in [-180, 180] and the latitude in [-90, 90]")
        )
    return lon, lat


@router.get("", summary="Search offers", response_model=OfferPage)
def offers(
    language: Annotated[
        str | None, Query(pattern="^[a-z]{2,3}$", description="ISO 639 code")
    ] = None,
    category: Annotated[Code | None, Query()] = None,
    near: Annotated[str | None, Query(description="lon,lat (WGS84)", max_length=64)] = None,
    radius_m: Annotated[float | None, Query(gt=0, le=50_000)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    fallback: Annotated[bool, Query(description="German offers, flagged, if none match")] = False,
    status: Annotated[
        list[OfferStatus] | None,
        Query(
            description="Offers in these states (repeatable; default active). Drafts are "
            "listed only to their organisation (and admins)."
        ),
    ] = None,
    organisation: Annotated[
        str | None,
        Query(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Only this organisation's."),
    ] = None,
    key: KeyInfo = Depends(require("viewer")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> OfferPage:
    """Offers in a language and category, nearest first when ``near`` is given; an unknown
    language or category is a 400 naming the known ones. A partner lists its own drafts and
    paused offers with ``?organisation=its-id&status=draft&status=paused``."""
    if language is not None:
        check_languages([language])
    if category is not None:
        check_categories([category], prof)
    point = parse_near(near)
    if radius_m is not None and point is None:
        raise InputError(_("radius_m needs near=lon,lat"))
    return search_offers(
        db,
        language=language,
        category=category,
        near=point,
        radius_m=radius_m,
        limit=limit,
        offset=offset,
        fallback=fallback,
        statuses=status or ["active"],
        organisation=organisation,
        key=key,
    )
