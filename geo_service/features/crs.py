"""Coordinate reference systems offered by the feature collections (OGC API – Features Part 2)."""

from __future__ import annotations

import math
from functools import lru_cache

from pyproj import Transformer

from geo_service.db.crs import StorageCRS
from geo_service.errors import InputError
from geo_service.i18n import _

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
WEB_MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"
WGS84_SRID = 4326

Box = tuple[float, float, float, float]  # minx, miny, maxx, maxy


def offered(storage: StorageCRS) -> dict[str, int]:
    """URI -> PostGIS SRID of the CRSs offered: CRS84, the deployment's storage CRS and Web
    Mercator. CRS84 is WGS84 with longitude first, which is PostGIS's order for 4326; the
    projected ones are easting, northing (metres), also PostGIS's order."""
    return {CRS84: WGS84_SRID, storage.uri: storage.srid, WEB_MERCATOR: 3857}


def decimals(srid: int) -> int:
    """Decimal places of output coordinates: 1e-8 degrees and 1 mm are both well under 1 cm."""
    return 8 if srid == WGS84_SRID else 3


def srid_of(uri: str | None, parameter: str, storage: StorageCRS) -> int:
    """The SRID for a CRS URI (CRS84 when none is given); InputError names the parameter."""
    supported = offered(storage)
    if uri is None:
        return WGS84_SRID
    srid = supported.get(uri.strip().strip("[]"))
    if srid is None:
        raise InputError(
            _("{parameter}: “{uri}” is not offered; use one of {known}").format(
                parameter=parameter, uri=uri, known=", ".join(supported)
            ),
            errors=[{"pointer": f"query:{parameter}", "message": _("unsupported CRS")}],
        )
    return srid


def uri_of(srid: int, storage: StorageCRS) -> str:
    """The CRS URI of an offered SRID (for the Content-Crs header)."""
    return next(uri for uri, s in offered(storage).items() if s == srid)


def parse_bbox(text: str) -> Box:
    """A bbox 'minx,miny,maxx,maxy' (or with min/max z, which is ignored) as four floats."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) not in (4, 6) or not all(math.isfinite(v) for v in values):
        raise InputError(
            _("bbox: “{value}” is not four (or six) comma-separated finite numbers").format(
                value=text
            ),
            errors=[{"pointer": "query:bbox", "message": _("expected minx,miny,maxx,maxy")}],
        )
    x1, y1, x2, y2 = (values[0], values[1], values[3], values[4]) if len(values) == 6 else values
    if x1 > x2 or y1 > y2:
        raise InputError(
            _(
                "bbox: “{value}” has a minimum above its maximum (boxes across the antimeridian "
                "are not supported)"
            ).format(value=text),
            errors=[{"pointer": "query:bbox", "message": _("minimum above maximum")}],
        )
    return x1, y1, x2, y2


WIDEN_DEG = 3.0  # the storage CRS stays usable a few degrees beyond its official area of use


@lru_cache
def valid_box(srid: int, storage: StorageCRS) -> Box:
    """The storage CRS's area of use, widened by 3°, as a box in ``srid``."""
    west, south, east, north = storage.west, storage.south, storage.east, storage.north
    box = (  # at most ±85° latitude, so the box stays inside Web Mercator's domain too
        west - WIDEN_DEG,
        max(south - WIDEN_DEG, -85.0),
        east + WIDEN_DEG,
        min(north + WIDEN_DEG, 85.0),
    )
    if srid == WGS84_SRID:
        return box
    return Transformer.from_crs(4326, srid, always_xy=True).transform_bounds(*box)


def clip_to_storage(bbox: Box, srid: int, storage: StorageCRS) -> Box | None:
    """The part of a bbox (in ``srid``) where the storage CRS is valid; None if there is none.

    Reprojecting a box far outside the storage CRS's area (a world-wide CRS84 box, say) would
    wrap or fail; no stored geometry lies out there, so clipping changes no answer.
    """
    if srid == storage.srid:
        return bbox
    vx1, vy1, vx2, vy2 = valid_box(srid, storage)
    x1, y1, x2, y2 = max(bbox[0], vx1), max(bbox[1], vy1), min(bbox[2], vx2), min(bbox[3], vy2)
    return (x1, y1, x2, y2) if x1 <= x2 and y1 <= y2 else None
