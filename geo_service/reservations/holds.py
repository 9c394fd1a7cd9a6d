"""The one hold routine: lock the flats, expire lapsed holds and offers, refuse a flat someone
else has a claim on (saying whose and until when), insert new holds, audit every change; used
by single reservations, the waiting list and allocations with ``reserve``, always in the
caller's transaction."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.config import get_settings, server_secret
from geo_service.db import models
from geo_service.errors import Conflict
from geo_service.i18n import _
from geo_service.reservations.claims import (
    FlatTaken,
    check_free,
    lapse_offers,
    lock_flats,
)

R = models.reservations
UNIQUE_VIOLATION = "23505"  # the partial unique index: one active reservation per flat


def case_ref_hash(case_ref: str) -> str:
    """Keyed hash (HMAC-SHA256 with the server secret) of a case reference."""
    return hmac.new(server_secret().encode(), case_ref.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Hold:
    """One flat to hold for one household (its non-identifying profile as JSON)."""

    flat_id: str
    district_code: str | None
    household: dict[str, Any]
    placement_score: float | None
    explanation: dict[str, Any] | None = None
    case_ref: str | None = None
    audit_detail: dict[str, Any] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)  # places taken per service kind
    override_reason: str | None = None  # held outside the household's recommendations
    entry_id: Any = None  # the waiting-list entry the flat is offered to and held for


def expire_lapsed(
    conn: Connection, flat_ids: list[str], key: KeyInfo | None, profile_version: str
) -> list[str]:
    """Mark the lapsed holds of these flats expired (locked in flat order, so concurrent
    callers never deadlock) and audit each; return their reservation ids."""
    lapsed = (
        select(R.c.id)
        .where(R.c.flat_id.in_(flat_ids), R.c.status == "held", R.c.expires_at <= func.now())
        .order_by(R.c.flat_id)
        .with_for_update()
    )
    ids = list(conn.execute(lapsed).scalars())
    if not ids:
        return []
    rows = conn.execute(
        update(R).where(R.c.id.in_(ids)).values(status="expired").returning(R.c.id, R.c.flat_id)
    ).all()
    for rid, flat_id in rows:
        record(
            conn,
            "expire",
            role=key.role if key else "cli",
            key_id=key.id if key else None,
            profile_version=profile_version,
            request={"flat_id": flat_id},
            detail={"reservation_id": str(rid), "reason": "hold lapsed before a new hold"},
        )
    return [str(rid) for rid, _ in rows]


def place_holds(
    conn: Connection,
    holds: list[Hold],
    key: KeyInfo | None,
    profile_version: str,
    data_timestamp: str | None,
) -> list[Row[Any]]:
    """Hold every flat of ``holds`` in the caller's transaction: the flats are locked (in id
    order: no deadlock between concurrent batches), lapsed holds and offers of those flats end
    first, the new holds are inserted in flat order and each is audited. FlatTaken when one is
    held, placed or offered to a household other than its hold's ``entry_id``, saying so and
    until when: the caller's transaction then keeps nothing. Returns the new rows in the order
    of ``holds``."""
    flats = [h.flat_id for h in holds]
    if not flats:
        return []
    if len(set(flats)) != len(flats):
        raise Conflict(_("the same flat appears twice among the holds"))
    lock_flats(conn, flats)
    expire_lapsed(conn, sorted(flats), key, profile_version)
    owners = {h.flat_id: h.entry_id for h in holds}
    lapse_offers(conn, flats, key, profile_version, keep=[e for e in owners.values() if e])
    check_free(conn, owners)
    lifetime = timedelta(minutes=get_settings().reservation_hold_minutes)
    rows: dict[str, Row[Any]] = {}
    for hold in sorted(holds, key=lambda h: h.flat_id):
        try:
            rows[hold.flat_id] = conn.execute(
                insert(R)
                .values(
                    flat_id=hold.flat_id,
                    district_code=hold.district_code,
                    household=hold.household,
                    case_ref_hash=case_ref_hash(hold.case_ref) if hold.case_ref else None,
                    placement_score=hold.placement_score,
                    explanation=hold.explanation,
                    services=hold.services,
                    override_reason=hold.override_reason,
                    profile_version=profile_version,
                    api_key_id=key.id if key else None,
                    expires_at=func.now() + lifetime,
                )
                .returning(R)
            ).one()
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION:
                raise  # e.g. a flat or district that does not exist: not a lost race
            raise FlatTaken(hold.flat_id) from None
        record(
            conn,
            "reservation",
            role=key.role if key else "cli",
            key_id=key.id if key else None,
            profile_version=profile_version,
            data_timestamp=data_timestamp,
            request={"household": hold.household, "flat_id": hold.flat_id},
            detail={"reservation_id": str(rows[hold.flat_id].id), **hold.audit_detail},
        )
    return [rows[f] for f in flats]
