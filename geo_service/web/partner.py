"""``/angebote``: a partner organisation keeps its offers: the list (drafts and paused ones
included), create and change them with German labels, the address turned into a point by the
local geocoder and shown on a map to check, pause, resume, publish and end them, the version
history; an edit that crosses another person's is shown beside it, not lost.

Built on the catalogue's editing service (optimistic concurrency on the offer's version)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from geo_service.api.deps import profile
from geo_service.auth.keys import PARTNER
from geo_service.auth.sessions import Session
from geo_service.catalogue import editing
from geo_service.catalogue.editing import OfferRecord
from geo_service.catalogue.versions import FIELDS, history, snapshot
from geo_service.db import models
from geo_service.errors import Conflict, Forbidden, GeoServiceError, NotFound, PreconditionFailed
from geo_service.geocoding import Candidate, address_at, search
from geo_service.i18n import N_, _
from geo_service.i18n.http import page_language
from geo_service.i18n.languages import language_name, suggest_language
from geo_service.scoring.profile import ScoringProfile
from geo_service.web import words
from geo_service.web.minimap import point_map
from geo_service.web.render import page
from geo_service.web.session import Form, session_form, signed_in

router = APIRouter(tags=["workspace"], dependencies=[Depends(page_language)])
# The languages every form offers to tick (the city's common ones); others can be typed
COMMON_LANGUAGES = ("de", "en", "ar", "fa", "prs", "ps", "uk", "ru", "tr", "ku", "ti", "so", "fr")
DONE = {
    "created": N_("The offer has been saved."),
    "changed": N_("Your changes have been saved."),
    "pause": N_("The offer is paused: it is no longer shown or referred until you resume it."),
    "resume": N_("The offer is published again."),
    "publish": N_("The offer is published: it is shown on maps and referral sheets."),
    "retire": N_("The offer has ended. It stays in the history."),
}
Done = Literal["created", "changed", "pause", "resume", "publish", "retire"]
STATUS_ACTIONS = {
    "pause": N_("Pause"),
    "resume": N_("Resume"),
    "publish": N_("Publish"),
    "retire": N_("End the offer"),
}


def partner(request: Request) -> Session:
    """A partner organisation's session (403 for other roles)."""
    found = signed_in(request)
    if found.key.role != PARTNER:
        raise Forbidden(_("these pages are for the partner organisations"))
    return found


Partner = Annotated[Session, Depends(partner)]
Profile = Annotated[ScoringProfile, Depends(profile)]


def engine_of(request: Request) -> Engine:
    """The app's engine."""
    return request.app.state.engine


def categories(prof: ScoringProfile) -> list[tuple[str, str]]:
    """The offer categories (code, German label), by label."""
    lab = words.labels(prof)
    return sorted(((c, lab.category(c)) for c in prof.offer_category_map()), key=lambda x: x[1])


def language_choices(engine: Engine, chosen: list[str]) -> list[tuple[str, str]]:
    """The languages to tick: the common ones, those the catalogue uses, those chosen."""
    with engine.connect() as conn:
        used = conn.execute(select(models.offer_languages.c.language).distinct()).scalars()
        codes = {*COMMON_LANGUAGES, *used, *chosen}
    return sorted(((c, language_name(c)) for c in codes), key=lambda x: x[1])


def own_offers(engine: Engine, organisation: str) -> list[OfferRecord]:
    """Every offer of the organisation, drafts, paused and ended ones included, by name."""
    o = models.offers
    with engine.connect() as conn:
        ids = conn.execute(select(o.c.id).where(o.c.organisation_id == organisation)).scalars()
        values = snapshot(conn, list(ids))
        extra = {
            r.id: r
            for r in conn.execute(
                select(o.c.id, o.c.organisation_id, o.c.updated_at).where(o.c.id.in_(values))
            )
        }
    records = [
        OfferRecord.model_validate(
            {**v, "organisation_id": extra[i].organisation_id, "updated_at": extra[i].updated_at}
        )
        for i, v in values.items()
    ]
    return sorted(records, key=lambda r: (r.status == "retired", r.name.casefold()))


