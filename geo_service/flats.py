"""List flats for the housing office (attributes only: flats carry no household data)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Engine, func, select

from geo_service.db import models
from geo_service.scoring.districts import check_district_codes
from geo_service.scoring.results import Result

F = models.flats


class Flat(Result):
    """A flat's attributes with WGS84 coordinates (no household data)."""

    id: str
    address: str | None = None
    rooms: float
    living_area_m2: float
    rent_gross_cold_eur: float = Field(description="Gross cold rent, EUR per month.")
    floor: int
    lift: bool
    barrier_free: bool
    available_from: date
    available: bool
    district_code: str | None = None
    lon: float
    lat: float


class FlatPage(Result):
    """A page of flats ordered by id."""

    total: int = Field(description="Flats matching the filters.")
    limit: int
    offset: int
    items: list[Flat]


class PointGeometry(Result):
    """A GeoJSON point in WGS84 (lon, lat)."""

    type: Literal["Point"] = "Point"
    coordinates: list[float] = Field(min_length=2, max_length=2)


class FlatFeature(Result):
    """A flat as a GeoJSON feature."""

    type: Literal["Feature"] = "Feature"
    id: str
    geometry: PointGeometry
    properties: dict[str, Any]


class FlatFeatureCollection(Result):
    """A page of flats as a GeoJSON FeatureCollection (RFC 7946, WGS84)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    numberMatched: int
    numberReturned: int
    features: list[FlatFeature]


def list_flats(
    engine: Engine,
    *,
    available: bool | None = True,
    district: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> FlatPage:
    """Flats ordered by id with WGS84 coordinates, filtered and paged (400 for an unknown
    district code)."""
    wgs = func.ST_Transform(F.c.geom, 4326)
    conds: list[Any] = []
    if available is not None:
        conds.append(F.c.available.is_(available))
    if district:
        conds.append(F.c.district_code == district)
    cols = [c for c in F.c if c.name not in ("geom", "updated_at")]
    with engine.connect() as conn:
        check_district_codes(conn, [district] if district else [])
        total = conn.execute(select(func.count()).select_from(F).where(*conds)).scalar_one()
        rows = conn.execute(
            select(*cols, func.ST_X(wgs).label("lon"), func.ST_Y(wgs).label("lat"))
            .where(*conds)
            .order_by(F.c.id)
            .limit(limit)
            .offset(offset)
        ).mappings()
        items = [Flat.model_validate(r) for r in rows]
    return FlatPage(total=total, limit=limit, offset=offset, items=items)


def as_geojson(page: FlatPage) -> FlatFeatureCollection:
    """A page of flats as a GeoJSON FeatureCollection (RFC 7946, WGS84)."""
    features = [
        FlatFeature(
            id=it.id,
            geometry=PointGeometry(coordinates=[round(it.lon, 6), round(it.lat, 6)]),
            properties=it.model_dump(mode="json", exclude={"lon", "lat"}),
        )
        for it in page.items
    ]
    return FlatFeatureCollection(
        numberMatched=page.total, numberReturned=len(features), features=features
    )
