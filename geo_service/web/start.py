"""``GET /``: the start page; logged in, it links every page the role may use."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from geo_service.i18n.http import page_language
from geo_service.web.render import STATIC, page
from geo_service.web.session import browser_session

router = APIRouter(tags=["workspace"], dependencies=[Depends(page_language)])


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    """Browsers ask every page's icon here (maps, report, sheets too): the workspace's."""
    return RedirectResponse(f"{STATIC}/favicon.svg", status_code=301)


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    """The German start page: what the workspace is for, and the role's pages."""
    return page(request, "start.html.j2", browser_session(request))
