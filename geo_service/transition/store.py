"""The waiting list in PostGIS: add, read, and move households through their statuses.

waiting -> offered -> reserved -> moved, or withdrawn (from any open status); an offer or a
hold that falls through goes back to waiting (decline). "reserved" is a flat hold of the
reservation service and "moved" its confirmation, so district utilisation follows. Every
change is one conditional UPDATE (concurrent calls cannot both pass), made in one transaction
with the hold, confirmation or release it implies and with its audit entry, so an error leaves
nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.db import models
from geo_service.db.transactions import in_transaction
from geo_service.errors import Conflict, InputError, NotFound
from geo_service.i18n import N_, _
from geo_service.i18n.formats import day
from geo_service.reservations import service as reservations
from geo_service.reservations.claims import (
    check_free,
    flat_address,
    lapse_offers,
    lock_flats,
    offer_lifetime,
)
from geo_service.reservations.holds import case_ref_hash, place_holds
from geo_service.scoring.explain import constraint_name
from geo_service.scoring.household import Household, parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.transition.schemas import NewEntry, WaitingEntry, WaitingListPage

W = models.waiting_list
R = models.reservations
OPEN = ("waiting", "offered", "reserved")
# action -> (statuses it starts from, status it ends in)
STEPS = {
    "offer": (("waiting",), "offered"),
    "reserve": (("offered",), "reserved"),
    "move": (("reserved",), "moved"),
    "decline": (("offered", "reserved"), "waiting"),
    "withdraw": (OPEN, "withdrawn"),
}
# Statuses and steps in words (the codes stay in URLs and JSON)
STATUS_WORDS = {
    "waiting": N_("waiting"),
    "offered": N_("offered"),
    "reserved": N_("reserved"),
    "moved": N_("moved in"),
    "withdrawn": N_("withdrawn"),
}
STEP_WORDS = {
    "offer": N_("offer a flat"),
    "reserve": N_("reserve the flat"),
    "move": N_("confirm the move"),
    "decline": N_("decline"),
    "withdraw": N_("withdraw"),
}
STAMP = {"offered": "offered_at", "reserved": "reserved_at", "moved": "moved_at"}
STAMP["withdrawn"] = "withdrawn_at"


def cli_caller() -> KeyInfo:
    """The identity of the command line in holds and the audit log (no API key: id None)."""
    return KeyInfo(id=cast(str, None), name="command line", role="cli")


def planning_household(household: Household, profile: ScoringProfile) -> Household:
    """The household as planned today: it can move from its move-in date or today, whichever
    is later, and takes a flat that comes free within the profile's hold window after that."""
    start = max(household.move_in, date.today())
    days = timedelta(days=profile.transition_rules.flat_hold_days)
    return household.model_copy(update={"move_in": start + days})


def _entry_id(value: str) -> uuid.UUID:
    """Parse an entry id (a malformed one is unknown: 404)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(_("there is no waiting-list entry {entry}").format(entry=value)) from None


def _select() -> Any:
    """Entries with the expiry and status of their hold and their flat's address."""
    return select(
        W,
        R.c.expires_at.label("hold_expires_at"),
        R.c.status.label("hold_status"),
        flat_address(W.c.flat_id),
    ).join(R, R.c.id == W.c.reservation_id, isouter=True)


def _public(row: Any, today: date | None = None) -> WaitingEntry:
    """An entry as returned to clients (never the case reference or its hash)."""
    today = today or date.today()
    end = row.moved_at or row.withdrawn_at
    last = end.date() if end else today
    now = datetime.now(UTC)
    lapsed = row.hold_status != "held" or row.hold_expires_at <= now
    expired = row.status == "reserved" and row.hold_status != "confirmed" and lapsed
    offer_ends = row.offered_at + offer_lifetime() if row.status == "offered" else None
    return WaitingEntry(
        id=str(row.id),
        household=Household.model_validate(row.household),
        status=row.status,
        entered_on=row.entered_on,
        days_waiting=max(0, (last - row.entered_on).days),
        accommodation_unit=row.accommodation_unit,
        unit_district=row.unit_district,
        flat_id=row.flat_id,
        override_reason=row.override_reason,
        flat_address=row.flat_address,
        offer_expires_at=offer_ends,
        offer_expired=offer_ends is not None and offer_ends <= now,
        reservation_id=str(row.reservation_id) if row.reservation_id else None,
        hold_expires_at=row.hold_expires_at if row.status == "reserved" else None,
        hold_expired=bool(expired),
        created_at=row.created_at,
        status_changed_at=row.status_changed_at,
        offered_at=row.offered_at,
        reserved_at=row.reserved_at,
        moved_at=row.moved_at,
        withdrawn_at=row.withdrawn_at,
        next_steps=[a for a, (start, _) in STEPS.items() if row.status in start],
    )


