"""OGC API – Tiles (vector tiles, MVT) of the feature collections: tile matrix sets, each
collection's tileset list and metadata, and the tiles, with ETag and Cache-Control."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from geo_service.api.deps import reject_unknown_query
from geo_service.api.ogc import documents as docs
from geo_service.api.ogc.params import Format, collection_for, role_source, viewer
from geo_service.api.ogc.routes import (
    COLLECTION_ERRORS,
    JSON_OR_HTML,
    base_of,
    cached_extent,
    respond,
)
from geo_service.auth.keys import KeyInfo
from geo_service.features import query, tiles
from geo_service.features.collections import CollectionSpec, Source

router = APIRouter(prefix="/ogc", tags=["ogc"])
checked = [Depends(reject_unknown_query)]
CACHE_CONTROL = "private, max-age=300"  # per caller (roles see different properties)
Zoom = Annotated[int, Path(ge=0, le=tiles.MAX_ZOOM, description="zoom level (0-24)")]
Index = Annotated[int, Path(ge=0, le=2**tiles.MAX_ZOOM - 1)]
TILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {tiles.MVT: {"schema": {"type": "string", "format": "binary"}}}},
    204: {"description": "No feature in this tile"},
    304: {"description": "Not modified (If-None-Match)"},
    **COLLECTION_ERRORS,
}


@router.get(
    "/tileMatrixSets", dependencies=checked, summary="Tile matrix sets", responses=JSON_OR_HTML
)
def tile_matrix_sets(
    request: Request, f: Format = None, key: KeyInfo = Depends(viewer)
) -> Response:
    """The tile matrix sets the tiles use (WebMercatorQuad)."""
    return respond(request, f, "Tile matrix sets", docs.tile_matrix_sets(base_of(request)))


@router.get(
    "/tileMatrixSets/{tms}",
    dependencies=checked,
    summary="A tile matrix set",
    responses={**JSON_OR_HTML, 404: {"description": "Unknown tile matrix set"}},
)
def tile_matrix_set(
    request: Request, tms: str, f: Format = None, key: KeyInfo = Depends(viewer)
) -> Response:
    """The definition of WebMercatorQuad (OGC 2D Tile Matrix Set 2.0)."""
    docs.check_tms(tms)
    return respond(request, f, tms, tiles.tile_matrix_set())


@router.get(
    "/collections/{collection_id}/tiles",
    dependencies=checked,
    summary="A collection's vector tilesets",
    responses={**JSON_OR_HTML, **COLLECTION_ERRORS},
)
def tilesets(
    request: Request, f: Format = None, spec: CollectionSpec = Depends(collection_for)
) -> Response:
    """The collection's tilesets (one, in WebMercatorQuad)."""
    doc = docs.tilesets(base_of(request), spec)
    return respond(request, f, f"{spec.title}: tilesets", doc)


@router.get(
    "/collections/{collection_id}/tiles/{tms}",
    dependencies=checked,
    summary="A collection's vector tileset (metadata)",
    responses={**JSON_OR_HTML, **COLLECTION_ERRORS},
)
def tileset(
    request: Request,
    tms: str,
    f: Format = None,
    spec: CollectionSpec = Depends(collection_for),
    src: Source = Depends(role_source),
) -> Response:
    """The tileset's metadata: tile URL template, layer and its properties, bounding box."""
    docs.check_tms(tms)
    props = query.queryables(src, spec)
    extent = cached_extent(request, src, spec)
    doc = docs.tileset(base_of(request), spec, props, query.geometry_type(src, spec), extent)
    return respond(request, f, f"{spec.title}: {tms}", doc)


@router.get(
    "/collections/{collection_id}/tiles/{tms}/{tile_matrix}/{tile_row}/{tile_col}",
    dependencies=checked,
    summary="A vector tile (MVT) of a collection",
    response_class=Response,
    responses=TILE_RESPONSES,
)
def tile(
    request: Request,
    tms: str,
    tile_matrix: Zoom,
    tile_row: Index,
    tile_col: Index,
    spec: CollectionSpec = Depends(collection_for),
    src: Source = Depends(role_source),
) -> Response:
    """One tile: zoom, row (from the top), column (from the left), as the standard orders
    them; answered from the tile's ETag (304) while the data are unchanged."""
    docs.check_tms(tms)
    return tile_response(request, spec, src, tile_matrix, tile_row, tile_col)


def tile_response(
    request: Request, spec: CollectionSpec, src: Source, z: int, row: int, col: int
) -> Response:
    """A tile with its validator: 304 for a current If-None-Match, 204 when it is empty."""
    tiles.check_tile(z, row, col)
    version = getattr(request.state, "version", None)  # read when the key was checked
    if version is None:  # a map's session: no key check ran
        version = request.app.state.cache.version()
    tag = hashlib.sha256(
        f"{version}|{spec.id}|{src.detail}|{src.indicators}|{z}/{row}/{col}".encode()
    ).hexdigest()[:32]
    headers = {
        "ETag": f'"{tag}"',
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Authorization, X-API-Key, Cookie",
    }
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    data = tiles.render(src, spec, z, row, col)
    if not data:
        return Response(status_code=204, headers=headers)
    return Response(data, media_type=tiles.MVT, headers=headers)
