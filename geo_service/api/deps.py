"""Request dependencies: API key and role, unknown query parameters, shared services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, HTTPBasic, HTTPBearer
from fastapi.security.base import SecurityBase
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from geo_service.auth import credentials
from geo_service.auth.keys import KeyInfo
from geo_service.errors import Forbidden, InputError, Unauthorized
from geo_service.i18n import _
from geo_service.scoring.profile import ScoringProfile, cached_profile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.state import Current, StateCache
from geo_service.transition.plan import PlanCache

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="API key; roles viewer < planner < housing_office < admin, and partner "
    "(a viewer who keeps its own organisation's offers)",
)


class DocumentedScheme(SecurityBase):
    """A security scheme shown in the OpenAPI document only: ``credentials.presented`` reads
    every scheme itself (one check for all), so this dependency reads nothing."""

    def __init__(self, scheme: HTTPBasic | HTTPBearer) -> None:
        self.model = scheme.model
        self.scheme_name = scheme.scheme_name

    async def __call__(self) -> None:
        """Nothing to read here."""


basic_scheme = DocumentedScheme(
    HTTPBasic(description="The API key as the password, any user name (QGIS, GDAL, OWSLib)")
)
bearer_scheme = DocumentedScheme(HTTPBearer(description="Authorization: Bearer <API key>"))


# The dependencies below that do no I/O are ``async``: they run in the event loop instead of
# a trip through the thread pool each (a ranking resolves seven of them).


async def engine(request: Request) -> Engine:
    """The app's pooled engine."""
    return request.app.state.engine


async def rankers(request: Request) -> RankerCache:
    """The app's rankers (one per profile version, kept current by the state version)."""
    return request.app.state.rankers


async def plans(request: Request) -> PlanCache:
    """The app's look-ahead plans (recomputed when stale, one at a time)."""
    return request.app.state.plans


async def profile(request: Request) -> ScoringProfile:
    """The configured scoring profile (loaded once per process)."""
    return cached_profile(str(request.app.state.settings.profile_path))


def require(role: str, audit_refusal: str | None = None) -> Callable[..., Awaitable[KeyInfo]]:
    """A dependency admitting keys whose role includes ``role``; with ``audit_refusal``, a
    refused key is recorded in the audit log under that action."""

    def authenticate(request: Request, found: credentials.Credentials) -> KeyInfo:
        """Read the state version, check the credentials (keys cached) and the role: one
        thread trip."""
        cache: StateCache = request.app.state.cache
        version = request.state.version = cache.version()
        client = request.client.host if request.client else "unknown"
        info = credentials.authenticate(
            found,
            lambda secret: cache.key(secret, version),
            lambda login, password: cache.person(login, password, version, client),
        )
        if info is None:
            raise Unauthorized(
                _("wrong password: no usable API key")
                if found.scheme == "basic"
                else _("unknown or revoked API key")
            )
        if not info.allows(role):
            if audit_refusal:
                refusal(request, info, audit_refusal)
            raise Forbidden(
                _("the role “{role}” may not do this; it needs “{needed}”").format(
                    role=info.role, needed=role
                )
            )
        request.state.key = info
        return info

    async def check(
        request: Request,
        _key: str | None = Depends(api_key_header),
        _basic: None = Depends(basic_scheme),
        _bearer: None = Depends(bearer_scheme),
    ) -> KeyInfo:
        found = credentials.presented(request.headers)
        if found is None:
            raise Unauthorized(
                _(
                    "missing credentials: send the API key as X-API-Key, 'Authorization: Bearer "
                    "<key>' or as the HTTP Basic password"
                )
            )
        return await run_in_threadpool(authenticate, request, found)

    return check


def current_of(request: Request) -> Current:
    """The app's caches at the state version read when the key was checked."""
    return Current(request.app.state.cache, request.state.version, request.app.state.audit)


async def current(request: Request) -> Current:
    """``current_of`` as a dependency."""
    return current_of(request)


def json_response(result: BaseModel | bytes) -> Response:
    """``result`` as JSON, encoded by pydantic-core's Rust serialiser in one step to bytes
    (the hot path's answers are large: no dict round trip, no re-validation by the response
    model, no text round trip), or JSON bytes encoded already."""
    if isinstance(result, BaseModel):
        result = type(result).__pydantic_serializer__.to_json(result)
    return Response(result, media_type="application/json")


def refusal(request: Request, key: KeyInfo, action: str) -> None:
    """Audit a refused request (own transaction: it stays although the request fails)."""
    from geo_service.audit import record

    with request.app.state.engine.begin() as conn:
        record(
            conn,
            action,
            role=key.role,
            key_id=key.id,
            detail={"method": request.method, "path": request.url.path},
        )


def query_names(dependant: Dependant) -> set[str]:
    """Names of the query parameters a route and its dependencies declare."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= query_names(sub)
    return names


async def reject_nul_characters(request: Request) -> None:
    """400 for NUL characters in query or path values, on every route (PostgreSQL text cannot
    hold them: they would fail in the database as a 500)."""
    values = [*request.query_params.multi_items(), *request.path_params.items()]
    nul = sorted({name for name, value in values if "\x00" in name or "\x00" in str(value)})
    if nul:
        raise InputError(
            _("the parameter “{name}” contains a NUL character").format(name=nul[0]),
            errors=[{"pointer": n, "message": _("NUL character")} for n in nul],
        )


async def reject_unknown_query(request: Request) -> None:
    """400 for query parameters the route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = query_names(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise InputError(
            (
                _("unknown query parameter “{name}”; allowed: {known}")
                if known
                else _("unknown query parameter “{name}”; this route takes none")
            ).format(name=unknown[0], known=", ".join(sorted(known))),
            errors=[
                {"pointer": f"query:{u}", "message": _("unknown query parameter")} for u in unknown
            ],
        )
