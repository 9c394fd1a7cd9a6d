"""``/lagebericht`` and ``/versorgungsluecken``: the planners' situation report for a meeting
and the coverage gaps (district, kind of offer, language with no offer in reach), with the
workspace's session; the maps are linked from the start page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile
from geo_service.auth.sessions import Session
from geo_service.catalogue.service import DEFAULT_RADIUS_M, all_gaps
from geo_service.i18n import _
from geo_service.i18n.http import page_language
from geo_service.report.collect import MEETING_TZ
from geo_service.report.service import build_report, render_html
from geo_service.scoring.profile import ScoringProfile
from geo_service.web import words
from geo_service.web.render import page
from geo_service.web.session import with_role

router = APIRouter(tags=["workspace"], dependencies=[Depends(page_language)])
Planner = Annotated[Session, Depends(with_role("planner"))]
Profile = Annotated[ScoringProfile, Depends(profile)]
Db = Annotated[Engine, Depends(engine)]
WEEKS_BACK = 4  # the form suggests the date four weeks back (a monthly round table)


@router.get("/lagebericht", include_in_schema=False, response_class=HTMLResponse)
def situation_report(
    request: Request,
    session: Planner,
    db: Db,
    prof: Profile,
    since: Annotated[
        date | None, Query(description="Date of the last meeting; none: the form.")
    ] = None,
) -> HTMLResponse:
    """The form asking for the date of the last meeting; given one, the printable report."""
    today = datetime.now(MEETING_TZ).date()
    if since is None or since > today:
        error = (
            _("The date lies in the future: choose the day of the last meeting.") if since else ""
        )
        return page(
            request,
            "report_form.html.j2",
            session,
            status=400 if since else 200,
            suggested=(today - timedelta(weeks=WEEKS_BACK)).isoformat(),
            today=today.isoformat(),
            error=error,
        )
    return HTMLResponse(render_html(build_report(db, since, prof), prof))


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
            for g in all_gaps(db, skip_languages=[interpreting] if interpreting else [])
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
