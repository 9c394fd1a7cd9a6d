"""Partners keep their own offers: create, change (optimistic concurrency on the offer's
version), pause, resume, publish and retire, each change versioned and audited; a partner
touching another organisation's offer is refused (403) and the refusal audited."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Literal

from geoalchemy2.shape import from_shape
from pydantic import Field
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from geo_service.audit import record
from geo_service.auth.keys import PARTNER, KeyInfo, acting_organisation
from geo_service.catalogue.versions import Action, diff, record_versions, snapshot
from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.db.transactions import in_transaction
from geo_service.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from geo_service.i18n import N_, _
from geo_service.ingest.record import check_record
from geo_service.ingest.schemas import KINDS
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import Result

OFFERS, LANGS, ORGS = models.offers, models.offer_languages, models.organisations
Status = Literal["draft", "active", "paused", "retired"]
StatusAction = Literal["pause", "resume", "publish", "retire"]
# Statuses and actions in words (the codes stay in URLs and JSON)
STATUS_WORDS = {
    "draft": N_("a draft"),
    "active": N_("published"),
    "paused": N_("paused"),
    "retired": N_("retired"),
}
ACTION_WORDS = {
    "pause": N_("pause"),
    "resume": N_("resume"),
    "publish": N_("publish"),
    "retire": N_("retire"),
}
# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "pause": (frozenset({"active"}), "paused"),
    "resume": (frozenset({"paused"}), "active"),
    "publish": (frozenset({"draft"}), "active"),
    "retire": (frozenset({"draft", "active", "paused"}), "retired"),
}
CONTENT = (
    "name",
    "category",
    "address",
    "languages",
    "opening_hours",
    "capacity_per_week",
    "contact_role",
    "interpreting",
)


class OfferRecord(Result):
    """An offer as its organisation keeps it: content, status, owner and version (ETag)."""

    id: str
    name: str
    category: str
    provider: str
    address: str | None = None
    opening_hours: str | None = None
    capacity_per_week: int | None = None
    contact_role: str | None = None
    interpreting: bool
    languages: list[str] = Field(description="ISO 639 codes.")
    district_code: str | None = None
    lon: float
    lat: float
    status: Status = Field(description="Only 'active' offers are listed, mapped and referred.")
    organisation_id: str | None = Field(None, description="The organisation keeping it.")
    version: int = Field(description="Raised by every change; send it back as If-Match.")
    updated_at: datetime


class _Refused(Exception):
    """The key may not change this offer (raised inside the transaction, audited outside)."""

    def __init__(self, message: str, owner: str | None) -> None:
        super().__init__(message)
        self.message, self.owner = message, owner


def can_edit(key: KeyInfo, owner: str | None) -> bool:
    """Admins edit every offer, partners only their organisation's."""
    return key.role == "admin" or (key.role == PARTNER and owner == key.organisation)


def can_see(key: KeyInfo, status: str, owner: str | None) -> bool:
    """Drafts are seen by their organisation and admins only; other states by every key."""
    return status != "draft" or can_edit(key, owner)


def visible_to(key: KeyInfo | None) -> ColumnElement[bool]:
    """``can_see`` as a condition on the offers table (for listings): drafts only for their
    organisation and admins, other states for every key."""
    if key is not None and key.role == "admin":
        return true()
    if key is not None and key.role == PARTNER and key.organisation is not None:
        return or_(OFFERS.c.status != "draft", OFFERS.c.organisation_id == key.organisation)
    return OFFERS.c.status != "draft"


def read_record(conn: Connection, offer_id: str) -> OfferRecord | None:
    """The offer with status, owner and version, or None."""
    found = snapshot(conn, [offer_id]).get(offer_id)
    if found is None:
        return None
    extra = conn.execute(
        select(OFFERS.c.organisation_id, OFFERS.c.updated_at).where(OFFERS.c.id == offer_id)
    ).one()
    return OfferRecord.model_validate({**found, **extra._mapping})


def _no_offer() -> str:
    """The 404 of an offer the key may not see (not disclosing another's draft)."""
    return _("there is no offer “{offer}” (or it is another organisation's draft)")


