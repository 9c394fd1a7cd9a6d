"""``geo-service waiting-list ...``: the transition management's waiting list and its
recommendations with look-ahead, from the command line (audited as role ``cli``). Services are
imported when a command runs, so ``--help`` stays fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from geo_service.cli.app import app
from geo_service.cli.common import print_json, say, show_table, words
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.cli.scoring import JSON_OPTION
from geo_service.errors import InputError
from geo_service.i18n import N_, _, formats, ngettext
from geo_service.transition.terms import DECLINE_REASONS, WAITING_STATUSES, WITHDRAW_REASONS

if TYPE_CHECKING:
    from pydantic import BaseModel

    from geo_service.transition.schemas import WaitingEntry

waiting_app = typer.Typer(
    help="The waiting list: add households, move them waiting -> offered -> reserved -> moved "
    "(or withdrawn), recommendations with look-ahead.",
    no_args_is_help=True,
)
app.add_typer(waiting_app, name="waiting-list")
SOURCES = {"history": N_("from the past weeks"), "profile": N_("as the profile assumes")}


def status_words(status: str) -> str:
    """A waiting-list status in words ("Wohnung angeboten"), as the clerk's pages say it."""
    from geo_service.web.words import WAITING_STATES

    return words(WAITING_STATES, status)


def _show(answer: BaseModel, as_json: bool) -> None:
    """JSON, or the entry as a table row."""
    from geo_service.transition.schemas import WaitingEntry

    if as_json:
        print_json(answer)
    elif isinstance(answer, WaitingEntry):
        _entries([answer])
    else:
        print_json(answer)


def _entries(entries: list[WaitingEntry]) -> None:
    """A table of waiting-list entries (profiles only; case references are never shown)."""
    lapsed, days, size = _(" (lapsed)"), _("days"), _("size")
    show_table(
        _("Waiting list (profiles only; case references are never shown)"),
        [
            (_("id"), "left"),
            (_("status"), "left"),
            (_("entered"), "left"),
            (days, "right"),
            (size, "right"),
            (_("flat"), "left"),
        ],
        [
            (
                e.id,
                status_words(e.status) + (lapsed if e.hold_expired else ""),
                formats.day(e.entered_on),
                e.days_waiting,
                e.household.size,
                e.flat_id,
            )
            for e in entries
        ],
        {
            days: _("days on the list (to moving or leaving, or today)"),
            size: _("persons in the household"),
            _("next"): _(
                "waiting: offer, withdraw; offered: reserve, decline, withdraw; reserved: move, "
                "decline, withdraw (`show ID` or --json for languages, needs and dates)"
            ),
        },
    )


@waiting_app.command("add")
def add_cmd(
    household: str = typer.Option(..., help="Household profile: JSON text or a JSON file."),
    case_ref: str = typer.Option(..., help="Opaque case reference (stored only as a hash)."),
    entered_on: str = typer.Option(
        None, help="Day it joined the list (YYYY-MM-DD or TT.MM.JJJJ; default today)."
    ),
    unit: str = typer.Option(None, help="Current accommodation unit."),
    unit_district: str = typer.Option(None, help="District code of that unit."),
    as_json: bool = JSON_OPTION,
    profile: ProfilePath = None,
) -> None:
    """Put a household on the waiting list."""
    from pydantic import ValidationError

    from geo_service.cli.scoring import read_household_arg
    from geo_service.db.engine import get_engine
    from geo_service.scoring.household import parse_household
    from geo_service.transition import store
    from geo_service.transition.schemas import NewEntry

    prof = profile_from(profile)
    hh = parse_household(read_household_arg(household), prof)
    try:
        new = NewEntry.model_validate(
            {
                "household": hh,
                "case_ref": case_ref,
                "entered_on": entered_on,
                "accommodation_unit": unit,
                "unit_district": unit_district,
            },
            strict=False,
        )
    except ValidationError as exc:
        from geo_service.i18n import validation

        problems = "; ".join(validation.describe(e) for e in exc.errors())
        raise InputError(_("waiting-list add: {problems}").format(problems=problems)) from None
    _show(store.add(get_engine(), new, store.cli_caller(), prof), as_json)