def _read(conn: Connection, entry_id: uuid.UUID) -> Any:
    """One entry row (404 when unknown)."""
    row = conn.execute(_select().where(W.c.id == entry_id)).first()
    if row is None:
        raise NotFound(f"no waiting-list entry {entry_id}")
    return row


def _audit(
    conn: Connection, action: str, key: KeyInfo, profile: ScoringProfile, **detail: Any
) -> None:
    """One audit entry for a waiting-list change (never the case reference)."""
    record(
        conn,
        f"waiting_list.{action}",
        role=key.role,
        key_id=key.id,
        profile_version=profile.version,
        request={k: v for k, v in detail.items() if k in ("entry_id", "flat_id", "reason")},
        detail={k: v for k, v in detail.items() if k not in ("entry_id", "flat_id", "reason")},
    )


def add(engine: Engine, new: NewEntry, key: KeyInfo, profile: ScoringProfile) -> WaitingEntry:
    """Put a household on the waiting list (409 when its case reference is already there)."""
    household = parse_household(new.household.model_dump(mode="json"), profile)
    entered = new.entered_on or date.today()
    if entered > date.today():
        raise InputError(_("entered_on {date} lies in the future").format(date=day(entered)))
    values = {
        "case_ref_hash": case_ref_hash(new.case_ref),
        "household": household.model_dump(mode="json"),
        "entered_on": entered,
        "accommodation_unit": new.accommodation_unit,
        "unit_district": new.unit_district,
    }
    try:
        with engine.begin() as conn:
            if new.unit_district is not None:
                known = conn.execute(
                    select(models.districts.c.code).where(
                        models.districts.c.code == new.unit_district
                    )
                ).first()
                if known is None:
                    raise InputError(
                        _("unit_district: unknown district code “{code}”").format(
                            code=new.unit_district
                        )
                    )
            entry_id = conn.execute(insert(W).values(**values).returning(W.c.id)).scalar_one()
            _audit(
                conn,
                "add",
                key,
                profile,
                entry_id=str(entry_id),
                household=values["household"],
                entered_on=entered.isoformat(),
            )
            return _public(_read(conn, entry_id))
    except IntegrityError:
        raise Conflict(_("this case reference is already on the waiting list")) from None


def get(engine: Engine, entry_id: str) -> WaitingEntry:
    """One entry (404 when unknown)."""
    with engine.connect() as conn:
        return _public(_read(conn, _entry_id(entry_id)))


def lookup(engine: Engine, case_ref: str) -> WaitingEntry:
    """The entry of a case reference (404 when it is not on the list)."""
    with engine.connect() as conn:
        row = conn.execute(_select().where(W.c.case_ref_hash == case_ref_hash(case_ref))).first()
    if row is None:
        raise NotFound(_("no waiting-list entry has this case reference"))
    return _public(row)


def page(
    engine: Engine, status: str | None = None, limit: int = 100, offset: int = 0
) -> WaitingListPage:
    """Entries, longest waiting first (then by id), optionally of one status."""
    where = [W.c.status == status] if status else []
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(W).where(*where)).scalar_one()
        rows = conn.execute(
            _select().where(*where).order_by(W.c.entered_on, W.c.id).limit(limit).offset(offset)
        ).all()
    return WaitingListPage(
        total=total, limit=limit, offset=offset, items=[_public(r) for r in rows]
    )


def _refuse(entry_id: uuid.UUID, status: str, action: str) -> Conflict:
    """The 409 for a transition out of order, saying what is possible instead."""
    if status == "withdrawn" and action == "withdraw":
        return Conflict(_("entry {entry} is already withdrawn").format(entry=entry_id))
    start, _end = STEPS[action]
    allowed = [_(STEP_WORDS[a]) for a, (s, _to) in STEPS.items() if status in s]
    then = (
        _("possible now: {steps}").format(steps=", ".join(allowed))
        if allowed
        else _("nothing more can be done with it")
    )
    return Conflict(
        _(
            "entry {entry} has the status “{status}”: “{step}” is possible only in the status "
            "{needed}; {then}"
        ).format(
            entry=entry_id,
            status=_(STATUS_WORDS[status]),
            step=_(STEP_WORDS[action]),
            needed=_(" or ").join(_("“{status}”").format(status=_(STATUS_WORDS[s])) for s in start),
            then=then,
        )
    )


