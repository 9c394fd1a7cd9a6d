"""``/warteliste`` and ``/wohnungen``: the housing office's day. The waiting list (filters,
finding a case by its reference, sent in a form and never put in a URL, the holds that lapse
today), one household on one screen (profile, history, the recommended flats on a map and in a
list with address, score and reasons in plain German), the steps offer, hold, confirm the move,
decline and withdraw (a confirmation where a step cannot be undone, a reason where the clerk
leaves the recommendations), a flat with the households it fits, and the referral sheet in
German and the household's language.

Built on the waiting list's and the recommendations' services, in the same transactions and
with the same audit entries as the HTTP API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from geo_service.api.deps import plans, profile, rankers
from geo_service.auth.sessions import Session
from geo_service.catalogue import sheet
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.errors import Conflict, InputError, NotFound, NotScored
from geo_service.i18n import N_, SHEET_LANGUAGES, _, formats, ngettext, pgettext
from geo_service.i18n.http import page_language
from geo_service.reservations.overrides import REASON_MAX, override_reason
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.scoring.results import RankedFlat
from geo_service.transition import recommend, store
from geo_service.transition.plan import PlanCache
from geo_service.transition.schemas import WaitingEntry
from geo_service.transition.terms import DECLINE_REASONS, WITHDRAW_REASONS
from geo_service.web import words
from geo_service.web.minimap import numbered_map, point_map
from geo_service.web.render import page
from geo_service.web.session import Form, session_form, with_role

router = APIRouter(tags=["workspace"], dependencies=[Depends(page_language)])
Clerk = Annotated[Session, Depends(with_role("housing_office"))]
Profile = Annotated[ScoringProfile, Depends(profile)]
Rankers = Annotated[RankerCache, Depends(rankers)]
Plans = Annotated[PlanCache, Depends(plans)]
PAGE_SIZE = 25
RECOMMENDED = 10  # the flats a household page lists; offering another one needs a reason
STATUS_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "open": (N_("still open (waiting, offered, held)"), ("waiting", "offered", "reserved")),
    "waiting": (N_("waiting"), ("waiting",)),
    "offered": (N_("flat offered"), ("offered",)),
    "reserved": (N_("flat held"), ("reserved",)),
    "moved": (N_("moved in"), ("moved",)),
    "withdrawn": (N_("left the list"), ("withdrawn",)),
    "all": (N_("all"), ()),
}
StatusFilter = Literal["open", "waiting", "offered", "reserved", "moved", "withdrawn", "all"]
SIZES = {"1": (1, 1), "2": (2, 2), "3": (3, 3), "4": (4, 4), "5": (5, 5), "6": (6, None)}
SizeFilter = Literal["", "1", "2", "3", "4", "5", "6"]  # "": any size
DECLINE_WORDS = {
    "household_declined": N_("the household turned the flat down"),
    "landlord_declined": N_("the landlord turned the household down"),
    "not_suitable": N_("the flat does not suit after all"),
    "hold_expired": N_("the hold lapsed"),
    "other": N_("another reason"),
}
WITHDRAW_WORDS = {
    "moved_elsewhere": N_("found a home elsewhere"),
    "left_the_city": N_("left the city"),
    "no_longer_eligible": N_("no longer entitled"),
    "other": N_("another reason"),
}
STEP_WORDS = {
    "add": N_("put on the waiting list"),
    "offer": N_("flat offered"),
    "reserve": N_("flat held"),
    "move": N_("move-in confirmed"),
    "decline": N_("offer or hold fell through"),
    "withdraw": N_("taken off the list"),
}
DONE = {
    "offer": N_("The flat is offered to the household."),
    "reserve": N_("The flat is held for the household."),
    "move": N_("The move-in is confirmed. The district's places count it."),
    "decline": N_("The household is waiting again; the flat is free for others."),
    "withdraw": N_("The household is no longer on the waiting list."),
}
Done = Literal["offer", "reserve", "move", "decline", "withdraw"]


def engine_of(request: Request) -> Engine:
    """The app's engine."""
    return request.app.state.engine


def city_zone() -> ZoneInfo:
    """The city's time zone."""
    return ZoneInfo(get_settings().timezone)


