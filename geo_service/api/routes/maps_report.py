"""``/maps/report``: the situation report in a browser, with the same session as the maps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile
from geo_service.api.routes.maps import PAGE, SESSION, session
from geo_service.auth.keys import KeyInfo
from geo_service.dates import StrictDate
from geo_service.errors import Forbidden
from geo_service.i18n import _
from geo_service.maps.base import labels as map_labels
from geo_service.report.collect import MEETING_TZ
from geo_service.report.service import build_report, render_html
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/maps", tags=["maps"])
DEFAULT_WEEKS = 4  # the form suggests the date four weeks back (a monthly round table)


def wants_html(request: Request) -> bool:
    """A browser (it accepts HTML) rather than an API client."""
    return "text/html" in request.headers.get("accept", "")


def since_form(since: date | None, error: str = "") -> str:
    """The page asking for the date of the last meeting (German, with the last error)."""
    lab = map_labels()["pages"]
    today = datetime.now(MEETING_TZ).date()
    value = (since or today - timedelta(weeks=DEFAULT_WEEKS)).isoformat()
    note = f"<p role='alert' style='color:#b00'>{escape(error)}</p>" if error else ""
    body = (
        f"<h1>{escape(lab['report'])}</h1>{note}<form method='get' action='/maps/report'>"
        f"<label>{escape(lab['report_since'])}<br><input type='date' name='since' "
        f"value='{value}' max='{today.isoformat()}' required></label>"
        f"<p><button type='submit'>{escape(lab['show_report'])}</button></p></form>"
        f"<p><a href='/maps/'>{escape(lab['back'])}</a></p>"
    )
    return PAGE.format(title=escape(lab["report"]), body=body)


@router.get(
    "/report",
    summary="Situation report for a meeting, in the browser (planners, session cookie)",
    response_class=HTMLResponse,
    responses={
        **SESSION,
        400: {"description": "A date in the future (browsers: the form saying so in German)"},
        403: {"description": "The session's role is below planner"},
    },
)
def situation_page(
    request: Request,
    since: Annotated[
        StrictDate | None,
        Query(description="Date of the last meeting (YYYY-MM-DD, TT.MM.JJJJ); none: a form."),
    ] = None,
    key: KeyInfo = Depends(session),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> HTMLResponse:
    """The printable German report (as ``GET /api/v1/reports/situation?format=html``) for
    the browser session of the maps; without ``since`` a form asks for the date."""
    lab = map_labels()["pages"]
    if not key.allows("planner"):
        if not wants_html(request):
            raise Forbidden(_("the situation report needs the planner role"))
        body = (
            f"<h1>{escape(lab['report'])}</h1><p>{escape(lab['planner_only'])}</p>"
            f"<p><a href='/maps/'>{escape(lab['back'])}</a></p>"
        )
        return HTMLResponse(PAGE.format(title=escape(lab["report"]), body=body), 403)
    if since is None:
        return HTMLResponse(since_form(None))
    if since > datetime.now(MEETING_TZ).date() and wants_html(request):
        return HTMLResponse(since_form(since, lab["future"]), 400)
    return HTMLResponse(render_html(build_report(db, since, prof), prof))  # API: its 400
