"""``/api/v1/catalogue``: referral sheets (housing office), coverage and duplicates (planners)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.auth.keys import KeyInfo
from geo_service.catalogue import service, sheet
from geo_service.catalogue.vocabulary import check_categories
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/catalogue", tags=["catalogue"])
Lang = Annotated[list[str], Query(min_length=1, max_length=10, description="ISO 639 codes")]


@router.get("/referral-sheet", response_class=HTMLResponse, summary="Printable referral sheet")
def referral_sheet(
    flat: Annotated[str, Query(max_length=64)],
    language: Lang,
    sheet_language: Annotated[
        str | None, Query(max_length=8, description="Label language (de, en, ar, fa, uk, ru, tr)")
    ] = None,
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
) -> HTMLResponse:
    """One-page HTML sheet: nearest offer per category in the household's languages."""
    return HTMLResponse(sheet.referral_sheet(db, flat, language, sheet_language))


@router.get("/coverage", summary="2SFCA coverage per district, category and language")
def coverage(
    language: Lang,
    category: Annotated[list[str], Query(min_length=1, max_length=20)],
    radius_m: Annotated[float, Query(gt=0, le=20_000)] = service.DEFAULT_RADIUS_M,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    key: KeyInfo = Depends(require("planner")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> Any:
    """Access per household (2SFCA) by district; ``gap`` when no offer is within reach."""
    rows = service.coverage(db, language, check_categories(category, prof), radius_m)
    if format == "json":
        return {"radius_m": radius_m, "items": rows}
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["district_code"])
    writer.writeheader()
    writer.writerows(rows)
    return PlainTextResponse(buf.getvalue(), media_type="text/csv")


@router.get("/duplicates", summary="Likely duplicate offers")
def duplicates(
    threshold: Annotated[float | None, Query(gt=0, le=1)] = None,
    key: KeyInfo = Depends(require("planner")),
    db: Engine = Depends(engine),
) -> dict[str, Any]:
    """Pairs of offers that are likely the same, with similarity score and reason."""
    return {"items": service.duplicates(db, threshold)}