def household_words(household: Household, prof: ScoringProfile) -> dict[str, str]:
    """A household profile in words: persons and children, languages, needs, move-in."""
    children = household.children_ages
    persons = _("{n} persons").format(n=household.size) if household.size != 1 else _("1 person")
    if children:
        ages = ", ".join(str(a) for a in sorted(children))
        persons += ", " + ngettext(
            "of them {n} child ({ages} years)", "of them {n} children ({ages} years)", len(children)
        ).format(n=len(children), ages=ages)
    lab = words.labels(prof)
    return {
        "persons": persons,
        "languages": words.languages(household.languages),
        "needs": ", ".join(lab.need(n) for n in household.needs) or pgettext("needs", "none"),
        "move_in": formats.day(household.move_in),
    }


@dataclass(frozen=True)
class FlatFacts:
    """What a clerk needs to know about a flat."""

    id: str
    address: str
    district: str
    rooms: float
    area: float
    rent: float
    floor: int
    lift: bool
    barrier_free: bool
    available_from: date
    lon: float
    lat: float

    @property
    def summary(self) -> str:
        """Rooms, area, rent and access in one line."""
        parts = [
            _("{rooms} rooms").format(
                rooms=formats.number(self.rooms, 0 if self.rooms.is_integer() else 1)
            ),
            f"{formats.number(self.area, 0)} m²",
            _("{rent} € rent (gross cold)").format(rent=formats.number(self.rent, 0)),
            _("ground floor") if self.floor == 0 else _("floor {n}").format(n=self.floor),
        ]
        if self.barrier_free:
            parts.append(_("barrier-free"))
        elif self.lift:
            parts.append(_("lift"))
        return ", ".join(parts)


def flat_facts(engine: Engine, ids: list[str]) -> dict[str, FlatFacts]:
    """The flats ``ids`` (unknown ones left out)."""
    if not ids:
        return {}
    f = models.flats
    names = words.district_names(engine)
    wgs = f.c.geom.ST_Transform(4326)
    with engine.connect() as conn:
        rows = conn.execute(
            select(f, wgs.ST_X().label("lon"), wgs.ST_Y().label("lat")).where(f.c.id.in_(ids))
        ).all()
    return {
        r.id: FlatFacts(
            r.id,
            r.address or _("flat {id}").format(id=r.id),
            names.get(r.district_code or "", "–"),
            r.rooms,
            r.living_area_m2,
            r.rent_gross_cold_eur,
            r.floor,
            r.lift,
            r.barrier_free,
            r.available_from,
            r.lon,
            r.lat,
        )
        for r in rows
    }


def reasons(explained: RankedFlat, prof: ScoringProfile) -> list[str]:
    """Why a flat suits a household, in plain German: what is near (the categories that add
    most), and how full its district already is."""
    lab = words.labels(prof)
    out = []
    best = sorted(explained.contributions.items(), key=lambda kv: -kv[1])
    for category, points in best[:3]:
        if points <= 0:
            continue
        places = explained.nearest.get(category) or []
        near = places[0] if places else None
        what = lab.category(category)
        if near is None:
            out.append(_("{what} within reach").format(what=what))
        elif near.name:
            out.append(
                _("{what}: {name}, {distance} away").format(
                    what=what, name=near.name, distance=formats.distance(near.distance_m)
                )
            )
        else:
            out.append(
                _("{what} {distance} away").format(
                    what=what, distance=formats.distance(near.distance_m)
                )
            )
    d = explained.district
    if d.capacity:
        used = _("{district}: {placed} of {places} places for newcomers taken").format(
            district=d.name or "–", placed=d.placements or 0, places=d.capacity
        )
        if d.factor < 1:
            used += " – " + _("the district is filling up, so it counts a little less")
        out.append(used)
    return out


@dataclass(frozen=True)
class Option:
    """A recommended flat on a household's page."""

    n: int
    flat: FlatFacts
    score: float
    reasons: list[str]
    planned: bool