def mine(engine: Engine, session: Session, offer_id: str) -> OfferRecord:
    """The offer if it is the session's organisation's (404 otherwise, as the API)."""
    found = editing.get_offer(engine, offer_id, session.key)
    if found.organisation_id != session.key.organisation:
        raise NotFound(_("your organisation has no offer {id}").format(id=offer_id))
    return found


@dataclass
class OfferForm:
    """A filled-in offer form: the raw fields, what they mean, and what is wrong."""

    fields: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    location: Candidate | None = None
    lon: float | None = None
    lat: float | None = None

    def values(self) -> dict[str, Any]:
        """The offer's values for the editing service."""
        f = self.fields
        return {
            "name": f["name"],
            "category": f["category"],
            "languages": f["languages"],
            "address": f["address"] or None,
            "opening_hours": f["opening_hours"] or None,
            "capacity_per_week": int(f["capacity_per_week"]) if f["capacity_per_week"] else None,
            "contact_role": f["contact_role"] or None,
            "interpreting": f["interpreting"],
            "lon": self.lon,
            "lat": self.lat,
        }


def record_fields(record: OfferRecord) -> dict[str, Any]:
    """A stored offer as the form's fields."""
    return {
        "name": record.name,
        "category": record.category,
        "languages": list(record.languages),
        "more_languages": "",
        "address": record.address or "",
        "address_id": "",
        "opening_hours": record.opening_hours or "",
        "capacity_per_week": ""
        if record.capacity_per_week is None
        else str(record.capacity_per_week),
        "contact_role": record.contact_role or "",
        "interpreting": record.interpreting,
        "lon": f"{record.lon:.6f}",
        "lat": f"{record.lat:.6f}",
        "address_was": record.address or "",
        "was": placed(record.address or "", f"{record.lon:.6f}", f"{record.lat:.6f}"),
    }


def empty_fields() -> dict[str, Any]:
    """The fields of a new offer's form."""
    return {
        "name": "",
        "category": "",
        "languages": ["de"],
        "more_languages": "",
        "address": "",
        "address_id": "",
        "opening_hours": "",
        "capacity_per_week": "",
        "contact_role": "",
        "interpreting": False,
        "lon": "",
        "lat": "",
        "address_was": "",
        "was": "",
    }


def read_offer_form(engine: Engine, form: Form, prof: ScoringProfile) -> OfferForm:
    """The submitted fields checked for what a person can get wrong (in German), and the
    point: the address chosen from the candidates, the address found for sure, or the
    coordinates given by hand."""
    fields: dict[str, Any] = {
        "name": form.get("name")[:200],
        "category": form.get("category"),
        "languages": form.all("languages"),
        "more_languages": form.get("more_languages")[:200],
        "address": form.get("address")[:200],
        "address_id": form.get("address_id"),
        "address_choice": form.get("address_choice"),
        "address_was": form.get("address_was")[:200],
        "was": form.get("was")[:300],
        "opening_hours": form.get("opening_hours")[:200],
        "capacity_per_week": form.get("capacity_per_week"),
        "contact_role": form.get("contact_role")[:200],
        "interpreting": form.get("interpreting") == "yes",
        "lon": form.get("lon"),
        "lat": form.get("lat"),
    }
    out = OfferForm(fields)
    if not fields["name"]:
        out.errors["name"] = _("Please give the offer's name.")
    if fields["category"] not in prof.offer_category_map():
        out.errors["category"] = _("Please choose what kind of offer it is.")
    for typed in (t.strip() for t in fields["more_languages"].split(",")):
        if not typed:
            continue
        code = suggest_language(typed)
        if code is None:
            out.errors["more_languages"] = _("“{typed}” is not a language we know.").format(
                typed=typed
            )
        elif code not in fields["languages"]:
            fields["languages"].append(code)
    if not fields["languages"]:
        out.errors["languages"] = _("Please tick at least one language the offer is given in.")
    capacity = fields["capacity_per_week"]
    if capacity and (not capacity.isdigit() or int(capacity) > 100_000):
        out.errors["capacity_per_week"] = _("Please give a whole number of places (0 or more).")
    locate(engine, out)
    return out


