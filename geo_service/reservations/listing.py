"""List reservations by status and expiry (e.g. the holds that expire today)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from geo_service.db import models
from geo_service.reservations.claims import flat_address
from geo_service.reservations.results import Reservation, ReservationPage, Status

R = models.reservations


def _status_filter(status: Status) -> Any:
    """The rows whose effective status is ``status`` (a lapsed hold counts as expired)."""
    lapsed = and_(R.c.status == "held", R.c.expires_at <= func.now())
    if status == "held":
        return and_(R.c.status == "held", R.c.expires_at > func.now())
    if status == "expired":
        return or_(R.c.status == "expired", lapsed)
    return R.c.status == status


def list_reservations(
    engine: Engine,
    *,
    status: Status | None = None,
    expires_before: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ReservationPage:
    """Reservations newest first, filtered by effective status and expiry, paged."""
    conds: list[Any] = []
    if status is not None:
        conds.append(_status_filter(status))
    if expires_before is not None:
        conds.append(R.c.expires_at < expires_before)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(R).where(*conds)).scalar_one()
        rows = conn.execute(
            select(R, flat_address(R.c.flat_id))
            .where(*conds)
            .order_by(R.c.created_at.desc(), R.c.id)
            .limit(limit)
            .offset(offset)
        ).all()
    return ReservationPage(
        total=total, limit=limit, offset=offset, items=[Reservation.from_row(r) for r in rows]
    )