def _step(
    conn: Connection, entry_id: uuid.UUID, action: str, values: dict[str, Any], **guard: Any
) -> Any:
    """Apply one transition with a conditional UPDATE; 404/409 when it does not apply."""
    start, end = STEPS[action]
    stamps = {STAMP[end]: func.now()} if end in STAMP else {}
    conds = [W.c.id == entry_id, W.c.status.in_(start)]
    conds += [W.c[k] == v for k, v in guard.items()]
    row = conn.execute(
        update(W)
        .where(*conds)
        .values(status=end, status_changed_at=func.now(), **stamps, **values)
        .returning(W)
    ).first()
    if row is None:
        current = conn.execute(select(W.c.status).where(W.c.id == entry_id)).scalar()
        if current is None:
            raise NotFound(_("there is no waiting-list entry {entry}").format(entry=entry_id))
        raise _refuse(entry_id, current, action)
    return row


def offer(
    engine: Engine,
    entry_id: str,
    flat_id: str,
    key: KeyInfo,
    profile: ScoringProfile,
    *,
    rankers: RankerCache | None = None,
    override: Callable[[WaitingEntry], str | None] | None = None,
) -> WaitingEntry:
    """Offer a free flat that fits the household; the offer holds the flat for it until it is
    declined or lapses (``offer_hold_days``). 409: held, placed or offered to another
    household (saying until when), not fitting, or in a district at its cap.
    ``override(entry)``, called once the flat fits, gives the reason a flat outside the
    recommendations needs (or raises 400), stored with the offer and audited."""
    eid = _entry_id(entry_id)
    current = get(engine, entry_id)
    if current.status != "waiting":
        raise _refuse(eid, current.status, "offer")
    ranker = ranker_of(rankers, engine, profile)
    household = planning_household(current.household, profile)
    explanation = ranker.score_flat(flat_id, household, held=set())
    failed = [c for c in explanation.constraints if not c.passed and c.name != "free"]
    if not ranker.on_offer[ranker.position[flat_id]]:
        raise Conflict(_("flat {flat} is no longer on offer").format(flat=flat_id))
    if failed:
        raise Conflict(
            _("flat {flat} does not fit this household: {failed}").format(
                flat=flat_id,
                failed="; ".join(f"{constraint_name(c.name)} ({c.detail})" for c in failed),
            )
        )
    district = explanation.district
    if district.factor <= 0:
        raise Conflict(
            _("flat {flat} lies in {district}, which has reached its quota").format(
                flat=flat_id, district=district.name
            )
        )
    reason = override(current) if override else None

    def work(conn: Connection) -> WaitingEntry:
        lock_flats(conn, [flat_id])
        lapse_offers(conn, [flat_id], key, profile.version)
        check_free(conn, {flat_id: None})
        _step(conn, eid, "offer", {"flat_id": flat_id, "override_reason": reason})
        _audit(
            conn,
            "offer",
            key,
            profile,
            entry_id=str(eid),
            flat_id=flat_id,
            placement_score=explanation.placement_score,
            until=(datetime.now(UTC) + offer_lifetime()).isoformat(timespec="seconds"),
            **({"override_reason": reason} if reason else {}),
        )
        return _public(_read(conn, eid))

    try:
        return in_transaction(engine, work)
    except IntegrityError:  # the unique index: another household holds it through the list
        raise Conflict(
            _("flat {flat} is already offered to another household").format(flat=flat_id)
        ) from None


def reserve(
    engine: Engine,
    entry_id: str,
    key: KeyInfo,
    profile: ScoringProfile,
    *,
    rankers: RankerCache | None = None,
) -> WaitingEntry:
    """Hold the offered flat for the household: the reservation service's hold and the step
    in one transaction (409 and nothing held when the entry or the flat changed meanwhile)."""
    eid = _entry_id(entry_id)
    current = get(engine, entry_id)
    if current.status != "offered" or current.flat_id is None:
        raise _refuse(eid, current.status, "reserve")
    flat_id = current.flat_id
    household = planning_household(current.household, profile)
    hold, _, stamp = reservations.prepare_hold(
        engine, flat_id, household, None, profile, rankers=rankers
    )
    # the flat is offered to this household: its own hold (with the offer's override reason)
    hold = replace(hold, entry_id=eid, override_reason=current.override_reason)

    def work(conn: Connection) -> WaitingEntry:
        (row,) = place_holds(conn, [hold], key, profile.version, stamp)
        _step(conn, eid, "reserve", {"reservation_id": row.id}, flat_id=flat_id)
        _audit(
            conn,
            "reserve",
            key,
            profile,
            entry_id=str(eid),
            flat_id=flat_id,
            reservation_id=str(row.id),
        )
        return _public(_read(conn, eid))

    return in_transaction(engine, work)


