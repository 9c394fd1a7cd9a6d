"""Request parsing for the OGC routes: output format, items parameters and property filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import Engine

from geo_service.api.deps import engine, require
from geo_service.auth.keys import KeyInfo
from geo_service.db.crs import StorageCRS, storage_crs
from geo_service.errors import InputError
from geo_service.features.collections import CollectionSpec, collection
from geo_service.features.crs import parse_bbox, srid_of
from geo_service.features.query import ItemQuery, coerce
from geo_service.i18n import _

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 10
ITEMS_PARAMETERS = ("f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime")
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


def collection_for(collection_id: str, key: KeyInfo = Depends(viewer)) -> CollectionSpec:
    """The collection named in the path, if the caller's role may see it."""
    return collection(collection_id, key.allows)


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
    spec: CollectionSpec = Depends(collection_for),
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
    bbox: Annotated[str | None, Query(max_length=200)] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", max_length=200)] = None,
    crs: Annotated[str | None, Query(max_length=200)] = None,
    period: Annotated[str | None, Query(alias="datetime", max_length=100)] = None,
    stored: StorageCRS = Depends(storage),
) -> ItemQuery:
    """Parse an items request; query parameters that are neither standard nor a queryable: 400."""
    names = set(request.query_params)
    unknown = sorted(names - set(ITEMS_PARAMETERS) - set(spec.queryables))
    if unknown:
        allowed = ", ".join([*ITEMS_PARAMETERS, *spec.queryables])
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
    return ItemQuery(
        limit=limit,
        offset=offset,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        bbox_srid=srid_of(bbox_crs, "bbox-crs", stored),
        srid=srid_of(crs, "crs", stored),
        filters={
            n: coerce(spec, n, request.query_params[n]) for n in spec.queryables if n in names
        },
        period=parse_datetime(period) if period is not None else None,
    )
