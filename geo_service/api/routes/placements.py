"""``/api/v1/placements/rank``: ranked flats for a household, with explanations;
``/api/v1/placements/questionnaire``: the printable questionnaire of a household's wishes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from geo_service.api.deps import current, engine, json_response, profile, require
from geo_service.api.schemas import RankRequest
from geo_service.auth.keys import KeyInfo
from geo_service.catalogue.questionnaire import questionnaire
from geo_service.catalogue.sheet_pdf import print_pdf
from geo_service.placements import RankQuery, rank_async
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking_json import ranking_json
from geo_service.scoring.results import Ranking
from geo_service.state import Current

router = APIRouter(prefix="/placements", tags=["placements"])


@router.post(
    "/rank",
    summary="Rank available flats for a household",
    response_model=Ranking,
    responses={
        400: {"description": "Invalid household, or unknown district codes (all listed)"},
        409: {
            "description": "Data not scored yet, or scored with another profile version: run "
            "`geo-service score`"
        },
    },
)
async def rank(
    body: RankRequest,
    key: KeyInfo = Depends(require("housing_office")),
    prof: ScoringProfile = Depends(profile),
    now: Current = Depends(current),
) -> Response:
    """Best placement first. Flats failing a hard constraint, held, outside the requested
    districts or in full districts are left out and counted by reason (``excluded``,
    ``failed_constraints``, ``full_districts``); ``notes`` say in words why little came back."""
    household = parse_household(body.household.model_dump(mode="json"), prof)
    query = RankQuery(body.limit, body.districts, body.override_cap)
    ranking = await rank_async(now, prof, household, key, query)
    return json_response(ranking_json(ranking))


@router.get(
    "/questionnaire",
    response_class=HTMLResponse,
    summary="Printable questionnaire of a household's wishes",
    responses={
        200: {
            "description": "A4, HTML or PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def wishes_questionnaire(
    sheet_language: Annotated[
        str, Query(max_length=8, description="de, en, ar, fa, uk, ru or tr (German beside it).")
    ] = "de",
    format: Annotated[Literal["html", "pdf"], Query()] = "html",
    key: KeyInfo = Depends(require("housing_office")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> Response:
    """Which districts the household would most like to live in (in order) and what matters
    most nearby: the answers the clerk types in as the household's ``preferences``."""
    html = questionnaire(db, prof, sheet_language)
    if format == "pdf":
        return Response(
            print_pdf(html, one_page=True),
            media_type="application/pdf",
            headers={"Content-Disposition": 'inline; filename="wuensche.pdf"'},
        )
    return HTMLResponse(html)