@waiting_app.command("list")
def list_cmd(
    status: str = typer.Option(None, help=", ".join(WAITING_STATUSES)),
    limit: int = typer.Option(100, min=1, max=1000),
    offset: int = typer.Option(0, min=0),
    as_json: bool = JSON_OPTION,
) -> None:
    """The waiting list, longest waiting first."""
    from geo_service.db.engine import get_engine
    from geo_service.transition import store

    if status and status not in WAITING_STATUSES:
        raise InputError(
            _("unknown status “{status}”; use {known}").format(
                status=status, known=", ".join(WAITING_STATUSES)
            )
        )
    page = store.page(get_engine(), status, limit, offset)
    if as_json:
        print_json(page)
        return
    _entries(page.items)
    say(
        ngettext("{n} of {total} entry", "{n} of {total} entries", page.total).format(
            n=len(page.items), total=page.total
        )
    )


@waiting_app.command("show")
def show_cmd(entry_id: str = typer.Argument(...), as_json: bool = JSON_OPTION) -> None:
    """One entry."""
    from geo_service.db.engine import get_engine
    from geo_service.transition import store

    _show(store.get(get_engine(), entry_id), as_json)


@waiting_app.command("lookup")
def lookup_cmd(
    case_ref: str = typer.Option(..., help="The case reference."), as_json: bool = JSON_OPTION
) -> None:
    """The entry of a case reference."""
    from geo_service.db.engine import get_engine
    from geo_service.transition import store

    _show(store.lookup(get_engine(), case_ref), as_json)


@waiting_app.command("offer")
def offer_cmd(
    entry_id: str = typer.Argument(...),
    flat: str = typer.Option(..., help="Flat id, e.g. F-0110."),
    override_reason: str = typer.Option(
        None, help="Why a flat outside the household's recommendations is offered anyway."
    ),
    as_json: bool = JSON_OPTION,
    profile: ProfilePath = None,
) -> None:
    """Offer a free flat that fits (waiting -> offered); one outside the household's
    recommended flats needs --override-reason."""
    from geo_service.db.engine import get_engine
    from geo_service.transition import recommend, store

    prof, key = profile_from(profile), store.cli_caller()
    answer = recommend.offer(get_engine(), prof, entry_id, flat, override_reason, key)
    _show(answer, as_json)


def _step(action: str, entry_id: str, reason: str, as_json: bool, path: ProfilePath) -> None:
    """Run one transition as the command line."""
    from geo_service.db.engine import get_engine
    from geo_service.transition import store

    prof, engine, key = profile_from(path), get_engine(), store.cli_caller()
    if action == "reserve":
        answer = store.reserve(engine, entry_id, key, prof)
    elif action == "move":
        answer = store.move(engine, entry_id, key, prof)
    elif action == "decline":
        answer = store.decline(engine, entry_id, reason, key, prof)
    else:
        answer = store.withdraw(engine, entry_id, reason, key, prof)
    _show(answer, as_json)


@waiting_app.command("reserve")
def reserve_cmd(
    entry_id: str = typer.Argument(...), as_json: bool = JSON_OPTION, profile: ProfilePath = None
) -> None:
    """Hold the offered flat (offered -> reserved)."""
    _step("reserve", entry_id, "", as_json, profile)


@waiting_app.command("move")
def move_cmd(
    entry_id: str = typer.Argument(...), as_json: bool = JSON_OPTION, profile: ProfilePath = None
) -> None:
    """The household moves in (reserved -> moved; the hold is confirmed)."""
    _step("move", entry_id, "", as_json, profile)


def _reason(allowed: tuple[str, ...], reason: str) -> str:
    """A reason from the closed vocabulary (no free text: it could identify someone)."""
    if reason not in allowed:
        raise InputError(
            _("unknown reason “{reason}”; use {known}").format(
                reason=reason, known=", ".join(allowed)
            )
        )
    return reason


@waiting_app.command("decline")
def decline_cmd(
    entry_id: str = typer.Argument(...),
    reason: str = typer.Option("other", help=", ".join(DECLINE_REASONS)),
    as_json: bool = JSON_OPTION,
    profile: ProfilePath = None,
) -> None:
    """The offer or hold fell through (-> waiting; a hold is released)."""
    _step("decline", entry_id, _reason(DECLINE_REASONS, reason), as_json, profile)


@waiting_app.command("withdraw")
def withdraw_cmd(
    entry_id: str = typer.Argument(...),
    reason: str = typer.Option("other", help=", ".join(WITHDRAW_REASONS)),
    as_json: bool = JSON_OPTION,
    profile: ProfilePath = None,
) -> None:
    """The household leaves the list (-> withdrawn; a hold is released)."""
    _step("withdraw", entry_id, _reason(WITHDRAW_REASONS, reason), as_json, profile)


