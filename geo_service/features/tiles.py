"""Mapbox vector tiles (MVT) of the feature collections in the WebMercatorQuad tile matrix
set, made by PostGIS (``ST_TileEnvelope``, ``ST_AsMVTGeom``, ``ST_AsMVT``).

A tile holds the features whose stored geometry meets the tile's envelope widened by the
buffer, with the properties the caller's role sees, in one layer named after the collection.
The envelope is reprojected into the storage CRS (densified, so its edges keep their course)
and compared with the bare stored column, so the GiST index finds the features.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import func, literal_column, select

from geo_service.db.crs import storage_crs
from geo_service.errors import NotFound
from geo_service.features.collections import CollectionSpec, Source
from geo_service.features.crs import clip_to_storage
from geo_service.features.query import plan_for_the_box
from geo_service.i18n import _

TMS = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MAX_ZOOM = 24  # the tile matrix set's deepest level
EXTENT = 4096  # tile coordinate units per side (MVT's usual)
BUFFER = 64  # units beyond the edge kept, so lines and symbols are not cut at tile borders
HALF_WORLD = 20037508.3427892  # metres from the origin to the edge of Web Mercator
MVT = "application/vnd.mapbox-vector-tile"
WEB_MERCATOR = 3857


def check_tile(z: int, row: int, col: int) -> None:
    """NotFound unless the tile exists in WebMercatorQuad (zoom 0-24, row and column within
    the matrix)."""
    if not 0 <= z <= MAX_ZOOM or not (0 <= row < 2**z and 0 <= col < 2**z):
        raise NotFound(
            _("no tile {tile} in {tms}: zoom 0 to {max}, row and column 0 to 2^zoom-1").format(
                tile=f"{z}/{row}/{col}", tms=TMS, max=MAX_ZOOM
            )
        )


def statement(src: Source, spec: CollectionSpec, z: int, row: int, col: int) -> Any:
    """The SELECT of one tile's MVT bytes (NULL or empty when no feature meets the tile)."""
    items = spec.build(src).subquery("items")
    storage = storage_crs(src.engine)
    tile = func.ST_TileEnvelope(z, col, row, type_=Geometry)  # x (column) before y (row)
    size = 2 * HALF_WORLD / 2**z
    margin = size * BUFFER / EXTENT
    x1, y2 = -HALF_WORLD + col * size - margin, HALF_WORLD - row * size + margin
    reach = (x1, y2 - size - 2 * margin, x1 + size + 2 * margin, y2)
    # only the part where the storage CRS is valid (a low zoom's tile spans a hemisphere,
    # which a UTM zone cannot take); no stored geometry lies outside it
    clipped = clip_to_storage(reach, WEB_MERCATOR, storage)
    if clipped is None:  # the tile lies wholly where nothing can be stored: an empty tile
        return select(literal_column("NULL::bytea"))
    envelope = func.ST_MakeEnvelope(*clipped, WEB_MERCATOR, type_=Geometry)
    area = func.ST_Transform(func.ST_Segmentize(envelope, (size + 2 * margin) / 64), storage.srid)
    geom = func.ST_AsMVTGeom(
        func.ST_Transform(items.c.geom, WEB_MERCATOR), tile, EXTENT, BUFFER, True
    )
    props = [c for c in items.c if c.name not in ("fid", "geom")]
    names = {c.name for c in props}
    fid = [] if "id" in names else [items.c.fid.label("id")]
    rows = (
        select(geom.label("mvtgeom"), *fid, *props)
        .where(func.ST_Intersects(items.c.geom, area))
        .subquery("tile_rows")
    )
    layer = func.ST_AsMVT(literal_column("tile_rows"), spec.id, EXTENT, "mvtgeom")
    return select(layer).select_from(rows).where(rows.c.mvtgeom.is_not(None))


def render(src: Source, spec: CollectionSpec, z: int, row: int, col: int) -> bytes:
    """One tile's MVT bytes (empty when no feature meets it)."""
    check_tile(z, row, col)
    with src.engine.begin() as conn:
        plan_for_the_box(conn)
        data = conn.execute(statement(src, spec, z, row, col)).scalar()
    return bytes(data or b"")


def tile_matrix_set() -> dict[str, Any]:
    """The WebMercatorQuad tile matrix set (OGC 2D TMS 2.0 JSON), levels 0 to 24."""
    cell = 2 * HALF_WORLD / 256  # metres per pixel at zoom 0 (256-pixel tiles)
    return {
        "id": TMS,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": [
            {
                "id": str(z),
                "scaleDenominator": cell / 2**z / 0.00028,
                "cellSize": cell / 2**z,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-HALF_WORLD, HALF_WORLD],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": 2**z,
                "matrixHeight": 2**z,
            }
            for z in range(MAX_ZOOM + 1)
        ],
    }
