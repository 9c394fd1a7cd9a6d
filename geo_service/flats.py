"""List flats for the housing office (attributes only: flats carry no household data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Engine, func, select

from geo_service.db import models
from geo_service.errors import NotFound
from geo_service.i18n import _
from geo_service.reservations.claims import read_claims
from geo_service.scoring.districts import check_district_codes
from geo_service.scoring.results import Result

F = models.flats
STATUS_OF = {"confirmed": "placed", "held": "held", "offered": "offered"}  # first that applies


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


class FlatClaim(Result):
    """A current hold, placement or offer of the flat (ids only, no household data)."""

    kind: Literal["held", "confirmed", "offered"] = Field(
        description="held: reserved until 'until'; confirmed: a placement; offered: offered to "
        "a waiting household until 'until'."
    )
    until: datetime | None = Field(description="When the claim ends (null: a placement).")
    reservation_id: str | None = None
    waiting_list_entry: str | None = None
    text: str = Field(description="The claim in words.")


class FlatDistrict(Result):
    """The district a flat lies in."""

    code: str
    name: str | None


class FlatDetail(Flat):
    """One flat: address, district, size, rent, status and current holds (no household data)."""

    district: FlatDistrict | None
    status: Literal["free", "offered", "held", "placed", "not_on_offer"] = Field(
        description="free: on offer and nobody has a claim; not_on_offer: withdrawn."
    )
    holds: list[FlatClaim] = Field(
        description="Current holds, placements and offers to waiting households."
    )


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


def get_flat(engine: Engine, flat_id: str) -> FlatDetail:
    """One flat with its district and current claims (404 when unknown)."""
    wgs = func.ST_Transform(F.c.geom, 4326)
    cols = [c for c in F.c if c.name not in ("geom", "updated_at")]
    d = models.districts
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(
                    *cols,
                    func.ST_X(wgs).label("lon"),
                    func.ST_Y(wgs).label("lat"),
                    d.c.name.label("district_name"),
                )
                .join(d, d.c.code == F.c.district_code, isouter=True)
                .where(F.c.id == flat_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(_("no flat with id {flat}").format(flat=repr(flat_id)))
        claims = read_claims(conn, [flat_id])
    kinds = {c.kind for c in claims}
    free = "free" if row["available"] else "not_on_offer"
    status = next((STATUS_OF[k] for k in STATUS_OF if k in kinds), free)
    code = row["district_code"]
    return FlatDetail.model_validate(
        {
            **{k: v for k, v in row.items() if k != "district_name"},
            "district": {"code": code, "name": row["district_name"]} if code else None,
            "status": status,
            "holds": [
                FlatClaim(
                    kind=c.kind,
                    until=c.until,
                    reservation_id=c.reservation_id,
                    waiting_list_entry=c.entry_id,
                    text=c.words(),
                )
                for c in claims
            ],
        }
    )


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
