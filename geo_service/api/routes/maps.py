"""``/maps``: the planners' maps in a browser, behind the workspace's session (or an API key)."""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, rankers
from geo_service.api.ogc.params import detail_for
from geo_service.api.ogc.tiles import TILE_RESPONSES, Index, Zoom, tile_response
from geo_service.auth.keys import KeyInfo
from geo_service.config import get_settings
from geo_service.errors import Forbidden, InputError, NotFound
from geo_service.features.collections import Source, collection
from geo_service.i18n import _
from geo_service.maps.base import labels as map_labels
from geo_service.maps.household import household_errors
from geo_service.maps.render import PUBLIC, household_map, html_of
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.web.security import policy, script_hashes
from geo_service.web.session import page_principal

router = APIRouter(prefix="/maps", tags=["maps"])
PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font:16px sans-serif;margin:3em auto;max-width:36em}}input{{width:100%}}</style>
</head><body>{body}</body></html>"""


LOCATION = {"Location": {"description": "Where to go next", "schema": {"type": "string"}}}
# Pages behind the session of the workspace (or, for machines, an X-API-Key): browsers without
# either go to the login page, other clients get 401 problem+json.
SESSION: dict[int | str, dict[str, Any]] = {
    303: {
        "description": "No session (browser, Accept: text/html): to /login, coming back here",
        "headers": LOCATION,
    },
    401: {"description": "No session and no API key: log in at /login"},
    503: {"description": "Database unreachable"},
}
session = page_principal  # the one browser session of every page (geo_service/web/session.py)


def map_policy(html: str) -> str:
    """The Content-Security-Policy of a Folium map as generated: its own inline scripts by
    hash, inline styles (Leaflet), images also from the configured tile server."""
    tiles = get_settings().map_tile_url
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(tiles)) if tiles else None
    return policy(script_hashes(html), inline_styles=True, images=[origin] if origin else [])


def map_page(request: Request, html: str, status: int = 200) -> HTMLResponse:
    """A map rendered on request, with its policy."""
    return HTMLResponse(html, status, headers={"Content-Security-Policy": map_policy(html)})


@lru_cache(maxsize=8)
def stored_map(path: Path, mtime_ns: int) -> tuple[str, str]:
    """A map `maps render` wrote, and its policy (read again when the file changes)."""
    html = path.read_text(encoding="utf-8")
    return html, map_policy(html)


def maps_dir(request: Request) -> Path:
    """Where `geo-service maps render` wrote the public maps."""
    return Path(request.app.state.settings.maps_dir)


@router.get("/", summary="Map index", response_class=HTMLResponse, responses=SESSION)
def index(key: KeyInfo = Depends(session)) -> HTMLResponse:
    """Links to the maps (and the report) this session may see, by their titles."""
    lab = map_labels()
    pages = [(f"/maps/{n}.html", lab[n], "") for n in PUBLIC]
    if key.allows("housing_office"):
        pages.append(("/maps/household", lab["household"], lab["pages"]["household_hint"]))
    if key.allows("planner"):
        pages.append(("/maps/report", lab["pages"]["report"], lab["pages"]["report_hint"]))
    links = "".join(
        f"<li><a href='{href}'>{escape(title)}</a>" + (f" – {escape(hint)}" if hint else "")
        for href, title, hint in pages
    )
    body = (
        f"<h1>{escape(lab['pages']['index'])}</h1><ul>{links}</ul>"
        f"<p><a href='/maps/logout'>{escape(lab['pages']['logout'])}</a></p>"
    )
    return HTMLResponse(PAGE.format(title=escape(lab["pages"]["index"]), body=body))


@router.get(
    "/household",
    summary="Ranking map of one household (housing office)",
    response_class=HTMLResponse,
    responses={
        **SESSION,
        400: {"description": "A bad household profile (browsers: the form page explaining it)"},
        403: {"description": "The session's role is below housing_office"},
        409: {"description": "Data not scored yet, or scored with another profile version"},
    },
)
def household(
    request: Request,
    household: str | None = None,
    key: KeyInfo = Depends(session),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
    loaded: RankerCache = Depends(rankers),
) -> HTMLResponse:
    """A form for the household profile and, given one (JSON), its ranking map; rendered on
    request, never stored; assets load from /maps/static. A browser sees a bad profile
    explained in the page's language (400), other clients get problem+json."""
    if not key.allows("housing_office"):
        raise Forbidden(_("the household map needs the housing_office role"))
    data: Any = None
    errors: list[str] = []
    if household is not None:
        try:
            data = json.loads(household)
        except json.JSONDecodeError:
            if "text/html" not in request.headers.get("accept", ""):
                raise InputError(_("household: not valid JSON")) from None
            errors = household_errors(None, prof, map_labels())
        else:
            errors = household_errors(data, prof, map_labels())
    if errors and "text/html" not in request.headers.get("accept", ""):
        parse_household(data, prof)  # raises the problem in the API's words
    parsed = parse_household(data, prof) if data is not None and not errors else None
    raw = data if isinstance(data, dict) else None
    m, _ranked = household_map(db, prof, parsed, form=True, raw=raw, errors=errors, rankers=loaded)
    return map_page(request, html_of(m, "/maps/static"), status=400 if errors else 200)


@router.get(
    "/tiles/{collection_id}/{tile_matrix}/{tile_row}/{tile_col}",
    summary="A vector tile (MVT) for the maps (the session's role)",
    response_class=Response,
    responses={**SESSION, **TILE_RESPONSES},
)
def map_tile(
    request: Request,
    collection_id: str,
    tile_matrix: Zoom,
    tile_row: Index,
    tile_col: Index,
    key: KeyInfo = Depends(session),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> Response:
    """The tile the OGC API serves at /ogc/collections/{id}/tiles/WebMercatorQuad/..., for the
    maps in the browser, whose session cookie does not reach /ogc."""
    spec = collection(collection_id, key.allows)
    src = Source(db, detail=detail_for(spec, key), indicators=tuple(prof.district.indicators))
    return tile_response(request, spec, src, tile_matrix, tile_row, tile_col)


@router.get(
    "/{name}.html",
    summary="A public map",
    response_class=HTMLResponse,
    responses={**SESSION, 404: {"description": "No such map (or not rendered yet)"}},
)
def public_map(name: str, request: Request, key: KeyInfo = Depends(session)) -> HTMLResponse:
    """One of the rendered public maps (viewer and above)."""
    path = maps_dir(request) / f"{name}.html"
    if name not in PUBLIC or not path.exists():
        raise NotFound(
            _("there is no map “{name}”; run `geo-service maps render`").format(name=name)
        )
    html, csp = stored_map(path, path.stat().st_mtime_ns)
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})
