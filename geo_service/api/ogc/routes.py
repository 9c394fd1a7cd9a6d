"""The /ogc routes: thin handlers that parse, authorise, ask the feature layer and serialise."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from geo_service.api.deps import current_of, reject_unknown_query
from geo_service.api.ogc import documents as docs
from geo_service.api.ogc.html import render
from geo_service.api.ogc.openapi import openapi
from geo_service.api.ogc.params import (
    Format,
    collection_for,
    detail_for,
    item_query,
    role_source,
    source,
    storage,
    viewer,
    wants_html,
)
from geo_service.auth.keys import KeyInfo
from geo_service.db.crs import StorageCRS
from geo_service.errors import NotFound
from geo_service.features import query
from geo_service.features.collections import CollectionSpec, Source, visible
from geo_service.features.crs import srid_of, uri_of
from geo_service.i18n import _

router = APIRouter(prefix="/ogc", tags=["ogc"])
checked = [Depends(reject_unknown_query)]
OBJECT = {"schema": {"type": "object"}}
HTML_PAGE = {docs.HTML: {"schema": {"type": "string"}}}
JSON_OR_HTML: dict[int | str, dict[str, Any]] = {200: {"content": {docs.JSON: OBJECT, **HTML_PAGE}}}
GEOJSON_OR_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {docs.GEOJSON: OBJECT, **HTML_PAGE}}
}
COLLECTION_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The collection needs a higher role (coverage_gaps: planner)"},
    404: {"description": "Unknown collection or feature"},
}


class OpenAPI30Response(JSONResponse):
    """The OGC API definition (OpenAPI 3.0 JSON)."""

    media_type = docs.OPENAPI_30


class SchemaJSONResponse(JSONResponse):
    """A JSON Schema document."""

    media_type = docs.SCHEMA_JSON


class GeoJSONResponse(JSONResponse):
    """A GeoJSON document."""

    media_type = docs.GEOJSON


def base_of(request: Request) -> str:
    """Absolute URL of the OGC landing page, without a trailing slash."""
    return str(request.base_url).rstrip("/") + "/ogc"


def respond(
    request: Request,
    f: str | None,
    title: str,
    doc: dict[str, Any],
    media: str = docs.JSON,
    headers: dict[str, str] | None = None,
) -> Response:
    """The document as HTML or JSON (``f`` first, then the Accept header)."""
    if wants_html(request, f):
        return HTMLResponse(render(title, doc), headers=headers)
    return JSONResponse(doc, media_type=media, headers=headers)


@router.get(
    "", dependencies=checked, summary="OGC API – Features landing page", responses=JSON_OR_HTML
)
@router.get("/", dependencies=checked, include_in_schema=False, responses=JSON_OR_HTML)
def landing(request: Request, f: Format = None, key: KeyInfo = Depends(viewer)) -> Response:
    """Links to the API definition, the conformance classes and the collections."""
    return respond(request, f, "OGC API – Features", docs.landing(base_of(request)))


@router.get(
    "/conformance", dependencies=checked, summary="Conformance classes", responses=JSON_OR_HTML
)
def conformance(request: Request, f: Format = None, key: KeyInfo = Depends(viewer)) -> Response:
    """The OGC requirement classes this API implements."""
    return respond(request, f, "Conformance", {**docs.conformance(), "links": []})


@router.get(
    "/api",
    dependencies=checked,
    summary="OpenAPI 3.0 definition of the OGC API",
    response_class=OpenAPI30Response,
    responses={200: {"content": {docs.OPENAPI_30: OBJECT, **HTML_PAGE}}},
)
def api(
    request: Request,
    f: Format = None,
    key: KeyInfo = Depends(viewer),
    stored: StorageCRS = Depends(storage),
    src: Source = Depends(source),
) -> Response:
    """The API definition as OpenAPI 3.0 (JSON) or an HTML overview: a path per collection
    the caller sees, with the queryables its role sees."""
    props = {
        s.id: query.queryables(replace(src, detail=detail_for(s, key)), s)
        for s in visible(key.allows)
    }
    doc = openapi(base_of(request), stored, props)
    return respond(request, f, "OGC API definition", doc, docs.OPENAPI_30)


def cached_extent(request: Request, src: Source, spec: CollectionSpec) -> dict[str, Any]:
    """A collection's extent, computed once per state version (and caller's detail level)."""
    now = current_of(request)
    key = ("extent", spec.id, src.detail, src.indicators)
    return now.cache.memo(key, now.version, lambda: query.extent(src, spec))


@router.get(
    "/collections", dependencies=checked, summary="Feature collections", responses=JSON_OR_HTML
)
def collections(
    request: Request,
    f: Format = None,
    key: KeyInfo = Depends(viewer),
    src: Source = Depends(source),
    stored: StorageCRS = Depends(storage),
) -> Response:
    """The collections the caller's role may see, with extents and CRS lists."""
    base = base_of(request)
    found = [
        docs.collection_doc(base, s, cached_extent(request, src, s), stored)
        for s in visible(key.allows)
    ]
    return respond(request, f, "Collections", docs.collections_doc(request.url, found, stored))