def locate(engine: Engine, out: OfferForm) -> None:
    """Set the form's point (see ``read_offer_form``), or say why there is none."""
    f = out.fields
    chosen = f.pop("address_choice", "")
    kept = address_at(engine, int(f["address_id"])) if f["address_id"].isdigit() else None
    if chosen.isdigit():
        out.location = address_at(engine, int(chosen))
    elif kept is not None and kept.label == f["address"]:
        out.location = kept  # found before and not changed since
    elif f["address"]:
        found = search(engine, f["address"])
        out.location, out.candidates = found.sure, found.candidates
    if out.location is not None:
        out.lon, out.lat = out.location.lon, out.location.lat
        f["address"] = out.location.label
        f["address_id"] = str(out.location.id)
        f["lon"], f["lat"] = f"{out.lon:.6f}", f"{out.lat:.6f}"
        return
    lon, lat = number(f["lon"]), number(f["lat"])
    # a new address that was not found must not keep the old point
    stale = f["was"] == placed(f["address_was"], f["lon"], f["lat"]) and (
        f["address"] != f["address_was"]
    )
    valid = lon is not None and lat is not None and -180 <= lon <= 180 and -90 <= lat <= 90
    if valid and not stale:
        out.lon, out.lat = lon, lat
        return
    if out.candidates:
        out.errors["address"] = _(
            "Several addresses may be meant: please choose one below, or write it more exactly."
        )
    elif f["address"]:
        out.errors["address"] = _(
            "This address is not in the city's address list. Please check the street and "
            "number, or give the location by hand below."
        )
    else:
        out.errors["address"] = _("Please give the address where the offer takes place.")


def placed(address: str, lon: str, lat: str) -> str:
    """The stored address and point a form started from, as one hidden value."""
    return f"{address}|{lon}|{lat}"


def number(text: str) -> float | None:
    """A decimal number typed with a point or a comma, or None."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def service_errors(exc: GeoServiceError, out: OfferForm) -> None:
    """The editing service's objections attached to the form's fields."""
    for problem in exc.errors or []:
        name = str(problem.get("pointer", "")).lstrip("/")
        name = "address" if name in ("lon/lat", "lon", "lat") else name
        if name not in out.fields:
            name = "name"
        out.errors.setdefault(name, str(problem.get("message", "")))
    if not exc.errors:
        out.errors.setdefault("name", str(exc.message))


def show_form(
    request: Request,
    session: Session,
    prof: ScoringProfile,
    out: OfferForm,
    *,
    offer: OfferRecord | None = None,
    version: int | None = None,
    conflict: list[tuple[str, str, str]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The create or edit form, with the map of the point found and the errors."""
    engine = engine_of(request)
    checked = (
        point_map(engine, out.lon, out.lat) if out.lon is not None and out.lat is not None else None
    )
    return page(
        request,
        "offer_form.html.j2",
        session,
        status=status,
        offer=offer,
        version=version,
        f=out.fields,
        errors=out.errors,
        candidates=out.candidates,
        located=out.location,
        checked=checked,
        conflict=conflict or [],
        categories=categories(prof),
        language_choices=language_choices(engine, out.fields["languages"]),
    )


@router.get("/angebote", include_in_schema=False, response_class=HTMLResponse)
def offers_page(
    request: Request,
    session: Partner,
    prof: Profile,
    done: Annotated[Done | None, Query(description="What was just done (a code).")] = None,
) -> HTMLResponse:
    """The organisation's offers, every state."""
    engine = engine_of(request)
    offers = own_offers(engine, str(session.key.organisation))
    return page(
        request,
        "offers.html.j2",
        session,
        offers=offers,
        done=_(DONE[done]) if done else "",
        category=words.labels(prof).category,
        languages=words.languages,
        states=words.OFFER_STATES,
        districts=words.district_names(engine),
    )


@router.get("/angebote/neu", include_in_schema=False, response_class=HTMLResponse)
def new_offer_page(request: Request, session: Partner, prof: Profile) -> HTMLResponse:
    """An empty form for a new offer."""
    return show_form(request, session, prof, OfferForm(empty_fields()))


