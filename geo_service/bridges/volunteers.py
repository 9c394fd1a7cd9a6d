"""Volunteers kept by partner organisations: a handle (never a name), languages, home location
in the city, capacity. Partners see and change only their organisation's; admins all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2.shape import from_shape
from pydantic import Field
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from geo_service.audit import record
from geo_service.auth.keys import PARTNER, KeyInfo, acting_organisation
from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.errors import Conflict, NotFound
from geo_service.i18n import N_, _
from geo_service.ingest.record import check_record
from geo_service.ingest.schemas import FieldSpec, KindSpec
from geo_service.scoring.results import Result

V = models.volunteers
# Validated with the importer's own field and geometry checks.
SPEC = KindSpec(
    "volunteers",
    "volunteers",
    ("id",),
    (
        FieldSpec("id"),
        FieldSpec("languages", "langs"),
        FieldSpec("capacity", "int", min=1, max=20),
    ),
    geometry=("Point",),
    needs_districts=True,
)


class Volunteer(Result):
    """A bridge builder or guide (pseudonymous)."""

    id: str = Field(description="Handle or organisation-given code; never a name.")
    organisation_id: str | None
    languages: list[str]
    capacity: int = Field(description="Households they can accompany at once.")
    active: bool
    district_code: str | None
    lon: float
    lat: float
    updated_at: datetime


class VolunteerList(Result):
    """Volunteers the key may see, by handle."""

    items: list[Volunteer]


def _query() -> Any:
    """Volunteers with WGS84 coordinates."""
    wgs = func.ST_Transform(V.c.geom, 4326)
    cols = [c for c in V.c if c.name not in ("geom", "created_at")]
    return select(*cols, func.ST_X(wgs).label("lon"), func.ST_Y(wgs).label("lat"))


def _scope(query: Any, key: KeyInfo) -> Any:
    """A partner sees its organisation's volunteers only."""
    return query.where(V.c.organisation_id == key.organisation) if key.role == PARTNER else query


def list_volunteers(engine: Engine, key: KeyInfo) -> VolunteerList:
    """The volunteers the key may see."""
    with engine.connect() as conn:
        rows = conn.execute(_scope(_query(), key).order_by(V.c.id)).mappings()
        return VolunteerList(items=[Volunteer.model_validate(dict(r)) for r in rows])


def get_volunteer(conn: Connection, volunteer_id: str, key: KeyInfo) -> Volunteer:
    """One volunteer; 404 when unknown or another organisation's (not disclosed)."""
    row = conn.execute(_scope(_query(), key).where(V.c.id == volunteer_id)).mappings().first()
    if row is None:
        raise NotFound(
            _("there is no volunteer “{id}” in your organisation").format(id=volunteer_id)
        )
    return Volunteer.model_validate(dict(row))


def _validated(engine: Engine, values: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Values checked as the importer checks them (languages, capacity, point in a district)."""
    record_in = {k: values.get(k) for k in ("id", "languages", "capacity")}
    return check_record(engine, SPEC, record_in, values["lon"], values["lat"], frozenset())


def create_volunteer(
    engine: Engine, values: dict[str, Any], key: KeyInfo, organisation: str | None
) -> Volunteer:
    """Register a volunteer of the key's organisation (an admin names it)."""
    row, point = _validated(engine, values)
    srid = storage_crs(engine).srid
    with engine.begin() as conn:
        org = acting_organisation(conn, key, organisation, N_("a volunteer"))
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(V).values(
                        id=row["id"],
                        organisation_id=org,
                        languages=row["languages"],
                        capacity=row["capacity"],
                        geom=from_shape(point, srid=srid),
                        district_code=row["district_code"],
                    )
                )
        except IntegrityError:
            raise Conflict(
                _("a volunteer with the handle “{id}” exists").format(id=row["id"])
            ) from None
        record(conn, "volunteer_created", role=key.role, key_id=key.id, detail={"id": row["id"]})
        return get_volunteer(conn, row["id"], key)


def update_volunteer(
    engine: Engine, volunteer_id: str, changes: dict[str, Any], key: KeyInfo
) -> Volunteer:
    """Change languages, capacity, home or whether active (own organisation; admins all)."""
    srid = storage_crs(engine).srid
    with engine.begin() as conn:
        current = get_volunteer(conn, volunteer_id, key)
        values = {**current.model_dump(), **changes}
        row, point = _validated(engine, values)
        conn.execute(
            update(V)
            .where(V.c.id == volunteer_id)
            .values(
                languages=row["languages"],
                capacity=row["capacity"],
                active=values["active"],
                geom=from_shape(point, srid=srid),
                district_code=row["district_code"],
                updated_at=func.now(),
            )
        )
        record(
            conn,
            "volunteer_changed",
            role=key.role,
            key_id=key.id,
            detail={"id": volunteer_id, "fields": sorted(changes)},
        )
        return get_volunteer(conn, volunteer_id, key)


def delete_volunteer(engine: Engine, volunteer_id: str, key: KeyInfo) -> None:
    """Remove a volunteer (own organisation; admins all)."""
    with engine.begin() as conn:
        get_volunteer(conn, volunteer_id, key)
        conn.execute(delete(V).where(V.c.id == volunteer_id))
        record(conn, "volunteer_deleted", role=key.role, key_id=key.id, detail={"id": volunteer_id})
