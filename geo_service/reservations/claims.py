"""Who has a claim on a flat: a hold (until it lapses), a confirmed placement, or an offer to a
waiting household (until it is declined or lapses, ``offer_hold_days`` after it was made).

One notion for everyone who asks: the rankers' held flats, a new hold, a new offer and the flat
route all read it here. Writers lock the flats' rows first (in id order, so concurrent callers
never deadlock), so a hold and an offer of the same flat cannot both pass their checks.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Column, ColumnElement, Connection, and_, func, select, update

from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.errors import Conflict
from geo_service.i18n import N_, _, formats

R, W, F = models.reservations, models.waiting_list, models.flats
Kind = Literal["held", "confirmed", "offered"]
# A claim in words (the message catalogue's English source texts; no personal data).
WORDS: dict[Kind, str] = {
    "confirmed": N_("flat {flat} is taken: a placement is confirmed (reservation {rid})"),
    "held": N_(
        "flat {flat} is held until {until} (reservation {rid}); it is free again when the "
        "hold is released or lapses"
    ),
    "offered": N_(
        "flat {flat} is offered to a waiting household until {until} (waiting-list entry "
        "{entry}): reserve it for that household (POST /api/v1/waiting-list/{entry}/reserve) "
        "or decline the offer first"
    ),
}
TAKEN = N_("flat {flat} is already held or confirmed")


def offer_lifetime() -> timedelta:
    """How long an offer to a waiting household protects its flat (settings)."""
    return timedelta(days=get_settings().offer_hold_days)


def live_offer() -> ColumnElement[bool]:
    """Condition on the waiting list: offered, and the offer has not lapsed."""
    return and_(W.c.status == "offered", W.c.offered_at > func.now() - offer_lifetime())


def live_hold() -> ColumnElement[bool]:
    """Condition on reservations: confirmed, or held and not lapsed."""
    return (R.c.status == "confirmed") | ((R.c.status == "held") & (R.c.expires_at > func.now()))


def when(moment: datetime) -> str:
    """A moment as people read it: the city's local time, to the minute ("13.12.2026, 14:30")."""
    return formats.moment(moment.astimezone(ZoneInfo(get_settings().timezone)))


@dataclass(frozen=True)
class Claim:
    """One claim on a flat: what kind, until when (None: a placement), whose (ids only)."""

    flat_id: str
    kind: Kind
    until: datetime | None
    reservation_id: str | None = None
    entry_id: str | None = None

    def words(self) -> str:
        """The claim in words, without personal data."""
        until = when(self.until) if self.until else ""
        return _(WORDS[self.kind]).format(
            flat=self.flat_id, until=until, rid=self.reservation_id, entry=self.entry_id
        )


class FlatTaken(Conflict):
    """A flat is held, placed or offered to another household (nothing of the transaction
    stays); the message says by what and until when."""

    def __init__(self, claim: Claim | str) -> None:
        """Name the flat and its claim (only the flat when the claim is not known)."""
        if isinstance(claim, Claim):
            super().__init__(claim.words())
            self.flat_id = claim.flat_id
        else:
            super().__init__(_(TAKEN).format(flat=claim))
            self.flat_id = claim


def read_claims(conn: Connection, flat_ids: list[str] | None = None) -> list[Claim]:
    """The live claims on ``flat_ids`` (all flats when None), holds before offers."""
    holds = select(R.c.flat_id, R.c.status, R.c.expires_at, R.c.id).where(live_hold())
    offers = select(W.c.flat_id, W.c.offered_at, W.c.id).where(live_offer())
    if flat_ids is not None:
        holds = holds.where(R.c.flat_id.in_(flat_ids))
        offers = offers.where(W.c.flat_id.in_(flat_ids))
    found = [
        Claim(
            flat,
            "confirmed" if status == "confirmed" else "held",
            None if status == "confirmed" else expires,
            reservation_id=str(rid),
        )
        for flat, status, expires, rid in conn.execute(holds.order_by(R.c.flat_id))
    ]
    life = offer_lifetime()
    found += [
        Claim(flat, "offered", offered + life, entry_id=str(eid))
        for flat, offered, eid in conn.execute(offers.order_by(W.c.flat_id))
    ]
    return found


def lock_flats(conn: Connection, flat_ids: list[str]) -> None:
    """Lock the flats' rows until the transaction ends, in id order (FOR NO KEY UPDATE: holds
    and offers of a flat wait for each other; readers and foreign keys do not)."""
    conn.execute(
        select(F.c.id)
        .where(F.c.id.in_(sorted(set(flat_ids))))
        .order_by(F.c.id)
        .with_for_update(key_share=True)
    ).all()


def check_free(conn: Connection, owners: dict[str, Any]) -> None:
    """FlatTaken for the first flat of ``owners`` (flat id -> the waiting-list entry it is
    taken for, or None) with a claim, other than an offer to that entry. Call with the flats
    locked."""
    for claim in read_claims(conn, sorted(owners)):
        owner = owners[claim.flat_id]
        if not (claim.kind == "offered" and owner is not None and claim.entry_id == str(owner)):
            raise FlatTaken(claim)


def lapse_offers(
    conn: Connection,
    flat_ids: list[str],
    key: KeyInfo | None,
    profile_version: str,
    keep: Collection[Any] = (),
) -> list[str]:
    """Send the households whose offer of one of ``flat_ids`` lapsed back to waiting (but the
    entries ``keep``, which are taking their flat now) and audit each; their entry ids."""
    lapsed = and_(
        W.c.flat_id.in_(flat_ids),
        W.c.status == "offered",
        W.c.offered_at <= func.now() - offer_lifetime(),
    )
    if keep:
        lapsed = and_(lapsed, W.c.id.not_in(list(keep)))
    rows = conn.execute(
        select(W.c.id, W.c.flat_id, W.c.offered_at).where(lapsed).with_for_update()
    ).all()
    if not rows:
        return []
    conn.execute(
        update(W)
        .where(W.c.id.in_([r.id for r in rows]), W.c.status == "offered")
        .values(status="waiting", flat_id=None, override_reason=None, status_changed_at=func.now())
    )
    for entry_id, flat_id, offered_at in rows:
        record(
            conn,
            "waiting_list.lapse",
            role=key.role if key else "cli",
            key_id=key.id if key else None,
            profile_version=profile_version,
            request={"entry_id": str(entry_id), "flat_id": flat_id},
            detail={"offered_at": offered_at.isoformat(), "days": offer_lifetime().days},
        )
    return [str(r.id) for r in rows]


def flat_address(flat_id: Column[Any]) -> Any:
    """The address of the flat ``flat_id`` names, as a column (``flat_address``) for selects
    and UPDATE ... RETURNING of tables that refer to flats (SQLAlchemy does not correlate it
    in an INSERT's RETURNING)."""
    found = select(F.c.address).where(F.c.id == flat_id).correlate(flat_id.table)
    return found.scalar_subquery().label("flat_address")
