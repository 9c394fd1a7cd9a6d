"""Small street maps drawn on the server as SVG (the referral sheet's mini map): an offer's
point to check, a household's recommended flats numbered as in their list. No script, no
tiles; the list beside it says the same in words."""

from __future__ import annotations

from functools import cache

from pyproj import Transformer
from sqlalchemy import Engine

from geo_service.catalogue.sheet_map import MiniMap, mini_map
from geo_service.db.crs import storage_crs


@cache
def _to_storage(srid: int) -> Transformer:
    """WGS84 to the storage CRS."""
    return Transformer.from_crs(4326, srid, always_xy=True)


def storage_xy(engine: Engine, lon: float, lat: float) -> tuple[float, float]:
    """A WGS84 point in the storage CRS (metres)."""
    x, y = _to_storage(storage_crs(engine).srid).transform(lon, lat)
    return float(x), float(y)


def point_map(engine: Engine, lon: float, lat: float) -> MiniMap:
    """The streets around one point (drawn at the centre)."""
    return mini_map(engine, storage_xy(engine, lon, lat), [])


def numbered_map(engine: Engine, points: list[tuple[int, float, float]]) -> MiniMap | None:
    """The streets around numbered WGS84 points (number, lon, lat), centred between them."""
    if not points:
        return None
    xy = [(n, *storage_xy(engine, lon, lat)) for n, lon, lat in points]
    xs, ys = [p[1] for p in xy], [p[2] for p in xy]
    centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return mini_map(engine, centre, xy)