def options(
    engine: Engine,
    prof: ScoringProfile,
    entry: WaitingEntry,
    session: Session,
    loaded: RankerCache,
    lookahead: PlanCache,
) -> tuple[list[Option], str]:
    """The recommended flats of a waiting household with their reasons, and the look-ahead's
    advice in words."""
    advice = recommend.for_household(
        engine, prof, entry.id, RECOMMENDED, session.key, rankers=loaded, plans=lookahead
    )
    ranker = ranker_of(loaded, engine, prof)
    household = store.planning_household(entry.household, prof)
    facts = flat_facts(engine, [o.flat_id for o in advice.flats])
    out = []
    for o in advice.flats:
        explained = ranker.score_flat(o.flat_id, household, held=set())
        out.append(
            Option(o.rank, facts[o.flat_id], o.placement_score, reasons(explained, prof), o.planned)
        )
    verdict = {
        "offer_now": _("A flat that suits is free now: offer it."),
        "wait": _(
            "The look-ahead advises waiting a little: flats that suit this household better "
            "are expected soon. You may still offer one of these."
        ),
        "not_ready": _("The household cannot move in yet; these flats are for planning."),
    }[advice.verdict]
    return out, verdict


def history(engine: Engine, entry_id: str) -> list[dict[str, Any]]:
    """The entry's audited steps, newest first, in words."""
    a = models.audit_log
    with engine.connect() as conn:
        rows = conn.execute(
            select(a.c.at, a.c.action, a.c.api_key_id, a.c.request, a.c.detail)
            .where(a.c.action.like("waiting_list.%"), a.c.request["entry_id"].astext == entry_id)
            .order_by(a.c.id.desc())
        ).all()
    flats = flat_facts(engine, [r.request.get("flat_id") for r in rows if r.request.get("flat_id")])
    out = []
    for r in rows:
        step = r.action.removeprefix("waiting_list.")
        reason = r.request.get("reason") or r.detail.get("reason")
        why = (DECLINE_WORDS.get(reason) or WITHDRAW_WORDS.get(reason)) if reason else None
        flat = flats.get(r.request.get("flat_id") or "")
        out.append(
            {
                "at": r.at,
                "what": _(STEP_WORDS.get(step, step)),
                "who": words.who(r.api_key_id),
                "flat": flat.address if flat else "",
                "why": _(why) if why else "",
                "override": r.detail.get("override_reason") or r.request.get("override_reason"),
            }
        )
    return out


def today_ends() -> datetime:
    """The end of today in the city."""
    zone = city_zone()
    return datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(), zone)


@router.get("/warteliste", include_in_schema=False, response_class=HTMLResponse)
def waiting_list_page(
    request: Request,
    session: Clerk,
    prof: Profile,
    status: Annotated[StatusFilter, Query(description="Which households.")] = "open",
    district: Annotated[str | None, Query(max_length=16, description="District code.")] = None,
    size: Annotated[SizeFilter | None, Query(description="Household size (6: or more).")] = None,
    seite: Annotated[int, Query(ge=1, le=10_000, description="Page number.")] = 1,
) -> HTMLResponse:
    """The waiting list with its filters, the holds due today and the search by reference."""
    return show_list(request, session, prof, status, district or None, size, seite)


