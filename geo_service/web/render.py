"""Render the workspace's pages: one Jinja2 environment speaking the message catalogue, the
navigation a role may use, and the response every page shares (no caching of personal pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from geo_service.auth.keys import PARTNER, KeyInfo
from geo_service.auth.role_names import role_name
from geo_service.auth.sessions import Session
from geo_service.config import get_settings
from geo_service.i18n import _, current_language, formats
from geo_service.i18n.jinja import install
from geo_service.web.security import STRICT
from geo_service.web.session import CSRF_FIELD

HERE = Path(__file__).parent
STATIC = "/static/workspace"


@dataclass(frozen=True)
class Link:
    """A page the navigation links: where, its name, and a line saying what it is for."""

    href: str
    label: str
    hint: str = ""


@cache
def environment() -> jinja2.Environment:
    """The templates of ``web/templates``, autoescaped, with ``_()`` and the format filters
    (times in the city's time zone)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    install(env)
    city = ZoneInfo(get_settings().timezone)
    env.filters["moment"] = lambda value: formats.moment(value.astimezone(city))
    env.filters["day"] = lambda value: formats.day(
        value.astimezone(city).date() if isinstance(value, datetime) else value
    )
    return env


def pages_for(key: KeyInfo) -> list[Link]:
    """Every page of the workspace the role may use, in the order of a working day."""
    links = []
    if key.role == PARTNER:
        links.append(
            Link("/angebote", _("Our offers"), _("Create, change, pause and publish offers."))
        )
    if key.allows("housing_office"):
        links += [
            Link(
                "/warteliste",
                _("Waiting list"),
                _("Find a household, compare flats, offer, hold, confirm the move."),
            ),
            Link(
                "/maps/household",
                _("Household map"),
                _("Flats that fit a household profile on an interactive map."),
            ),
        ]
    if key.allows("planner"):
        links += [
            Link(
                "/maps/report",
                _("Situation report"),
                _("The printable report for the round table since a date."),
            ),
            Link(
                "/versorgungsluecken",
                _("Coverage gaps"),
                _("Where households find no offer in their language within reach."),
            ),
        ]
    links.append(
        Link("/maps/", _("Maps"), _("Districts, infrastructure, offers and flats of the city."))
    )
    return links


def page(
    request: Request,
    template: str,
    session: Session | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` for ``session`` (None: logged out) with ``context``."""
    key = session.key if session else None
    html = (
        environment()
        .get_template(template)
        .render(
            lang=current_language(),
            path=request.url.path,
            static=STATIC,
            key=key,
            role=role_name(key.role) if key else "",
            nav=pages_for(key) if key else [],
            csrf=session.csrf if session else "",
            csrf_field=CSRF_FIELD,
            **context,
        )
    )
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": STRICT}
    return HTMLResponse(html, status_code=status, headers=headers)