@router.get(
    "/collections/{collection_id}",
    dependencies=checked,
    summary="One collection",
    responses={**JSON_OR_HTML, **COLLECTION_ERRORS},
)
def collection(
    request: Request,
    f: Format = None,
    spec: CollectionSpec = Depends(collection_for),
    src: Source = Depends(source),
    stored: StorageCRS = Depends(storage),
) -> Response:
    """A collection's description, extent and links."""
    doc = docs.collection_doc(base_of(request), spec, cached_extent(request, src, spec), stored)
    return respond(request, f, spec.title, doc)


@router.get(
    "/collections/{collection_id}/queryables",
    dependencies=checked,
    summary="Queryables",
    response_class=SchemaJSONResponse,
    responses={200: {"content": {docs.SCHEMA_JSON: OBJECT, **HTML_PAGE}}, **COLLECTION_ERRORS},
)
def queryables(
    request: Request,
    f: Format = None,
    spec: CollectionSpec = Depends(collection_for),
    src: Source = Depends(role_source),
) -> Response:
    """Properties to filter items on (CQL2 ``filter``, or each as an equality query
    parameter), as JSON Schema: the ones the caller's role sees, and the geometry."""
    props = query.queryables(src, spec)
    doc = docs.queryables(base_of(request), spec, props, query.geometry_type(src, spec))
    return respond(request, f, f"{spec.title}: queryables", doc, docs.SCHEMA_JSON)


@router.get(
    "/collections/{collection_id}/sortables",
    dependencies=checked,
    summary="Sortables",
    response_class=SchemaJSONResponse,
    responses={200: {"content": {docs.SCHEMA_JSON: OBJECT, **HTML_PAGE}}, **COLLECTION_ERRORS},
)
def sortables(
    request: Request,
    f: Format = None,
    spec: CollectionSpec = Depends(collection_for),
    src: Source = Depends(role_source),
) -> Response:
    """Properties to sort items by (``sortby=-rent,+rooms``), as JSON Schema."""
    doc = docs.sortables(base_of(request), spec, query.queryables(src, spec))
    return respond(request, f, f"{spec.title}: sortables", doc, docs.SCHEMA_JSON)


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection (queryables are further query parameters)",
    response_class=GeoJSONResponse,
    responses={**GEOJSON_OR_HTML, **COLLECTION_ERRORS},
)
def items(
    request: Request,
    f: Format = None,
    q: query.ItemQuery = Depends(item_query),
    spec: CollectionSpec = Depends(collection_for),
    src: Source = Depends(role_source),
    stored: StorageCRS = Depends(storage),
) -> Response:
    """A page of features (GeoJSON), filtered by bbox, datetime, queryables and CQL2, sorted
    by ``sortby``, with the chosen ``properties``."""
    page = query.page(src, spec, q)
    doc = docs.feature_collection(request.url, base_of(request), spec, q.offset, q.limit, page)
    headers = {
        "Content-Crs": f"<{uri_of(q.srid, stored)}>",
        "Link": docs.link_header(request.url, base_of(request), spec),
    }
    return respond(request, f, spec.title, doc, docs.GEOJSON, headers)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    dependencies=checked,
    summary="One feature",
    response_class=GeoJSONResponse,
    responses={**GEOJSON_OR_HTML, **COLLECTION_ERRORS},
)
def item(
    request: Request,
    feature_id: str,
    f: Format = None,
    crs: Annotated[str | None, Query(max_length=200)] = None,
    spec: CollectionSpec = Depends(collection_for),
    key: KeyInfo = Depends(viewer),
    src: Source = Depends(source),
    stored: StorageCRS = Depends(storage),
) -> Response:
    """One feature by id in the requested CRS (CRS84 by default)."""
    srid = srid_of(crs, "crs", stored)
    detailed = replace(src, detail=detail_for(spec, key))
    found = query.one(detailed, spec, spec.feature_id(feature_id), srid)
    if found is None:
        raise NotFound(
            _("there is no feature “{id}” in the collection “{collection}”").format(
                id=feature_id, collection=spec.id
            )
        )
    doc = docs.feature_doc(request.url, base_of(request), spec, found)
    headers = {"Content-Crs": f"<{uri_of(srid, stored)}>"}
    return respond(request, f, f"{spec.title}: {feature_id}", doc, docs.GEOJSON, headers)
