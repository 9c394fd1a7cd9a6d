"""A small OpenAPI 3.0 document of the /ogc routes (FastAPI emits 3.1; OGC clients want 3.0)."""

from __future__ import annotations

from typing import Any

from geo_service import __version__
from geo_service.api.ogc.params import DEFAULT_LIMIT, ITEMS_PARAMETERS, MAX_LIMIT
from geo_service.db.crs import StorageCRS
from geo_service.features.collections import COLLECTIONS
from geo_service.features.crs import CRS84, offered
from geo_service.features.filters import FILTER_LANGUAGES

REF = "#/components/parameters/"


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A query parameter object."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        **extra,
    }


def parameters(storage: StorageCRS) -> dict[str, dict[str, Any]]:
    """The parameter objects; the CRS lists name the deployment's storage CRS."""
    crs_uris = list(offered(storage))
    return {**PARAMETERS, **crs_parameters(crs_uris)}


def crs_parameters(uris: list[str]) -> dict[str, dict[str, Any]]:
    """``bbox-crs``, ``filter-crs`` and ``crs``, each one of ``uris``."""
    return {
        "bbox-crs": _query("bbox-crs", "CRS of bbox.", {"type": "string", "enum": uris}),
        "filter-crs": _query(
            "filter-crs", "CRS of the filter's geometries.", {"type": "string", "enum": uris}
        ),
        "crs": _query(
            "crs", "CRS of the output.", {"type": "string", "enum": uris, "default": CRS84}
        ),
    }


PARAMETERS: dict[str, dict[str, Any]] = {
    "f": _query("f", "Output format.", {"type": "string", "enum": ["json", "html"]}),
    "limit": _query(
        "limit",
        "Number of items per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        style="form",
        explode=False,
    ),
    "offset": _query("offset", "Items to skip.", {"type": "integer", "minimum": 0, "default": 0}),
    "bbox": _query(
        "bbox",
        "minx,miny,maxx,maxy in bbox-crs (default CRS84: lon,lat).",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        style="form",
        explode=False,
    ),
    "filter": _query(
        "filter",
        "A CQL2 filter over the queryables (/collections/{collectionId}/queryables).",
        {"type": "string"},
    ),
    "filter-lang": _query(
        "filter-lang",
        "Language of filter: cql2-text (default) or cql2-json; cql-text is the draft's name "
        "of cql2-text, which GDAL up to 3.6 sends.",
        {"type": "string", "enum": list(FILTER_LANGUAGES), "default": "cql2-text"},
    ),
    "sortby": _query(
        "sortby",
        "Comma-separated sortables, each with an optional + (ascending) or - (descending).",
        {"type": "array", "items": {"type": "string"}},
        style="form",
        explode=False,
    ),
    "properties": _query(
        "properties",
        "Comma-separated properties to return (the others are left out).",
        {"type": "array", "items": {"type": "string"}},
        style="form",
        explode=False,
    ),
    "datetime": _query(
        "datetime",
        "Instant or interval (RFC 3339, '..' open); filters collections with a date property.",
        {"type": "string"},
        style="form",
        explode=False,
    ),
    "collectionId": {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": sorted(COLLECTIONS)},
    },
    "featureId": {
        "name": "featureId",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    },
}


def _get(summary: str, params: list[str], media: list[str]) -> dict[str, Any]:
    """A GET operation with referenced parameters and its success and error responses."""
    problem = {"application/problem+json": {"schema": {"type": "object"}}}
    return {
        "get": {
            "summary": summary,
            "parameters": [{"$ref": REF + p} for p in params],
            "responses": {
                "200": {"description": "OK", "content": {m: {"schema": {}} for m in media}},
                "400": {"description": "invalid or unknown parameter", "content": problem},
                "401": {"description": "missing or unknown API key", "content": problem},
                "403": {"description": "role too low", "content": problem},
                "404": {"description": "not found", "content": problem},
            },
        }
    }


def collection_items(props: dict[str, str]) -> dict[str, Any]:
    """The GET operation of one collection's items: the common parameters and each queryable
    (an equality filter), so that clients such as GDAL see what they can filter on."""
    op = _get("Features of the collection", list(ITEMS_PARAMETERS), ["application/geo+json"])
    op["get"]["parameters"] += [
        _query(name, f"Features whose {name} equals this value.", {"type": kind})
        if kind not in ("date", "date-time")
        else _query(name, f"Features whose {name} equals this date.", {"type": "string"})
        for name, kind in props.items()
    ]
    return op


def openapi(
    base: str, storage: StorageCRS, queryables: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of the OGC API under ``base`` (absolute /ogc URL), with a
    path per collection in ``queryables`` (collection -> property -> kind)."""
    json_html = ["application/json", "text/html"]
    items = [*ITEMS_PARAMETERS]
    per_collection = {
        f"/collections/{c}/items": collection_items(props)
        for c, props in (queryables or {}).items()
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "geo_service – OGC API – Features",
            "version": __version__,
            "description": "Authenticate with the API key: the X-API-Key header, "
            "'Authorization: Bearer <key>' or HTTP Basic with the key as the password. "
            "Filters: CQL2 (filter, filter-lang, filter-crs) over the queryables, each of which "
            "is also a query parameter (equality); sortby, properties; vector tiles (MVT).",
        },
        "servers": [{"url": base}],
        "security": [{"apiKey": []}, {"basic": []}, {"bearer": []}],
        "paths": {
            "/": _get("Landing page", ["f"], json_html),
            "/conformance": _get("Conformance classes", ["f"], json_html),
            "/api": _get("This API definition", ["f"], ["application/vnd.oai.openapi+json"]),
            "/collections": _get("Feature collections", ["f"], json_html),
            "/collections/{collectionId}": _get(
                "One feature collection", ["collectionId", "f"], json_html
            ),
            "/collections/{collectionId}/queryables": _get(
                "Queryables of a collection", ["collectionId", "f"], ["application/schema+json"]
            ),
            "/collections/{collectionId}/items": _get(
                "Features of a collection", ["collectionId", *items], ["application/geo+json"]
            ),
            "/collections/{collectionId}/items/{featureId}": _get(
                "One feature", ["collectionId", "featureId", "f", "crs"], ["application/geo+json"]
            ),
            **per_collection,
        },
        "components": {
            "parameters": parameters(storage),
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "basic": {"type": "http", "scheme": "basic"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
