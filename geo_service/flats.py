"""List flats for the housing office (attributes only: flats carry no household data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from geo_service.db import models
from geo_service.scoring.districts import check_district_codes

F = models.flats


def list_flats(
    engine: Engine,
    *,
    available: bool | None = True,
    district: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
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
        items = [{**r, "available_from": r["available_from"].isoformat()} for r in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def as_geojson(page: dict[str, Any]) -> dict[str, Any]:
    """A page of flats as a GeoJSON FeatureCollection (RFC 7946, WGS84)."""
    features = [
        {
            "type": "Feature",
            "id": it["id"],
            "geometry": {
                "type": "Point",
                "coordinates": [round(it["lon"], 6), round(it["lat"], 6)],
            },
            "properties": {k: v for k, v in it.items() if k not in ("lon", "lat")},
        }
        for it in page["items"]
    ]
    return {
        "type": "FeatureCollection",
        "numberMatched": page["total"],
        "numberReturned": len(features),
        "features": features,
    }