def get_offer(engine: Engine, offer_id: str, key: KeyInfo) -> OfferRecord:
    """The offer if the key may see it; 404 otherwise (another organisation's draft is not
    disclosed)."""
    with engine.connect() as conn:
        found = read_record(conn, offer_id)
    if found is None or not can_see(key, found.status, found.organisation_id):
        raise NotFound(_no_offer().format(offer=offer_id))
    return found


def _validated(
    engine: Engine, values: dict[str, Any], profile: ScoringProfile
) -> tuple[dict[str, Any], Any]:
    """The offer's values checked and typed by the importer's rules, and its point."""
    categories = frozenset(profile.offer_category_map())
    record_in = {k: values.get(k) for k in ("id", "provider", *CONTENT)}
    return check_record(
        engine, KINDS["offers"], record_in, values["lon"], values["lat"], categories
    )


def _write(conn: Connection, offer_id: str, row: dict[str, Any], point: Any, srid: int) -> None:
    """Store the offer's content, point and languages (insert or update)."""
    languages = row.pop("languages")
    values = {k: row[k] for k in (*CONTENT, "provider", "district_code") if k != "languages"}
    values["geom"] = from_shape(point, srid=srid)
    exists = conn.execute(select(OFFERS.c.id).where(OFFERS.c.id == offer_id)).first()
    if exists:
        conn.execute(
            update(OFFERS).where(OFFERS.c.id == offer_id).values(**values, updated_at=func.now())
        )
    else:
        conn.execute(insert(OFFERS).values(id=offer_id, **values))
    conn.execute(delete(LANGS).where(LANGS.c.offer_id == offer_id))
    conn.execute(insert(LANGS), [{"offer_id": offer_id, "language": lang} for lang in languages])


def _refused(engine: Engine, key: KeyInfo, offer_id: str, action: str, exc: _Refused) -> Forbidden:
    """Audit a refused change (own transaction, so it stays) and return the 403 to raise."""
    with engine.begin() as conn:
        record(
            conn,
            "offer_change_refused",
            role=key.role,
            key_id=key.id,
            detail={
                "offer_id": offer_id,
                "action": action,
                "key_organisation": key.organisation,
                "offer_organisation": exc.owner,
            },
        )
    return Forbidden(exc.message)


def _finish(
    conn: Connection,
    offer_id: str,
    before: dict[str, Any] | None,
    action: Action,
    key: KeyInfo,
) -> OfferRecord:
    """Raise the version when something changed, record the version and the audit entry."""
    after = snapshot(conn, [offer_id])[offer_id]
    changes = diff(before, after)
    if before is not None and changes:
        conn.execute(
            update(OFFERS).where(OFFERS.c.id == offer_id).values(version=OFFERS.c.version + 1)
        )
    result = read_record(conn, offer_id)
    assert result is not None
    if changes:
        record_versions(
            conn,
            [(offer_id, result.version, changes)],
            action=action,
            source="api",
            key_id=key.id,
            organisation_id=key.organisation,
        )
        record(
            conn,
            f"offer_{action}",
            role=key.role,
            key_id=key.id,
            detail={"offer_id": offer_id, "version": result.version, "fields": sorted(changes)},
        )
    return result


def create_offer(
    engine: Engine,
    values: dict[str, Any],
    key: KeyInfo,
    profile: ScoringProfile,
    organisation: str | None = None,
    status: Literal["draft", "active"] = "active",
) -> OfferRecord:
    """A new offer of the key's organisation (an admin names the organisation), its provider
    the organisation's name; validated as an import validates it."""
    if key.role == PARTNER and organisation not in (None, key.organisation):
        exc = _Refused(
            _("a partner key of “{own}” may only create that organisation's offers").format(
                own=key.organisation
            ),
            organisation,
        )
        raise _refused(engine, key, "(new)", "create", exc)
    with engine.connect() as conn:
        org = acting_organisation(conn, key, organisation, N_("an offer"))
        provider = conn.execute(select(ORGS.c.name).where(ORGS.c.id == org)).scalar_one()
    offer_id = f"{org}-{secrets.token_hex(3)}"
    row, point = _validated(engine, {**values, "id": offer_id, "provider": provider}, profile)
    srid = storage_crs(engine).srid

    def work(conn: Connection) -> OfferRecord:
        _write(conn, offer_id, row, point, srid)
        conn.execute(
            update(OFFERS).where(OFFERS.c.id == offer_id).values(organisation_id=org, status=status)
        )
        return _finish(conn, offer_id, None, "create", key)

    return in_transaction(engine, work)