def show_list(
    request: Request,
    session: Session,
    prof: ScoringProfile,
    status: str,
    district: str | None,
    size: str | None,
    number: int,
    *,
    message: str = "",
    http_status: int = 200,
) -> HTMLResponse:
    """The waiting list page."""
    engine = engine_of(request)
    names = words.district_names(engine)
    found = store.filtered_page(
        engine,
        statuses=list(STATUS_FILTERS[status][1]),
        district=district,
        size=SIZES[size] if size else None,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    rows = [
        {
            "entry": e,
            "household": household_words(e.household, prof),
            "state": _(words.WAITING_STATES[e.status]),
            "unit": names.get(e.unit_district or "", "–"),
        }
        for e in found.items
    ]
    due = store.holds_due(engine, today_ends())
    addresses = flat_facts(engine, [e.flat_id for e in due if e.flat_id])
    pages = max(1, -(-found.total // PAGE_SIZE))
    return page(
        request,
        "waiting_list.html.j2",
        session,
        status=http_status,
        rows=rows,
        total=found.total,
        number=number,
        pages=pages,
        due=[(e, household_words(e.household, prof), addresses.get(e.flat_id or "")) for e in due],
        filters={"status": status, "district": district or "", "size": size or ""},
        status_choices=[(k, _(v[0])) for k, v in STATUS_FILTERS.items()],
        districts=sorted(names.items(), key=lambda kv: kv[1]),
        sizes=list(SIZES),
        message=message,
        now=datetime.now(city_zone()),
    )


@router.post("/warteliste/suchen", include_in_schema=False, response_class=HTMLResponse)
async def find_case(request: Request, session: Clerk, prof: Profile) -> Response:
    """Open the household of a case reference typed in (sent in the form body only)."""
    form = await session_form(request, session)
    reference = form.get("case_ref")[:200]
    try:
        if not reference:
            raise NotFound("")
        entry = await run_in_threadpool(store.lookup, engine_of(request), reference)
    except NotFound:
        message = _("No household on the waiting list has this case reference.")
        return show_list(request, session, prof, "open", None, None, 1, message=message,
                         http_status=404)  # fmt: skip
    return RedirectResponse(f"/warteliste/{entry.id}", status_code=303)


@router.get("/warteliste/{entry_id}", include_in_schema=False, response_class=HTMLResponse)
def household_page(
    request: Request,
    entry_id: str,
    session: Clerk,
    prof: Profile,
    loaded: Rankers,
    lookahead: Plans,
    done: Annotated[Done | None, Query(description="What was just done (a code).")] = None,
) -> HTMLResponse:
    """One household on one screen."""
    message = _(DONE[done]) if done else ""
    return show_household(request, session, prof, loaded, lookahead, entry_id, done=message)


def show_household(
    request: Request,
    session: Session,
    prof: ScoringProfile,
    loaded: RankerCache,
    lookahead: PlanCache,
    entry_id: str,
    *,
    done: str = "",
    problem: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The household's page (with what was just done or why a step failed)."""
    engine = engine_of(request)
    entry = store.get(engine, entry_id)
    flats: list[Option] = []
    advice = ""
    if entry.status == "waiting":
        try:
            flats, advice = options(engine, prof, entry, session, loaded, lookahead)
        except (NotScored, Conflict) as exc:
            advice = str(exc.message)
    current = flat_facts(engine, [entry.flat_id] if entry.flat_id else []).get(entry.flat_id or "")
    recommended_map = numbered_map(engine, [(o.n, o.flat.lon, o.flat.lat) for o in flats])
    return page(
        request,
        "household.html.j2",
        session,
        status=status,
        entry=entry,
        h=household_words(entry.household, prof),
        state=_(words.WAITING_STATES[entry.status]),
        unit=words.district_names(engine).get(entry.unit_district or "", ""),
        flats=flats,
        advice=advice,
        flats_map=recommended_map,
        current=current,
        current_map=point_map(engine, current.lon, current.lat) if current else None,
        history=history(engine, entry.id),
        done=done,
        problem=problem,
        decline_reasons=[(r, _(DECLINE_WORDS[r])) for r in DECLINE_REASONS],
        withdraw_reasons=[(r, _(WITHDRAW_WORDS[r])) for r in WITHDRAW_REASONS],
        hold_lapses_today=entry.hold_expires_at is not None
        and entry.hold_expires_at < today_ends(),
    )


def confirm_page(
    request: Request,
    session: Session,
    prof: ScoringProfile,
    entry: WaitingEntry,
    action: str,
    form: Form,
    *,
    error: str = "",
) -> HTMLResponse:
    """Ask before a step that cannot be undone, or for the reason a step needs."""
    engine = engine_of(request)
    flat_id = form.get("flat_id") or entry.flat_id or ""
    flat = flat_facts(engine, [flat_id]).get(flat_id)
    return page(
        request,
        "confirm.html.j2",
        session,
        status=400 if error else 200,
        entry=entry,
        h=household_words(entry.household, prof),
        action=action,
        flat=flat,
        flat_id=flat_id,
        error=error,
        reason=form.get("reason"),
        override_reason=form.get("override_reason"),
        back=form.get("back"),
        decline_reasons=[(r, _(DECLINE_WORDS[r])) for r in DECLINE_REASONS],
        withdraw_reasons=[(r, _(WITHDRAW_WORDS[r])) for r in WITHDRAW_REASONS],
    )


def flat_taken(engine: Engine, flat_id: str, entry_id: str) -> str | None:
    """Why a flat cannot be offered any more, if another household has it meanwhile."""
    w, r = models.waiting_list, models.reservations
    with engine.connect() as conn:
        other = conn.execute(
            select(w.c.status).where(
                w.c.flat_id == flat_id, w.c.status.in_(("offered", "reserved")), w.c.id != entry_id
            )
        ).scalar()
        held = conn.execute(
            select(r.c.status).where(r.c.flat_id == flat_id, r.c.status.in_(("held", "confirmed")))
        ).scalar()
    if other == "offered":
        return _(
            "Another clerk has just offered this flat to another household. Choose another flat."
        )
    if other == "reserved" or held:
        return _("This flat has just been held for another household. Choose another flat.")
    return None


LOCAL_BACK = re.compile(r"^/(warteliste|wohnungen)/[A-Za-z0-9_.-]{1,64}$")


@router.post("/warteliste/{entry_id}/schritt", include_in_schema=False, response_class=HTMLResponse)
async def household_step(
    request: Request,
    entry_id: str,
    session: Clerk,
    prof: Profile,
    loaded: Rankers,
    lookahead: Plans,
) -> Response:
    """One step of the household: offer, hold, confirm the move, decline or withdraw."""
    form = await session_form(request, session)
    engine = engine_of(request)
    action = form.get("action")
    entry = await run_in_threadpool(store.get, engine, entry_id)
    back = form.get("back") if LOCAL_BACK.match(form.get("back")) else f"/warteliste/{entry.id}"
    try:
        return await run_in_threadpool(
            take_step, request, session, prof, loaded, lookahead, entry, action, form, back
        )
    except (Conflict, NotScored) as exc:
        taken = flat_taken(engine, form.get("flat_id"), entry.id) if action == "offer" else None
        problem = taken or _("This step was not possible; nothing was changed: {why}").format(
            why=exc.message
        )
        return show_household(
            request, session, prof, loaded, lookahead, entry.id, problem=problem, status=409
        )


def take_step(
    request: Request,
    session: Session,
    prof: ScoringProfile,
    loaded: RankerCache,
    lookahead: PlanCache,
    entry: WaitingEntry,
    action: str,
    form: Form,
    back: str,
) -> Response:
    """Check what the step needs (confirmation, reason) and take it through the service."""
    engine, key = engine_of(request), session.key
    confirmed = form.get("confirmed") == "yes"
    if action == "offer":
        flat_id = form.get("flat_id")[:64]
        override = form.get("override_reason")[:REASON_MAX]
        n = prof.override_rules.recommended
        chosen = recommend.recommended_flats(
            engine, prof, entry, n, rankers=loaded, plans=lookahead
        )
        if flat_id not in chosen and not override:
            error = (
                _("Please say why you offer a flat outside the recommendations.")
                if confirmed
                else ""
            )
            return confirm_page(request, session, prof, entry, "override", form, error=error)
        store.offer(
            engine,
            entry.id,
            flat_id,
            key,
            prof,
            rankers=loaded,
            override=lambda _entry: override_reason(flat_id, override, chosen, prof),
        )
    elif action == "reserve":
        store.reserve(engine, entry.id, key, prof, rankers=loaded)
    elif action == "move":
        if not confirmed:
            return confirm_page(request, session, prof, entry, action, form)
        store.move(engine, entry.id, key, prof)
    elif action in ("decline", "withdraw"):
        allowed = DECLINE_REASONS if action == "decline" else WITHDRAW_REASONS
        reason = form.get("reason")
        if not confirmed or reason not in allowed:
            error = _("Please choose a reason.") if confirmed else ""
            return confirm_page(request, session, prof, entry, action, form, error=error)
        if action == "decline":
            store.decline(engine, entry.id, reason, key, prof)
        else:
            store.withdraw(engine, entry.id, reason, key, prof)
    else:
        raise InputError(_("there is no such step for a household"))
    target = f"/warteliste/{entry.id}?done={action}" if back.startswith("/warteliste/") else back
    return RedirectResponse(target, status_code=303)


@router.get("/wohnungen/{flat_id}", include_in_schema=False, response_class=HTMLResponse)
def flat_page(
    request: Request,
    flat_id: str,
    session: Clerk,
    prof: Profile,
    loaded: Rankers,
    lookahead: Plans,
) -> HTMLResponse:
    """A flat and the waiting households it fits best."""
    engine = engine_of(request)
    facts = flat_facts(engine, [flat_id]).get(flat_id)
    if facts is None:
        raise NotFound(_("there is no flat {id}").format(id=flat_id))
    households: list[dict[str, Any]] = []
    advice = ""
    try:
        fits = recommend.for_flat(
            engine, prof, flat_id, RECOMMENDED, session.key, rankers=loaded, plans=lookahead
        )
        for option in fits.households:
            entry = store.get(engine, option.entry_id)
            households.append(
                {"option": option, "entry": entry, "h": household_words(entry.household, prof)}
            )
        advice = (
            _("Offer the flat now to one of these households.")
            if fits.verdict == "offer_now"
            else _("The look-ahead advises keeping the flat a little for households expected soon.")
        )
    except (NotScored, Conflict) as exc:
        advice = str(exc.message)
    return page(
        request,
        "flat.html.j2",
        session,
        flat=facts,
        flat_map=point_map(engine, facts.lon, facts.lat),
        households=households,
        advice=advice,
        taken=flat_taken(engine, flat_id, "00000000-0000-0000-0000-000000000000"),
    )


@router.get("/warteliste/{entry_id}/bogen", include_in_schema=False, response_class=HTMLResponse)
def referral_sheets(
    request: Request,
    entry_id: str,
    session: Clerk,
    flat: Annotated[str | None, Query(max_length=64, description="Flat id.")] = None,
) -> HTMLResponse:
    """The referral sheet for the household's flat in German and in its language, one page
    each, ready to print."""
    engine = engine_of(request)
    entry = store.get(engine, entry_id)
    flat_id = flat or entry.flat_id
    if flat_id is None:
        raise Conflict(_("the household has no flat offered or held yet: choose a flat first"))
    languages = entry.household.languages
    own = next((c for c in languages if c in SHEET_LANGUAGES and c != "de"), None)
    sheets = [sheet.referral_sheet(engine, flat_id, languages, "de")]
    sheets.append(sheet.referral_sheet(engine, flat_id, languages, own or "en"))
    note = (
        ""
        if own
        else _("There is no sheet in {languages}: the second page is in English.").format(
            languages=words.languages(languages)
        )
    )
    return HTMLResponse(two_sheets(sheets, note), headers={"Cache-Control": "no-store"})


BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
STYLE = re.compile(r"<style>(.*?)</style>", re.S)
HTML_TAG = re.compile(r"<html([^>]*)>")


def two_sheets(documents: list[str], note: str = "") -> str:
    """Sheets (whole HTML documents made by the catalogue) as one printable document: each
    sheet its own page, in its own language and writing direction; ``note`` on screen only."""
    style = STYLE.search(documents[0])
    sections = []
    for doc in documents:
        attributes = HTML_TAG.search(doc)
        body = BODY.search(doc)
        sections.append(
            f"<section class='sheet'{attributes.group(1) if attributes else ''}>"
            f"{body.group(1) if body else ''}</section>"
        )
    title = _("Referral sheets")
    return (
        "<!doctype html><html lang='de'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{style.group(1) if style else ''}"
        ".sheet + .sheet { break-before: page; margin-top: 12mm; }"
        ".screen-note { font: 11pt sans-serif; color: #6b4e00; } @media print { .screen-note "
        "{ display: none; } }</style></head><body>"
        + (f"<p class='screen-note'>{escape(note)}</p>" if note else "")
        + "".join(sections)
        + "</body></html>"
    )
