"""``/versorgungsluecken``: the coverage gaps (district, kind of offer, language with no offer
in reach) for planners, with the workspace's session; the maps and the situation report
(``/maps/report``) are linked from the start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile
from geo_service.auth.sessions import Session
from geo_service.catalogue.service import DEFAULT_RADIUS_M, all_gaps
from geo_service.i18n.http import page_language
from geo_service.scoring.profile import ScoringProfile
from geo_service.web import words
from geo_service.web.render import page
from geo_service.web.session import with_role

router = APIRouter(tags=["workspace"], dependencies=[Depends(page_language)])
Planner = Annotated[Session, Depends(with_role("planner"))]
Profile = Annotated[ScoringProfile, Depends(profile)]
Db = Annotated[Engine, Depends(engine)]


@router.get("/versorgungsluecken", include_in_schema=False, response_class=HTMLResponse)
def coverage_gaps(request: Request, session: Planner, db: Db, prof: Profile) -> HTMLResponse:
    """Where a kind of offer in a language is out of reach of every home of a district."""
    names = words.district_names(db)
    lab = words.labels(prof)
    interpreting = prof.catalogue.interpreting_language
    rows = sorted(
        (
            {
                "district": names.get(g.district_code, g.district_code),
                "category": lab.category(g.category),
                "language": words.languages([g.language]),
                "homes": g.households,
            }
            for g in all_gaps(
                db, prof.min_cell, skip_languages=[interpreting] if interpreting else []
            )
        ),
        key=lambda r: (r["district"], r["category"], r["language"]),
    )
    return page(
        request,
        "gaps.html.j2",
        session,
        rows=rows,
        radius=DEFAULT_RADIUS_M,
        least=prof.min_cell,
    )