def _locked(conn: Connection, offer_id: str, key: KeyInfo) -> dict[str, Any]:
    """The offer's current values, row locked; 404 unknown or unseen, _Refused if not the
    key's to change."""
    current = snapshot(conn, [offer_id], lock=True).get(offer_id)
    owner = conn.execute(select(OFFERS.c.organisation_id).where(OFFERS.c.id == offer_id)).scalar()
    if current is None or not can_see(key, current["status"], owner):
        raise NotFound(_no_offer().format(offer=offer_id))
    if not can_edit(key, owner):
        whose = (
            _("the organisation “{owner}”").format(owner=owner)
            if owner
            else _("no partner organisation")
        )
        raise _Refused(
            _(
                "offer “{offer}” is kept by {whose}; a partner key of “{own}” may change only "
                "its own organisation's offers"
            ).format(offer=offer_id, whose=whose, own=key.organisation),
            owner,
        )
    return current


def _check_version(current: dict[str, Any], expected: int | None, offer_id: str) -> None:
    """412 when the client's version (If-Match) is not the current one."""
    if expected is not None and expected != current["version"]:
        raise PreconditionFailed(
            _(
                "offer “{offer}” changed meanwhile: it is at version {version}, the request "
                "names {expected}; read it again (GET) and resend with its ETag"
            ).format(offer=offer_id, version=current["version"], expected=expected)
        )


def update_offer(
    engine: Engine,
    offer_id: str,
    changes: dict[str, Any],
    expected_version: int,
    key: KeyInfo,
    profile: ScoringProfile,
) -> OfferRecord:
    """Change some of the offer's fields if it is still at ``expected_version`` (412
    otherwise); the whole offer is validated as an import validates it."""
    srid = storage_crs(engine).srid

    def work(conn: Connection) -> OfferRecord:
        current = _locked(conn, offer_id, key)
        _check_version(current, expected_version, offer_id)
        if current["status"] == "retired":
            raise Conflict(
                _("offer “{offer}” is retired and cannot change any more").format(offer=offer_id)
            )
        row, point = _validated(engine, {**current, **changes}, profile)
        _write(conn, offer_id, row, point, srid)
        return _finish(conn, offer_id, current, "update", key)

    try:
        return in_transaction(engine, work)
    except _Refused as exc:
        raise _refused(engine, key, offer_id, "update", exc) from None


def change_status(
    engine: Engine,
    offer_id: str,
    action: StatusAction,
    key: KeyInfo,
    expected_version: int | None = None,
) -> OfferRecord:
    """Pause, resume, publish or retire the offer (409 from a state that does not allow it;
    412 if If-Match names an older version)."""
    starts, target = TRANSITIONS[action]

    def work(conn: Connection) -> OfferRecord:
        current = _locked(conn, offer_id, key)
        _check_version(current, expected_version, offer_id)
        status = str(current["status"])
        if status not in starts:
            raise Conflict(
                _("offer “{offer}” is {status}: “{action}” needs it {needed}").format(
                    offer=offer_id,
                    status=_(STATUS_WORDS[status]),
                    action=_(ACTION_WORDS[action]),
                    needed=_(" or ").join(_(STATUS_WORDS[s]) for s in sorted(starts)),
                )
            )
        conn.execute(
            update(OFFERS)
            .where(OFFERS.c.id == offer_id)
            .values(status=target, updated_at=func.now())
        )
        return _finish(conn, offer_id, current, action, key)

    try:
        return in_transaction(engine, work)
    except _Refused as exc:
        raise _refused(engine, key, offer_id, action, exc) from None
