"""Request parsing for the OGC routes: output format, items parameters and property filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.auth.keys import KeyInfo
from geo_service.db.crs import StorageCRS, storage_crs
from geo_service.errors import InputError
from geo_service.features import filters
from geo_service.features.collections import CollectionSpec, Source, collection
from geo_service.features.crs import WGS84_SRID, parse_bbox, srid_of
from geo_service.features.query import ItemQuery, coerce, queryables
from geo_service.features.query import properties as every_property
from geo_service.i18n import _
from geo_service.scoring.profile import ScoringProfile

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 10
ITEMS_PARAMETERS = (
    "f",
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "filter",
    "filter-lang",
    "filter-crs",
    "sortby",
    "properties",
)
viewer = require("viewer")  # one dependency object, so FastAPI checks the key once per request
Format = Annotated[str | None, Query(pattern="^(json|html)$", description="json or html")]


def wants_html(request: Request, f: str | None) -> bool:
    """HTML when ``f=html``, or when no ``f`` is given and the client prefers text/html."""
    if f is not None:
        return f == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept.split("text/html")[0]


def storage(db: Engine = Depends(engine)) -> StorageCRS:
    """The storage CRS of the app's database (offered as an output and bbox CRS)."""
    return storage_crs(db)


# The dependencies below that do no I/O are ``async``: they run in the event loop instead of
# a trip through the thread pool each (a tile request resolves several of them).


async def collection_for(collection_id: str, key: KeyInfo = Depends(viewer)) -> CollectionSpec:
    """The collection named in the path, if the caller's role may see it."""
    return collection(collection_id, key.allows)


def detail_for(spec: CollectionSpec, key: KeyInfo) -> bool:
    """Whether the caller's role sees the collection's detail properties."""
    return spec.detail_role is not None and key.allows(spec.detail_role)


async def source(db: Engine = Depends(engine), city: ScoringProfile = Depends(profile)) -> Source:
    """The app's database with the city's indicator keys, as the collections' SQL needs."""
    return Source(db, indicators=tuple(city.district.indicators), min_cell=city.min_cell)


async def role_source(
    spec: CollectionSpec = Depends(collection_for),
    key: KeyInfo = Depends(viewer),
    src: Source = Depends(source),
) -> Source:
    """The collection's source as the caller's role sees it (detail properties or not)."""
    return replace(src, detail=detail_for(spec, key))


def names_of(text: str, known: dict[str, str], parameter: str) -> list[str]:
    """A comma-separated list of property names, each one the role sees (400 otherwise)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n.lstrip("+-") for n in names if n.lstrip("+-") not in known]
    if unknown:
        raise InputError(
            _(
                "{parameter}: '{name}' is not a property of this collection; properties: {known}"
            ).format(parameter=parameter, name=unknown[0], known=", ".join(known)),
            errors=[{"pointer": f"query:{parameter}", "message": f"unknown {unknown[0]!r}"}],
        )
    return names


def cql_filter(
    text: str | None, lang: str | None, crs: str | None, stored: StorageCRS
) -> tuple[dict[str, Any] | None, int]:
    """The ``filter`` as a CQL2 JSON tree (None without one) and the SRID of its geometries."""
    if text is None:
        if lang is not None or crs is not None:
            raise InputError(_("filter-lang and filter-crs are given without filter"))
        return None, WGS84_SRID
    return filters.parse(text, lang or filters.TEXT), srid_of(crs, "filter-crs", stored)


def parse_datetime(text: str) -> tuple[date | None, date | None]:
    """An RFC 3339 instant or interval ('a/b', '../b', 'a/..') as an inclusive date range."""

    def one(part: str) -> date | None:
        if part in ("", ".."):
            return None
        try:
            return datetime.fromisoformat(part).date() if "T" in part else date.fromisoformat(part)
        except ValueError:
            raise InputError(
                _("datetime: “{value}” is not an RFC 3339 date or date-time").format(value=part),
                errors=[{"pointer": "query:datetime", "message": _("invalid date-time")}],
            ) from None

    parts = text.split("/")
    if len(parts) > 2:
        raise InputError(
            _("datetime: “{value}” is neither an instant nor an interval").format(value=text)
        )
    start, end = (one(parts[0]), one(parts[-1]))
    if start and end and start > end:
        raise InputError(_("datetime: “{value}” ends before it starts").format(value=text))
    return start, end


def item_query(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
    bbox: Annotated[str | None, Query(max_length=200)] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", max_length=200)] = None,
    crs: Annotated[str | None, Query(max_length=200)] = None,
    period: Annotated[str | None, Query(alias="datetime", max_length=100)] = None,
    cql: Annotated[str | None, Query(alias="filter", max_length=1000)] = None,
    filter_lang: Annotated[
        str | None, Query(alias="filter-lang", pattern="^(cql2-text|cql2-json|cql-text)$")
    ] = None,
    filter_crs: Annotated[str | None, Query(alias="filter-crs", max_length=200)] = None,
    sortby: Annotated[str | None, Query(max_length=300)] = None,
    properties: Annotated[str | None, Query(max_length=300)] = None,
    spec: CollectionSpec = Depends(collection_for),
    src: Source = Depends(role_source),
    stored: StorageCRS = Depends(storage),
) -> ItemQuery:
    """Parse an items request; query parameters that are neither standard nor a queryable: 400."""
    names = set(request.query_params)
    known = queryables(src, spec)
    unknown = sorted(names - set(ITEMS_PARAMETERS) - set(known))
    if unknown:
        allowed = ", ".join([*ITEMS_PARAMETERS, *known])
        raise InputError(
            _("unknown query parameter “{name}”; allowed: {known}").format(
                name=unknown[0], known=allowed
            ),
            errors=[
                {"pointer": f"query:{u}", "message": _("unknown query parameter")} for u in unknown
            ],
        )
    if bbox_crs is not None and bbox is None:
        raise InputError(_("bbox-crs is given without bbox"))
    tree, cql_srid = cql_filter(cql, filter_lang, filter_crs, stored)
    order = names_of(sortby, known, "sortby") if sortby is not None else []
    return ItemQuery(
        limit=limit,
        offset=offset,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        bbox_srid=srid_of(bbox_crs, "bbox-crs", stored),
        srid=srid_of(crs, "crs", stored),
        filters={n: coerce(k, n, request.query_params[n]) for n, k in known.items() if n in names},
        period=parse_datetime(period) if period is not None else None,
        cql=tree,
        cql_srid=cql_srid,
        sortby=tuple((n.lstrip("+-"), n.startswith("-")) for n in order),
        properties=tuple(names_of(properties, every_property(src, spec), "properties"))
        if properties is not None
        else None,
    )
