"""Reserve, confirm and release flats; every change audited in the same transaction."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.errors import Conflict, NotFound
from geo_service.reservations.results import Reservation
from geo_service.scoring import districts
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import cached_ranker, held_flats
from geo_service.scoring.profile import ScoringProfile

R = models.reservations


def case_ref_hash(case_ref: str) -> str:
    """Keyed hash (HMAC-SHA256 with the server secret) of a case reference."""
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, case_ref.encode(), hashlib.sha256).hexdigest()


def reserve(
    engine: Engine,
    flat_id: str,
    household: Household,
    case_ref: str | None,
    key: KeyInfo,
    profile: ScoringProfile,
) -> Reservation:
    """Hold a flat for a household; 409 when it is held or does not fit the household."""
    ranker = cached_ranker(engine, profile)
    explanation = ranker.score_flat(flat_id, household, held=held_flats(engine))
    failed = [c for c in explanation.constraints if not c.passed and c.name != "free"]
    if failed:
        raise Conflict(
            f"flat {flat_id} does not fit this household: "
            + "; ".join(f"{c.name} ({c.detail})" for c in failed)
        )
    hold = timedelta(minutes=get_settings().reservation_hold_minutes)
    profile_json = household.model_dump(mode="json", exclude={"ref"})  # a profile, no case ref
    try:
        with engine.begin() as conn:
            conn.execute(
                update(R)
                .where(R.c.flat_id == flat_id, R.c.status == "held", R.c.expires_at <= func.now())
                .values(status="expired")
            )
            row = conn.execute(
                R.insert()
                .values(
                    id=uuid.uuid4(),
                    flat_id=flat_id,
                    district_code=explanation.district.code,
                    household=profile_json,
                    case_ref_hash=case_ref_hash(case_ref) if case_ref else None,
                    placement_score=explanation.placement_score,
                    explanation=explanation.model_dump(mode="json"),
                    profile_version=profile.version,
                    api_key_id=key.id,
                    expires_at=func.now() + hold,
                )
                .returning(R)
            ).one()
            record(
                conn,
                "reservation",
                role=key.role,
                key_id=key.id,
                profile_version=profile.version,
                data_timestamp=ranker.data_timestamp,
                request={"household": profile_json, "flat_id": flat_id},
                detail={"reservation_id": str(row.id)},
            )
    except IntegrityError:
        raise Conflict(f"flat {flat_id} is already held or confirmed") from None
    return Reservation.from_row(row, explanation)


def get(engine: Engine, reservation_id: str) -> Reservation:
    """One reservation (404 when unknown)."""
    with engine.connect() as conn:
        row = conn.execute(select(R).where(R.c.id == _uuid(reservation_id))).first()
    if row is None:
        raise NotFound(f"no reservation {reservation_id}")
    return Reservation.from_row(row)


def _uuid(value: str) -> uuid.UUID:
    """Parse a reservation id (unknown format: 404, as for an unknown id)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no reservation {value}") from None


def transition(
    engine: Engine, reservation_id: str, action: str, key: KeyInfo, profile: ScoringProfile
) -> Reservation:
    """Confirm a live hold, or release a hold or confirmation; refresh the district status."""
    rid = _uuid(reservation_id)
    allowed = ("held",) if action == "confirm" else ("held", "confirmed")
    values = (
        {"status": "confirmed", "confirmed_at": func.now()}
        if action == "confirm"
        else {"status": "released", "released_at": func.now()}
    )
    live: list[Any] = [R.c.status.in_(allowed)]
    if action == "confirm":
        live.append(R.c.expires_at > func.now())
    with engine.begin() as conn:
        row = conn.execute(
            update(R).where(R.c.id == rid, *live).values(**values).returning(R)
        ).first()
        if row is None:
            current = conn.execute(select(R.c.status).where(R.c.id == rid)).scalar()
            if current is None:
                raise NotFound(f"no reservation {reservation_id}")
            raise Conflict(
                f"reservation {reservation_id} is {current} (or expired): cannot {action}"
            )
        districts.refresh(conn, profile)
        record(
            conn,
            action,
            role=key.role,
            key_id=key.id,
            profile_version=profile.version,
            request={"household": row.household, "flat_id": row.flat_id},
            detail={"reservation_id": str(rid)},
        )
    return Reservation.from_row(row)
