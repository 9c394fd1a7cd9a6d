"""Coordinate reference systems offered by the feature collections (OGC API – Features Part 2)."""

from __future__ import annotations

from geo_service.db.models import SRID
from geo_service.errors import InputError

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
STORAGE_CRS = f"http://www.opengis.net/def/crs/EPSG/0/{SRID}"
WEB_MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"

# URI -> PostGIS SRID. CRS84 is WGS84 with longitude first, which is PostGIS's order for 4326;
# EPSG:25832 and EPSG:3857 are easting, northing (metres), also PostGIS's order.
SUPPORTED = {CRS84: 4326, STORAGE_CRS: SRID, WEB_MERCATOR: 3857}
# Decimal places of output coordinates: 1e-8 degrees and 1 mm are both well under 1 cm.
DECIMALS = {4326: 8, SRID: 3, 3857: 3}


def srid_of(uri: str | None, parameter: str) -> int:
    """The SRID for a CRS URI (CRS84 when none is given); InputError names the parameter."""
    if uri is None:
        return SUPPORTED[CRS84]
    srid = SUPPORTED.get(uri.strip().strip("[]"))
    if srid is None:
        raise InputError(
            f"{parameter}: {uri!r} is not offered; use one of {', '.join(SUPPORTED)}",
            errors=[{"pointer": f"query:{parameter}", "message": "unsupported CRS"}],
        )
    return srid


def uri_of(srid: int) -> str:
    """The CRS URI of an offered SRID (for the Content-Crs header)."""
    return next(uri for uri, s in SUPPORTED.items() if s == srid)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """A bbox 'minx,miny,maxx,maxy' (or with min/max z, which is ignored) as four floats."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) not in (4, 6):
        raise InputError(
            f"bbox: {text!r} is not four (or six) comma-separated numbers",
            errors=[{"pointer": "query:bbox", "message": "expected minx,miny,maxx,maxy"}],
        )
    x1, y1, x2, y2 = (values[0], values[1], values[3], values[4]) if len(values) == 6 else values
    if x1 > x2 or y1 > y2:
        raise InputError(
            f"bbox: {text!r} has a minimum above its maximum (boxes across the antimeridian "
            "are not supported)",
            errors=[{"pointer": "query:bbox", "message": "minimum above maximum"}],
        )
    return x1, y1, x2, y2
