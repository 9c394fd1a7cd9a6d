"""``geo-service waiting-list ...``: the transition management's waiting list and its
recommendations with look-ahead, from the command line (audited as role ``cli``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from geo_service.cli.app import app
from geo_service.cli.scoring import read_household_arg
from geo_service.config import get_settings
from geo_service.db.engine import get_engine
from geo_service.errors import InputError
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile, load_profile
from geo_service.transition import recommend, store
from geo_service.transition.live import pipeline
from geo_service.transition.sample import load_sample_waiting_list
from geo_service.transition.schemas import NewEntry, WaitingEntry

console = Console(highlight=False, soft_wrap=True, width=140)
waiting_app = typer.Typer(
    help="The waiting list: add households, move them waiting -> offered -> reserved -> moved "
    "(or withdrawn), recommendations with look-ahead.",
    no_args_is_help=True,
)
app.add_typer(waiting_app, name="waiting-list")
JsonFlag = typer.Option(False, "--json", help="Print the answer as JSON.")


def _profile(path: Path | None) -> ScoringProfile:
    """The profile at ``path`` or the configured one."""
    return load_profile(path or get_settings().profile_path)


def _show(answer: BaseModel, as_json: bool) -> None:
    """JSON, or a readable line per entry."""
    if as_json:
        print(answer.model_dump_json(indent=1))
        return
    if isinstance(answer, WaitingEntry):
        _entries([answer])
        return
    console.print(answer.model_dump_json(indent=1))


def _entries(entries: list[WaitingEntry]) -> None:
    """A table of waiting-list entries."""
    table = Table(title="Waiting list (profiles only; case references are never shown)")
    for col in ("id", "status", "entered", "days", "size", "languages", "flat", "next steps"):
        table.add_column(col)
    for e in entries:
        table.add_row(
            e.id,
            e.status + (" (hold lapsed)" if e.hold_expired else ""),
            e.entered_on.isoformat(),
            str(e.days_waiting),
            str(e.household.size),
            ",".join(e.household.languages),
            e.flat_id or "",
            ", ".join(e.next_steps),
        )
    console.print(table)


@waiting_app.command("add")
def add_cmd(
    household: str = typer.Option(..., help="Household profile: JSON text or a JSON file."),
    case_ref: str = typer.Option(..., help="Opaque case reference (stored only as a hash)."),
    entered_on: str = typer.Option(None, help="Day it joined the list, YYYY-MM-DD (today)."),
    unit: str = typer.Option(None, help="Current accommodation unit."),
    unit_district: str = typer.Option(None, help="District code of that unit."),
    as_json: bool = JsonFlag,
    profile: Path = typer.Option(None, help="Scoring profile TOML."),
) -> None:
    """Put a household on the waiting list."""
    prof = _profile(profile)
    hh = parse_household(read_household_arg(household), prof)
    try:
        new = NewEntry(
            household=hh,
            case_ref=case_ref,
            entered_on=date.fromisoformat(entered_on) if entered_on else None,
            accommodation_unit=unit,
            unit_district=unit_district,
        )
    except (ValueError, ValidationError) as exc:
        raise InputError(f"waiting-list add: {str(exc).splitlines()[0]}") from None
    _show(store.add(get_engine(), new, store.cli_caller(), prof), as_json)


@waiting_app.command("list")
def list_cmd(
    status: str = typer.Option(None, help="Only this status."),
    limit: int = typer.Option(100, min=1, max=1000),
    offset: int = typer.Option(0, min=0),
    as_json: bool = JsonFlag,
) -> None:
    """The waiting list, longest waiting first."""
    if status and status not in store.models.WAITING_STATES:
        raise InputError(f"unknown status {status!r}; use {', '.join(store.models.WAITING_STATES)}")
    page = store.page(get_engine(), status, limit, offset)
    if as_json:
        print(page.model_dump_json(indent=1))
        return
    _entries(page.items)
    console.print(f"{len(page.items)} of {page.total} entries")


@waiting_app.command("show")
def show_cmd(entry_id: str = typer.Argument(...), as_json: bool = JsonFlag) -> None:
    """One entry."""
    _show(store.get(get_engine(), entry_id), as_json)


@waiting_app.command("lookup")
def lookup_cmd(
    case_ref: str = typer.Option(..., help="The case reference."), as_json: bool = JsonFlag
) -> None:
    """The entry of a case reference."""
    _show(store.lookup(get_engine(), case_ref), as_json)


@waiting_app.command("offer")
def offer_cmd(
    entry_id: str = typer.Argument(...),
    flat: str = typer.Option(..., help="Flat id, e.g. F-0110."),
    as_json: bool = JsonFlag,
    profile: Path = typer.Option(None, help="Scoring profile TOML."),
) -> None:
    """Offer a free flat that fits (waiting -> offered)."""
    prof = _profile(profile)
    _show(store.offer(get_engine(), entry_id, flat, store.cli_caller(), prof), as_json)


def _step(action: str, entry_id: str, reason: str | None, as_json: bool, path: Path | None) -> None:
    """Run one transition as the command line."""
    prof, engine, key = _profile(path), get_engine(), store.cli_caller()
    if action == "reserve":
        answer = store.reserve(engine, entry_id, key, prof)
    elif action == "move":
        answer = store.move(engine, entry_id, key, prof)
    elif action == "decline":
        answer = store.decline(engine, entry_id, reason or "other", key, prof)
    else:
        answer = store.withdraw(engine, entry_id, reason or "other", key, prof)
    _show(answer, as_json)


@waiting_app.command("reserve")
def reserve_cmd(
    entry_id: str = typer.Argument(...),
    as_json: bool = JsonFlag,
    profile: Path = typer.Option(None, help="Scoring profile TOML."),
) -> None:
    """Hold the offered flat (offered -> reserved)."""
    _step("reserve", entry_id, None, as_json, profile)


@waiting_app.command("move")
def move_cmd(
    entry_id: str = typer.Argument(...),
    as_json: bool = JsonFlag,
    profile: Path = typer.Option(None, help="Scoring profile TOML."),
) -> None:
    """The household moves in (reserved -> moved; the hold is confirmed)."""
    _step("move", entry_id, None, as_json, profile)


REASONS = {
    "decline": ("household_declined", "landlord_declined", "not_suitable", "hold_expired", "other"),
    "withdraw": ("moved_elsewhere", "left_the_city", "no_longer_eligible", "other"),
}


def _reason(action: str, reason: str) -> str:
    """A reason from the closed vocabulary (no free text: it could identify someone)."""
    if reason not in REASONS[action]:
        raise InputError(f"unknown reason {reason!r}; use {', '.join(REASONS[action])}")
    return reason


@waiting_app.command("decline")
def decline_cmd(
    entry_id: str = typer.Argument(...),
    reason: str = typer.Option("other", help=", ".join(REASONS["decline"])),
    as_json: bool = JsonFlag,
    profile: Path = typer.Option(None, help="Scoring profile TOML."),
) -> None:
    """The offer or hold fell through (-> waiting; a hold is released)."""
    _step("decline", entry_id, _reason("decline", reason), as_json, profile)


@waiting_app.command("withdraw")
def withdraw_cmd(
    entry_id: str = typer.Argument(...),
    reason: str = typer.Option("other", help=", ".join(REASONS["withdraw"])),
    as_json: bool = JsonFlag,
    profile: Path = typer.Option(None, help="Scoring profile TOML."),
) -> None:
    """The household leaves the list (-> withdrawn; a hold is released)."""
    _step("withdraw", entry_id, _reason("withdraw", reason), as_json, profile)


@waiting_app.command("pipeline")
def pipeline_cmd(
    as_json: bool = JsonFlag, profile: Path = typer.Option(None, help="Scoring profile TOML.")
) -> None:
    """Households per status and district, with the places left."""
    answer = pipeline(get_engine(), _profile(profile))
    if as_json:
        print(answer.model_dump_json(indent=1))
        return
    table = Table(title="Pipeline per district")
    for col in ("district", "waiting", "offered", "reserved", "moved", "places left"):
        table.add_column(col, justify="left" if col == "district" else "right")
    for d in answer.districts:
        if d.waiting + d.offered + d.reserved + d.moved:
            table.add_row(
                f"{d.name} ({d.code})",
                *(str(getattr(d, s)) for s in ("waiting", "offered", "reserved", "moved")),
                str(d.places_left),
            )
    console.print(table)
    console.print(
        f"totals: {answer.totals}; waiting without a unit district: "
        f"{answer.waiting_without_district}"
    )


@waiting_app.command("potentials")
def potentials_cmd(
    as_json: bool = JsonFlag, profile: Path = typer.Option(None, help="Scoring profile TOML.")
) -> None:
    """What district places and scarce flats are worth to the households expected."""
    answer = recommend.potentials(get_engine(), _profile(profile))
    if as_json:
        print(answer.model_dump_json(indent=1))
        return
    f = answer.forecast
    console.print(
        f"{answer.waiting} waiting, {answer.free_flats} free flats; expected "
        f"{f.households_per_week} households and {f.flats_per_week} flats per week ({f.source})"
    )
    for d in answer.districts:
        if d.potential > 0:
            console.print(f"  {d.explanation}")
    for t in answer.flat_types:
        console.print(f"  {t.explanation}")


@waiting_app.command("recommend")
def recommend_cmd(
    entry: str = typer.Option(None, help="A waiting entry: which flats suit it?"),
    flat: str = typer.Option(None, help="A free flat: which households does it suit?"),
    top: int = typer.Option(10, min=1, max=100),
    as_json: bool = JsonFlag,
    profile: Path = typer.Option(None, help="Scoring profile TOML."),
) -> None:
    """Recommendations with look-ahead for a waiting household or a free flat."""
    if (entry is None) == (flat is None):
        raise InputError("give exactly one of --entry or --flat")
    prof, engine, key = _profile(profile), get_engine(), store.cli_caller()
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
        print(answer.model_dump_json(indent=1))
        return
    console.print(f"{answer.verdict}: {answer.explanation}")
    table = Table()
    for col in ("flat" if entry else "entry", "score", "value", "plan", "why"):
        table.add_column(col)
    for key_, score, value, planned, why in rows:
        table.add_row(key_, f"{score:.1f}", f"{value:.1f}", "yes" if planned else "", why)
    console.print(table)


@waiting_app.command("load-sample")
def load_sample_cmd(profile: Path = typer.Option(None, help="Scoring profile TOML.")) -> None:
    """Load the ILLUSTRATIVE sample waiting list (idempotent; needs the scored sample)."""
    counts = load_sample_waiting_list(get_engine(), _profile(profile))
    console.print("sample waiting list (ILLUSTRATIVE): " + json.dumps(counts))