@waiting_app.command("pipeline")
def pipeline_cmd(as_json: bool = JSON_OPTION, profile: ProfilePath = None) -> None:
    """Households per status and district, with the places left."""
    from geo_service.db.engine import get_engine
    from geo_service.transition.live import pipeline

    answer = pipeline(get_engine(), profile_from(profile))
    if as_json:
        print_json(answer)
        return
    steps = ("waiting", "offered", "reserved", "moved")
    left = _("left")
    show_table(
        _("Pipeline per district"),
        [(_("district"), "left"), *((status_words(s), "right") for s in steps), (left, "right")],
        [
            (f"{d.name} ({d.code})", *(getattr(d, s) for s in steps), d.places_left)
            for d in answer.districts
            if d.waiting + d.offered + d.reserved + d.moved
        ],
        {
            status_words("waiting"): _("by the district of the household's accommodation unit"),
            ", ".join(status_words(s) for s in steps[1:]): _("by the flat's district"),
            left: _(
                "places left in the district's quota (capacity minus placements, holds, offers)"
            ),
        },
    )
    say(
        _("totals: {counts}; waiting without a unit district: {without}").format(
            counts=", ".join(f"{n} {status_words(s)}" for s, n in answer.totals.items()),
            without=answer.waiting_without_district,
        )
    )


@waiting_app.command("potentials")
def potentials_cmd(as_json: bool = JSON_OPTION, profile: ProfilePath = None) -> None:
    """What district places and scarce flats are worth to the households expected."""
    from geo_service.db.engine import get_engine
    from geo_service.transition import recommend

    answer = recommend.potentials(get_engine(), profile_from(profile))
    if as_json:
        print_json(answer)
        return
    f = answer.forecast
    say(
        _(
            "{waiting} waiting, {free} free flats; expected {households} households and {flats} "
            "flats per week ({source})"
        ).format(
            waiting=answer.waiting,
            free=answer.free_flats,
            households=formats.plain(f.households_per_week),
            flats=formats.plain(f.flats_per_week),
            source=words(SOURCES, f.source),
        )
    )
    for d in answer.districts:
        if d.potential > 0:
            say(f"  {d.explanation}")
    for t in answer.flat_types:
        say(f"  {t.explanation}")


@waiting_app.command("recommend")
def recommend_cmd(
    entry: str = typer.Option(None, help="A waiting entry: which flats suit it?"),
    flat: str = typer.Option(None, help="A free flat: which households does it suit?"),
    top: int = typer.Option(10, min=1, max=100),
    as_json: bool = JSON_OPTION,
    profile: ProfilePath = None,
) -> None:
    """Recommendations with look-ahead for a waiting household or a free flat."""
    from geo_service.db.engine import get_engine
    from geo_service.transition import recommend, store
    from geo_service.transition.schemas import FlatRecommendation, HouseholdRecommendation

    if (entry is None) == (flat is None):
        raise InputError(_("give exactly one of --entry or --flat"))
    prof, engine, key = profile_from(profile), get_engine(), store.cli_caller()
    answer: FlatRecommendation | HouseholdRecommendation
    if entry is not None:
        answer = recommend.for_household(engine, prof, entry, top, key)
        rows = [
            (f.flat_id, f.placement_score, f.value, f.planned, f.explanation) for f in answer.flats
        ]
    else:
        answer = recommend.for_flat(engine, prof, flat, top, key)
        rows = [
            (h.entry_id, h.placement_score, h.value, h.planned, h.explanation)
            for h in answer.households
        ]
    if as_json:
        print_json(answer)
        return
    say(answer.explanation)
    value, plan = _("value"), _("plan")
    show_table(
        "",
        [
            (_("flat") if entry else _("entry"), "left"),
            (_("score"), "right"),
            (value, "right"),
            (plan, "left"),
            (_("why"), "left"),
        ],
        [
            (k, formats.number(s, 1), formats.number(v, 1), _("yes") if p else "", why)
            for k, s, v, p, why in rows
        ],
        {
            value: _("score minus the potentials the flat uses (look-ahead)")
            if entry
            else _("score plus waiting points minus what the household can expect elsewhere"),
            plan: _("the look-ahead plan makes this pair"),
        },
    )


@waiting_app.command("load-sample")
def load_sample_cmd(profile: ProfilePath = None) -> None:
    """Load the ILLUSTRATIVE sample waiting list (idempotent; needs the scored sample)."""
    from geo_service.db.engine import get_engine
    from geo_service.transition.sample import load_sample_waiting_list
    from geo_service.web.words import waiting_counts

    counts = load_sample_waiting_list(get_engine(), profile_from(profile))
    say(_("Waiting list (INVENTED): {counts}").format(
        counts=waiting_counts(counts)))  # fmt: skip