def move(engine: Engine, entry_id: str, key: KeyInfo, profile: ScoringProfile) -> WaitingEntry:
    """The household moves in: the step and the hold's confirmation (the district's
    utilisation follows) in one transaction; 409 and nothing changed when the hold lapsed."""
    eid = _entry_id(entry_id)
    current = get(engine, entry_id)
    if current.status != "reserved" or current.reservation_id is None:
        raise _refuse(eid, current.status, "move")
    rid = uuid.UUID(current.reservation_id)

    def work(conn: Connection) -> WaitingEntry:
        _step(conn, eid, "move", {}, reservation_id=rid)
        reservations.apply_transition(conn, rid, "confirm", key, profile)
        _audit(conn, "move", key, profile, entry_id=str(eid), flat_id=current.flat_id)
        return _public(_read(conn, eid))

    return in_transaction(engine, work)


def _close(
    engine: Engine, entry_id: str, action: str, reason: str, key: KeyInfo, profile: ScoringProfile
) -> WaitingEntry:
    """Decline (back to waiting) or withdraw; a hold the entry still has is released in the
    same transaction."""
    eid = _entry_id(entry_id)

    def work(conn: Connection) -> WaitingEntry:
        before = conn.execute(
            select(W.c.status, W.c.flat_id, W.c.reservation_id)
            .where(W.c.id == eid)
            .with_for_update()
        ).first()
        if before is None:
            raise NotFound(_("there is no waiting-list entry {entry}").format(entry=eid))
        _step(conn, eid, action, {"flat_id": None, "reservation_id": None, "override_reason": None})
        rid = before.reservation_id
        if rid is not None and _hold_status(conn, rid) in ("held", "confirmed"):
            reservations.apply_transition(conn, rid, "release", key, profile, f"{action}:{reason}")
        _audit(
            conn,
            action,
            key,
            profile,
            entry_id=str(eid),
            flat_id=before.flat_id,
            reason=reason,
            was=before.status,
            reservation_id=str(rid) if rid else None,
        )
        return _public(_read(conn, eid))

    return in_transaction(engine, work)


def _hold_status(conn: Connection, reservation_id: uuid.UUID) -> str | None:
    """The stored status of a reservation (held, confirmed, released or expired)."""
    return conn.execute(select(R.c.status).where(R.c.id == reservation_id)).scalar()


def decline(
    engine: Engine, entry_id: str, reason: str, key: KeyInfo, profile: ScoringProfile
) -> WaitingEntry:
    """The offer or hold fell through: the household waits again (a hold is released)."""
    return _close(engine, entry_id, "decline", reason, key, profile)


def withdraw(
    engine: Engine, entry_id: str, reason: str, key: KeyInfo, profile: ScoringProfile
) -> WaitingEntry:
    """The household leaves the list (409 when it has moved or was withdrawn already)."""
    return _close(engine, entry_id, "withdraw", reason, key, profile)


def filtered_page(
    engine: Engine,
    *,
    statuses: list[str] | None = None,
    district: str | None = None,
    size: tuple[int, int | None] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> WaitingListPage:
    """Entries, longest waiting first, of some statuses, whose accommodation unit lies in a
    district, of a household size (``(least, most)``, ``most`` None: or more)."""
    where: list[ColumnElement[bool]] = []
    if statuses:
        where.append(W.c.status.in_(statuses))
    if district:
        where.append(W.c.unit_district == district)
    if size is not None:
        persons = W.c.household["size"].as_integer()
        where.append(persons >= size[0])
        if size[1] is not None:
            where.append(persons <= size[1])
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(W).where(*where)).scalar_one()
        rows = conn.execute(
            _select().where(*where).order_by(W.c.entered_on, W.c.id).limit(limit).offset(offset)
        ).all()
    return WaitingListPage(
        total=total, limit=limit, offset=offset, items=[_public(r) for r in rows]
    )


def holds_due(engine: Engine, before: datetime) -> list[WaitingEntry]:
    """Reserved entries whose hold lapses before ``before`` (or has lapsed), soonest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            _select()
            .where(W.c.status == "reserved", R.c.expires_at < before)
            .order_by(R.c.expires_at, W.c.id)
        ).all()
    return [_public(r) for r in rows]
