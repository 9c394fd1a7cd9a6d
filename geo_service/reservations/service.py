"""Reserve, confirm and release flats; every change audited in the same transaction."""

from __future__ import annotations

import uuid
from typing import Any, get_args

from sqlalchemy import Connection, Engine, func, select, update

from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.db import models
from geo_service.db.transactions import in_transaction
from geo_service.errors import Conflict, InputError, NotFound
from geo_service.i18n import N_, _
from geo_service.reservations.claims import flat_address
from geo_service.reservations.holds import Hold, case_ref_hash, place_holds
from geo_service.reservations.overrides import override_reason, recommended
from geo_service.reservations.results import ReleaseReason, Reservation
from geo_service.scoring import districts
from geo_service.scoring.explain import constraint_name
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.scoring.results import RankedFlat
from geo_service.scoring.services import demand


class Unchecked:
    """The override check does not apply (the flat was chosen and checked before)."""


UNCHECKED = Unchecked()
__all__ = ["apply_transition", "case_ref_hash", "get", "prepare_hold", "reserve", "transition"]

R = models.reservations
# action -> (states it may start from, state it ends in, timestamp column it sets)
# Statuses and steps in words (the codes stay in URLs and JSON)
STATUS_WORDS = {
    "held": N_("held"),
    "confirmed": N_("confirmed"),
    "released": N_("released"),
    "expired": N_("expired"),
}
STEP_WORDS = {"confirm": N_("confirm"), "release": N_("release")}
TRANSITIONS = {
    "confirm": (("held",), "confirmed", "confirmed_at"),
    "release": (("held", "confirmed"), "released", "released_at"),
}


def reserve(
    engine: Engine,
    flat_id: str,
    household: Household,
    case_ref: str | None,
    key: KeyInfo,
    profile: ScoringProfile,
    *,
    rankers: RankerCache | None = None,
    override: str | None = None,
) -> Reservation:
    """Hold a flat for a household; 409 when it is held or does not fit the household; 400
    when it is not among the household's recommendations and ``override`` gives no reason."""
    hold, explanation, stamp = prepare_hold(
        engine, flat_id, household, case_ref, profile, rankers=rankers, override=override
    )
    (row,) = in_transaction(
        engine, lambda conn: place_holds(conn, [hold], key, profile.version, stamp)
    )
    return Reservation.from_row(row, explanation)


def prepare_hold(
    engine: Engine,
    flat_id: str,
    household: Household,
    case_ref: str | None,
    profile: ScoringProfile,
    *,
    rankers: RankerCache | None = None,
    override: str | Unchecked | None = UNCHECKED,
) -> tuple[Hold, RankedFlat, str | None]:
    """The hold of a flat for a household, its explained score and the data timestamp, for
    ``place_holds`` in a caller's transaction; 409 when the flat does not fit the household.
    Unless ``override`` is UNCHECKED (a hold whose flat was chosen and checked before, e.g. an
    offer's), a flat outside the household's recommendations needs ``override`` as its
    reason (400 without one); the reason is stored and audited."""
    ranker = ranker_of(rankers, engine, profile)
    held = held_flats(engine)
    explanation = ranker.score_flat(flat_id, household, held=held)
    failed = [c for c in explanation.constraints if not c.passed and c.name != "free"]
    if failed:
        raise Conflict(
            _("flat {flat} does not fit this household: {failed}").format(
                flat=flat_id,
                failed="; ".join(f"{constraint_name(c.name)} ({c.detail})" for c in failed),
            )
        )
    reason = None
    if not isinstance(override, Unchecked):
        best = recommended(ranker, household, profile, held - {flat_id})
        reason = override_reason(flat_id, override, best, profile)
    hold = Hold(
        flat_id=flat_id,
        district_code=explanation.district.code,
        household=household.model_dump(mode="json", exclude={"ref"}),  # a profile, no case ref
        placement_score=explanation.placement_score,
        explanation=explanation.model_dump(mode="json"),
        case_ref=case_ref,
        services=demand(profile, household),
        override_reason=reason,
        audit_detail={"override_reason": reason} if reason else {},
    )
    return hold, explanation, ranker.data_timestamp


def get(engine: Engine, reservation_id: str) -> Reservation:
    """One reservation (404 when unknown)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(R, flat_address(R.c.flat_id)).where(R.c.id == _uuid(reservation_id))
        ).first()
    if row is None:
        raise NotFound(_("there is no reservation {id}").format(id=reservation_id))
    return Reservation.from_row(row)


def _uuid(value: str) -> uuid.UUID:
    """Parse a reservation id (unknown format: 404, as for an unknown id)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(_("there is no reservation {id}").format(id=value)) from None


def apply_transition(
    conn: Connection,
    rid: uuid.UUID,
    action: str,
    key: KeyInfo,
    profile: ScoringProfile,
    reason: str | None = None,
) -> Any:
    """In the caller's transaction: lock the reservation, check the move is allowed (ending a
    placement needs a ``reason``), apply it, refresh the district status when a placement came
    or went, and audit it with the reason."""
    starts, ends, stamp = TRANSITIONS[action]
    current = conn.execute(
        select(R.c.status, R.c.expires_at > func.now()).where(R.c.id == rid).with_for_update()
    ).first()
    if current is None:
        raise NotFound(_("there is no reservation {id}").format(id=rid))
    status, live = current
    if status not in starts or (status == "held" and action == "confirm" and not live):
        state = "expired" if status == "held" and not live else status
        raise Conflict(
            _("reservation {id} is {status}: “{step}” is not possible").format(
                id=rid, status=_(STATUS_WORDS[state]), step=_(STEP_WORDS[action])
            )
        )
    if action == "release" and status == "confirmed" and reason is None:
        raise InputError(
            _("reason: ending a confirmed placement needs a reason, one of {reasons}").format(
                reasons=", ".join(get_args(ReleaseReason))
            ),
            errors=[{"pointer": "/reason", "message": _("required for a confirmed placement")}],
        )
    row = conn.execute(
        update(R)
        .where(R.c.id == rid)
        .values({"status": ends, stamp: func.now()})
        .returning(R, flat_address(R.c.flat_id))
    ).one()
    if "confirmed" in (status, ends):  # the district's placements changed
        districts.refresh(conn, profile)
    record(
        conn,
        action,
        role=key.role,
        key_id=key.id,
        profile_version=profile.version,
        request={"household": row.household, "flat_id": row.flat_id},
        detail={
            "reservation_id": str(rid),
            "from": status,
            "to": ends,
            **({"reason": reason} if reason else {}),
        },
    )
    return row


def transition(
    engine: Engine,
    reservation_id: str,
    action: str,
    key: KeyInfo,
    profile: ScoringProfile,
    reason: str | None = None,
) -> Reservation:
    """Confirm a live hold, or release a hold or (with a reason) a placement; the district
    status follows in the same transaction (serialised with every other writer of it)."""
    rid = _uuid(reservation_id)
    row = in_transaction(
        engine, lambda conn: apply_transition(conn, rid, action, key, profile, reason)
    )
    return Reservation.from_row(row)