@router.post("/angebote/neu", include_in_schema=False, response_class=HTMLResponse)
async def create_offer(request: Request, session: Partner, prof: Profile) -> Response:
    """Check the location (``step=check``) or save the offer as a draft or published."""
    form = await session_form(request, session)
    engine = engine_of(request)
    out = await run_in_threadpool(read_offer_form, engine, form, prof)
    step = form.get("step")
    if step == "check" or out.errors:
        return show_form(request, session, prof, out, status=200 if step == "check" else 400)
    state: Literal["draft", "active"] = "active" if step == "publish" else "draft"
    try:
        made = await run_in_threadpool(
            editing.create_offer, engine, out.values(), session.key, prof, None, state
        )
    except GeoServiceError as exc:
        service_errors(exc, out)
        return show_form(request, session, prof, out, status=exc.status)
    return RedirectResponse(f"/angebote/{made.id}?done=created", status_code=303)


def history_rows(
    engine: Engine, offer_id: str, prof: ScoringProfile, districts: dict[str, str]
) -> list[dict[str, Any]]:
    """The offer's versions, newest first, every change in words."""
    rows = []
    for v in reversed(history(engine, offer_id).items):
        changes = []
        for name in FIELDS:
            if name not in v.changes or name in ("lat", "provider"):
                continue
            change = v.changes[name]
            if name == "lon":
                moved = _("set on the map") if change.old is None else _("moved on the map")
                changes.append((_("Location"), "", moved))
                continue
            if name == "district_code":
                old = districts.get(change.old, "–") if change.old else "–"
                new = districts.get(change.new, "–") if change.new else "–"
            else:
                old = words.field_value(name, change.old, prof)
                new = words.field_value(name, change.new, prof)
            if change.old is None:
                old = ""  # a new offer: only what it was created with
            changes.append((words.field_label(name), old, new))
        rows.append(
            {
                "version": v.version,
                "at": v.at,
                "action": _(words.OFFER_CHANGES[v.action]),
                "who": words.who(v.api_key_id),
                "changes": changes,
            }
        )
    return rows


@router.get("/angebote/{offer_id}", include_in_schema=False, response_class=HTMLResponse)
def offer_page(
    request: Request,
    offer_id: str,
    session: Partner,
    prof: Profile,
    done: Annotated[Done | None, Query(description="What was just done (a code).")] = None,
) -> HTMLResponse:
    """One offer: its facts, a map of its point, what can be done, its history."""
    return show_offer(request, session, prof, offer_id, done=_(DONE[done]) if done else "")


