"""Offer versions: every change of an offer (API edit, status change or import) as one
append-only row saying who (key and organisation), when, and what changed field by field."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Connection, Engine, Numeric, func, insert, select, update

from geo_service.db import models
from geo_service.db.engine import connected
from geo_service.scoring.results import Result

OFFERS, LANGS, VERSIONS = models.offers, models.offer_languages, models.offer_versions
# The fields a version compares (coordinates as WGS84 degrees, 6 decimals: about 0.1 m).
FIELDS = (
    "name",
    "category",
    "provider",
    "address",
    "opening_hours",
    "capacity_per_week",
    "contact_role",
    "interpreting",
    "languages",
    "lon",
    "lat",
    "district_code",
    "status",
)
Action = Literal["create", "update", "pause", "resume", "retire", "publish", "import"]


class FieldChange(Result):
    """One field's value before and after (``old`` is null for a new offer)."""

    old: Any = None
    new: Any = None


class OfferVersion(Result):
    """One change of an offer."""

    offer_id: str
    version: int = Field(description="The offer's version after this change (its ETag).")
    at: datetime
    action: Action
    source: Literal["api", "import"]
    api_key_id: str | None = Field(None, description="The key that made it (API changes).")
    organisation_id: str | None = Field(None, description="The key's organisation, if any.")
    changes: dict[str, FieldChange]


class OfferHistory(Result):
    """An offer's versions, oldest first."""

    offer_id: str
    items: list[OfferVersion]


def snapshot(conn: Connection, ids: Collection[str], *, lock: bool = False) -> dict[str, dict]:
    """The compared fields of the offers ``ids`` (locked FOR UPDATE, in id order, if asked)."""
    if not ids:
        return {}
    langs = (
        select(func.coalesce(func.array_agg(LANGS.c.language.distinct()), []))
        .where(LANGS.c.offer_id == OFFERS.c.id)
        .scalar_subquery()
    )
    wgs = func.ST_Transform(OFFERS.c.geom, 4326)
    query = (
        select(
            OFFERS.c.id,
            OFFERS.c.version,
            *(OFFERS.c[f] for f in FIELDS if f in OFFERS.c),
            langs.label("languages"),
            func.round(func.ST_X(wgs).cast(Numeric), 6).label("lon"),
            func.round(func.ST_Y(wgs).cast(Numeric), 6).label("lat"),
        )
        .where(OFFERS.c.id.in_(list(ids)))
        .order_by(OFFERS.c.id)
    )
    if lock:
        query = query.with_for_update(of=OFFERS)
    out = {}
    for row in conn.execute(query).mappings():
        values = dict(row)
        values["languages"] = sorted(values["languages"] or [])
        values["lon"], values["lat"] = float(values["lon"]), float(values["lat"])
        out[str(row["id"])] = values
    return out


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, FieldChange]:
    """The fields whose value differs (every set field for a new offer)."""
    before = old or {}
    return {
        f: FieldChange(old=before.get(f), new=new.get(f))
        for f in FIELDS
        if before.get(f) != new.get(f) and not (old is None and new.get(f) is None)
    }


def record_versions(
    conn: Connection,
    entries: Iterable[tuple[str, int, dict[str, FieldChange]]],
    *,
    action: Action,
    source: Literal["api", "import"],
    key_id: str | None = None,
    organisation_id: str | None = None,
) -> int:
    """Append one version row per (offer id, new version, changes); return how many."""
    rows = [
        {
            "offer_id": offer_id,
            "version": version,
            "action": action,
            "source": source,
            "api_key_id": key_id,
            "organisation_id": organisation_id,
            "changes": {k: v.model_dump(mode="json") for k, v in changes.items()},
        }
        for offer_id, version, changes in entries
    ]
    if rows:
        conn.execute(insert(VERSIONS), rows)
    return len(rows)


def track_import(conn: Connection, ids: list[str], write: Callable[[], int]) -> int:
    """Run an import's ``write`` of the offers ``ids`` (rows locked first, so no API edit
    slips in between), give each offer the organisation named by its ``provider``, raise
    the version of every offer that changed and record one ``import`` version for each;
    return ``write``'s count."""
    before = snapshot(conn, ids, lock=True)
    written = write()
    owners = select(models.organisations.c.id).where(
        models.organisations.c.name == OFFERS.c.provider
    )
    conn.execute(
        update(OFFERS).where(OFFERS.c.id.in_(ids)).values(organisation_id=owners.scalar_subquery())
    )
    after = snapshot(conn, ids)
    changes = {i: diff(before.get(i), after[i]) for i in ids}
    bumped = [i for i in ids if i in before and changes[i]]
    if bumped:
        conn.execute(
            update(OFFERS).where(OFFERS.c.id.in_(bumped)).values(version=OFFERS.c.version + 1)
        )
    record_versions(
        conn,
        (
            (i, before[i]["version"] + 1 if i in before else 1, changes[i])
            for i in ids
            if changes[i]
        ),
        action="import",
        source="import",
    )
    return written


def history(engine: Engine, offer_id: str) -> OfferHistory:
    """Every version of an offer, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(VERSIONS).where(VERSIONS.c.offer_id == offer_id).order_by(VERSIONS.c.id)
        ).mappings()
        items = [OfferVersion.model_validate(dict(r)) for r in rows]
    return OfferHistory(offer_id=offer_id, items=items)


def changed_since(bind: Engine | Connection, since: datetime) -> list[OfferVersion]:
    """Versions written at or after ``since``, oldest first (the situation report's list)."""
    with connected(bind) as conn:
        rows = conn.execute(
            select(VERSIONS).where(VERSIONS.c.at >= since).order_by(VERSIONS.c.id)
        ).mappings()
        return [OfferVersion.model_validate(dict(r)) for r in rows]
