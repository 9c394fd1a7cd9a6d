"""``/maps``: the planners' maps in a browser, behind a login that sets a session cookie."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, rankers
from geo_service.api.ogc.params import detail_for
from geo_service.api.ogc.tiles import TILE_RESPONSES, Index, Zoom, tile_response
from geo_service.auth import sessions
from geo_service.auth.keys import KeyInfo, verify_key
from geo_service.errors import Forbidden, InputError, NotFound
from geo_service.features.collections import Source, collection
from geo_service.i18n import _
from geo_service.maps.base import labels as map_labels
from geo_service.maps.household import household_errors
from geo_service.maps.render import PUBLIC, household_map, html_of
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache

router = APIRouter(prefix="/maps", tags=["maps"])
PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font:16px sans-serif;margin:3em auto;max-width:36em}}input{{width:100%}}</style>
</head><body>{body}</body></html>"""


# The login page shows one of these messages, picked by code: never text from the URL.
LOGIN_ERRORS = {"unknown_key": "Unbekannter, gesperrter oder abgelaufener Schlüssel."}
LOCATION = {"Location": {"description": "Where to go next", "schema": {"type": "string"}}}
# Pages behind the session cookie: browsers without a session go to the login page, other
# clients get 401 problem+json.
SESSION: dict[int | str, dict[str, Any]] = {
    302: {
        "description": "No session (browser, Accept: text/html): to /maps/login",
        "headers": LOCATION,
    },
    401: {"description": "No session: log in at /maps/login"},
    503: {"description": "Database unreachable"},
}


class LoginRequired(Exception):
    """No valid session: browsers are sent to the login page, which brings them back to
    ``target`` (the page they asked for) once logged in."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def session(request: Request) -> KeyInfo:
    """The key of the browser session (redirects to /maps/login without one)."""
    info = sessions.resolve(request.app.state.engine, request.cookies.get(sessions.COOKIE))
    if info is None:
        query = request.url.query
        raise LoginRequired(request.url.path + (f"?{query}" if query else ""))
    return info


def local_target(value: str | None) -> str | None:
    """``value`` if it is a page of the maps on this server (a path under /maps/: no scheme,
    no host, no dot segments, no backslash or control character), else None, so that the
    login never sends anyone to another site."""
    if not value or value.startswith("//") or any(c == "\\" or not c.isprintable() for c in value):
        return None
    parts = urlsplit(value)
    segments = unquote(parts.path).split("/")
    if parts.scheme or parts.netloc or "." in segments or ".." in segments:
        return None
    if not parts.path.startswith("/maps/") or parts.path in ("/maps/login", "/maps/logout"):
        return None
    return value


def login_url(target: str | None, error: str | None = None) -> str:
    """The login page's address, carrying the error code and the page to go back to."""
    query = {k: v for k, v in (("error", error), ("next", local_target(target))) if v}
    return "/maps/login" + (f"?{urlencode(query)}" if query else "")


def maps_dir(request: Request) -> Path:
    """Where `geo-service maps render` wrote the public maps."""
    return Path(request.app.state.settings.maps_dir)


@router.get("/login", summary="Map login page", response_class=HTMLResponse)
def login_page(error: str | None = None, next: str | None = None) -> HTMLResponse:
    """A form asking for an API key; ``error`` is a message code (unknown codes show none),
    ``next`` the maps page to go to once logged in (kept only when it is one)."""
    message = LOGIN_ERRORS.get(error or "")
    note = f"<p style='color:#b00'>{escape(message)}</p>" if message else ""
    target = local_target(next)
    back = f"<input type='hidden' name='next' value='{escape(target)}'>" if target else ""
    body = (
        f"<h1>geo_service – Karten</h1>{note}<form method='post' action='/maps/login'>"
        "<label>API-Schlüssel<br><input name='key' type='password' autocomplete='off'>"
        f"</label>{back}<p><button type='submit'>Anmelden</button></p></form>"
    )
    return HTMLResponse(PAGE.format(title="Anmelden", body=body))


@router.post(
    "/login",
    summary="Log in with an API key (sets an HttpOnly session cookie)",
    response_class=RedirectResponse,
    status_code=303,
    responses={
        303: {
            "description": "To the page asked for before the login (a maps page on this "
            "server), else /maps/; or back to the login page",
            "headers": LOCATION,
        },
        413: {"description": "Request body too large"},
        503: {"description": "Database unreachable"},
    },
)
async def login(request: Request) -> Response:
    """Check the key; on success set the session cookie and go to the page asked for (a
    maps page of this server) or the map index."""
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    info = verify_key(request.app.state.engine, (form.get("key") or [""])[0].strip())
    target = local_target((form.get("next") or [""])[0])
    if info is None:
        return RedirectResponse(login_url(target, "unknown_key"), 303)
    response = RedirectResponse(target or "/maps/", status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        sessions.issue(info),
        max_age=sessions.LIFETIME_S,
        httponly=True,
        samesite="strict",
        path="/maps",
    )
    return response


@router.get(
    "/logout",
    summary="Log out (clears the session cookie)",
    response_class=RedirectResponse,
    status_code=303,
    responses={303: {"description": "To the login page", "headers": LOCATION}},
)
def logout() -> Response:
    """Forget the session."""
    response = RedirectResponse("/maps/login", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/maps")
    return response


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
    return HTMLResponse(html_of(m, "/maps/static"), status_code=400 if errors else 200)


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
    return HTMLResponse(path.read_text(encoding="utf-8"))
