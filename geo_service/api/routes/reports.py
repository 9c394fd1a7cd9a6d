"""``/api/v1/reports/situation``: the round table's situation report; ``/api/v1/reports/
fairness``: placements by household group (planners and above)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.auth.keys import KeyInfo
from geo_service.dates import StrictDate
from geo_service.report.fairness import build_fairness
from geo_service.report.fairness_results import FairnessReport
from geo_service.report.results import SituationReport
from geo_service.report.service import build_report, render_html, render_pdf
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/situation",
    summary="Situation report for a meeting",
    response_model=SituationReport,
    responses={
        200: {
            "description": "The report as JSON, HTML (printable, A4) or PDF",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
)
def situation(
    since: Annotated[
        StrictDate,
        Query(description="Day of the last meeting, not in the future (YYYY-MM-DD, TT.MM.JJJJ)."),
    ],
    format: Annotated[Literal["json", "html", "pdf"], Query()] = "json",
    key: KeyInfo = Depends(require("planner")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> SituationReport | Response:
    """Placements since the date, utilisation against the quota plan, waiting households by
    language and size, coverage gaps opened or closed, likely duplicate offers, offers
    changed and bridge builders: German, no personal data, small counts suppressed."""
    report = build_report(db, since, prof)
    if format == "html":
        return HTMLResponse(render_html(report, prof))
    if format == "pdf":
        name = f"lagebericht-seit-{since.isoformat()}.pdf"
        return Response(
            render_pdf(report, prof),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )
    return report


@router.get("/fairness", summary="Fairness by household group", response_model=FairnessReport)
def fairness(
    since: Annotated[
        StrictDate,
        Query(
            description="Households on the waiting list since, not in the future "
            "(YYYY-MM-DD, TT.MM.JJJJ)."
        ),
    ],
    key: KeyInfo = Depends(require("planner")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> FairnessReport:
    """Per household group (size band, language, needs): median days waited, median placement
    score, share placed, wishes met and overrides, each as a ratio to all households; groups
    under the profile's minimum count merged or suppressed (no group follows from the totals)."""
    return build_fairness(db, since, prof)