def show_offer(
    request: Request,
    session: Session,
    prof: ScoringProfile,
    offer_id: str,
    *,
    done: str = "",
    problem: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The offer's page (with a message of what was done or what went wrong)."""
    engine = engine_of(request)
    offer = mine(engine, session, offer_id)
    districts = words.district_names(engine)
    actions = [(a, _(STATUS_ACTIONS[a])) for a, (starts, _end) in editing.TRANSITIONS.items()]
    return page(
        request,
        "offer.html.j2",
        session,
        status=status,
        offer=offer,
        done=done,
        problem=problem,
        category=words.labels(prof).category(offer.category),
        language_names=words.languages(offer.languages),
        state=_(words.OFFER_STATES[offer.status]),
        district=districts.get(offer.district_code or "", "–"),
        actions=[(a, label) for a, label in actions if offer.status in editing.TRANSITIONS[a][0]],
        checked=point_map(engine, offer.lon, offer.lat),
        versions=history_rows(engine, offer.id, prof, districts),
        yes_no=words.yes_no,
    )


@router.get("/angebote/{offer_id}/bearbeiten", include_in_schema=False, response_class=HTMLResponse)
def edit_offer_page(
    request: Request, offer_id: str, session: Partner, prof: Profile
) -> HTMLResponse:
    """The offer's form, filled in, carrying the version it shows."""
    offer = mine(engine_of(request), session, offer_id)
    if offer.status == "retired":
        raise Conflict(_("this offer has ended and cannot be changed any more"))
    out = OfferForm(record_fields(offer), lon=offer.lon, lat=offer.lat)
    return show_form(request, session, prof, out, offer=offer, version=offer.version)


FORM_FIELDS = ("name", "category", "languages", "address", "opening_hours",
               "capacity_per_week", "contact_role", "interpreting")  # fmt: skip


def differences(
    engine: Engine, mine_now: dict[str, Any], base: int, theirs: OfferRecord, prof: ScoringProfile
) -> list[tuple[str, str, str]]:
    """What others changed since the version ``base`` the person's form started from: per
    field (the location as the address), the person's input and the value saved now, in
    words, with who changed it."""
    changed: dict[str, set[str]] = {}
    for v in history(engine, theirs.id).items:
        if v.version > base:
            for name in v.changes:
                field_name = "address" if name in ("lon", "lat", "district_code") else name
                changed.setdefault(field_name, set()).add(words.who(v.api_key_id))
    stored = record_fields(theirs)
    out = []
    for name in FORM_FIELDS:
        if name not in changed:
            continue
        a, b = mine_now[name], stored[name]
        if name == "languages":
            a, b = sorted(a), sorted(b)
        label = _("{field} (changed by {who})").format(
            field=words.field_label(name), who=", ".join(sorted(changed[name]))
        )
        out.append((label, words.field_value(name, a, prof), words.field_value(name, b, prof)))
    if "status" in changed:
        label = _("{field} (changed by {who})").format(
            field=words.field_label("status"), who=", ".join(sorted(changed["status"]))
        )
        out.append((label, "–", words.field_value("status", theirs.status, prof)))
    return out


@router.post(
    "/angebote/{offer_id}/bearbeiten", include_in_schema=False, response_class=HTMLResponse
)
async def edit_offer(request: Request, offer_id: str, session: Partner, prof: Profile) -> Response:
    """Check the location or save the changes if nobody changed the offer meanwhile; if
    somebody did, show both versions side by side and keep the person's input in the form."""
    form = await session_form(request, session)
    engine = engine_of(request)
    offer = await run_in_threadpool(mine, engine, session, offer_id)
    out = await run_in_threadpool(read_offer_form, engine, form, prof)
    version = int(form.get("version")) if form.get("version").isdigit() else 0
    if form.get("step") == "check" or out.errors:
        status = 200 if form.get("step") == "check" else 400
        return show_form(request, session, prof, out, offer=offer, version=version, status=status)
    try:
        await run_in_threadpool(
            editing.update_offer, engine, offer_id, out.values(), version, session.key, prof
        )
    except PreconditionFailed:
        current = await run_in_threadpool(mine, engine, session, offer_id)
        clash = differences(engine, out.fields, version, current, prof)
        return show_form(
            request,
            session,
            prof,
            out,
            offer=current,
            version=current.version,
            conflict=clash or [(_("(no field)"), "", "")],
            status=409,
        )
    except GeoServiceError as exc:
        service_errors(exc, out)
        return show_form(
            request, session, prof, out, offer=offer, version=version, status=exc.status
        )
    return RedirectResponse(f"/angebote/{offer_id}?done=changed", status_code=303)


@router.post("/angebote/{offer_id}/status", include_in_schema=False, response_class=HTMLResponse)
async def change_status(
    request: Request, offer_id: str, session: Partner, prof: Profile
) -> Response:
    """Pause, resume, publish or end the offer (ending asks to confirm first: it cannot be
    undone); a version that is no longer current is refused and said so."""
    form = await session_form(request, session)
    action = cast(editing.StatusAction, form.get("action"))
    if action not in STATUS_ACTIONS:
        raise NotFound(_("there is no such step for an offer"))
    version = int(form.get("version")) if form.get("version").isdigit() else None
    engine = engine_of(request)
    if action == "retire" and form.get("confirmed") != "yes":
        offer = await run_in_threadpool(mine, engine, session, offer_id)
        return page(request, "offer_retire.html.j2", session, offer=offer, version=version)
    try:
        await run_in_threadpool(
            editing.change_status, engine, offer_id, action, session.key, version
        )
    except PreconditionFailed:
        problem = _(
            "Someone changed this offer meanwhile; nothing was done. Please look at it as it "
            "is now (history below) and choose again."
        )
        return show_offer(request, session, prof, offer_id, problem=problem, status=409)
    except Conflict:
        problem = _("This step is not possible in the offer's present state; nothing was done.")
        return show_offer(request, session, prof, offer_id, problem=problem, status=409)
    return RedirectResponse(f"/angebote/{offer_id}?done={action}", status_code=303)
