"""``/api/v1/catalogue``: referral sheets (housing office), coverage and duplicates (planners)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.auth.keys import KeyInfo
from geo_service.catalogue import service, sheet
from geo_service.catalogue.results import Coverage, Duplicates
from geo_service.catalogue.vocabulary import check_categories
from geo_service.codes import QUERY_CODES_MAX, QUERY_LANGUAGES_MAX, Code, LanguageCode
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/catalogue", tags=["catalogue"])
Lang = Annotated[list[str], Query(min_length=1, max_length=10, description="ISO 639 codes")]
CSV = "text/csv"


@router.get(
    "/referral-sheet",
    response_class=HTMLResponse,
    summary="Printable referral sheet",
    responses={404: {"description": "Unknown flat"}},
)
def referral_sheet(
    flat: Annotated[Code, Query()],
    language: Lang,
    sheet_language: Annotated[
        Code | None,
        Query(
            description="One page in this language (de, en, ar, fa, uk, ru, tr); without it "
            "German, then a page in the household's first language that has labels",
        ),
    ] = None,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> HTMLResponse:
    """Printable HTML sheet: the nearest offer per category in the household's languages
    within the profile's ``catalogue.sheet_radius_m``."""
    radius = prof.catalogue.sheet_radius_m
    return HTMLResponse(sheet.referral_sheet(db, flat, language, sheet_language, radius))


@router.get(
    "/coverage",
    summary="2SFCA coverage per district, category and language (JSON or CSV)",
    response_model=Coverage,
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}}},
)
def coverage(
    language: Annotated[
        list[LanguageCode] | None,
        Query(
            max_length=QUERY_LANGUAGES_MAX,
            description="ISO 639 codes; default every catalogue language.",
        ),
    ] = None,
    category: Annotated[
        list[Code] | None,
        Query(
            max_length=QUERY_CODES_MAX,
            description="Offer categories; default every catalogue category.",
        ),
    ] = None,
    radius_m: Annotated[float, Query(gt=0, le=20_000)] = service.DEFAULT_RADIUS_M,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    key: KeyInfo = Depends(require("planner")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> Coverage | Response:
    """Access per household (2SFCA) by district; ``gap`` when no offer is within reach."""
    check_categories(category or [], prof)
    languages, categories = service.languages_and_categories(db, language, category)
    rows = service.coverage(db, languages, categories, radius_m)
    if format == "csv":
        return PlainTextResponse(service.as_csv(rows), media_type=CSV)
    return Coverage(radius_m=radius_m, items=rows)


@router.get("/duplicates", summary="Likely duplicate offers", response_model=Duplicates)
def duplicates(
    threshold: Annotated[float | None, Query(gt=0, le=1)] = None,
    key: KeyInfo = Depends(require("planner")),
    db: Engine = Depends(engine),
) -> Duplicates:
    """Pairs of offers that are likely the same, with similarity score and reason."""
    return Duplicates(items=service.duplicates(db, threshold))
