"""``geo-service allocate``: place a batch of households, optimal beside greedy."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from geo_service.cli.app import app
from geo_service.cli.common import (
    console,
    print_json,
    progress,
    say,
    show_table,
    to_json,
    words,
)
from geo_service.cli.options import ProfilePath
from geo_service.errors import InputError
from geo_service.i18n import N_, _, formats, ngettext

if TYPE_CHECKING:
    from geo_service.allocation.results import Allocation

SHOWN_REASONS = 10
METHODS = {
    "optimal": N_("optimal"),
    "greedy": N_("greedy (best flat now)"),
    "balanced": N_("balanced (quotas used evenly)"),
}
UNPLACED = {
    "no_fitting_flat": N_("no fitting flat"),
    "districts_full": N_("districts full"),
    "services_full": N_("services full"),
    "outranked": N_("fitting flats went to others"),
    "below_min_score": N_("below the minimum score"),
}
TOTALS = {
    "method": N_("method"),
    "placed": N_("placed"),
    "unplaced": N_("unplaced"),
    "objective": N_("objective"),
    "utilisation_spread": N_("utilisation spread"),
    "mean_score": N_("mean score"),
    "min_score": N_("lowest score"),
}


def show_allocation(result: Allocation, batch_size: int) -> None:
    """Totals, the per-district table with a legend, and the unplaced households' reasons."""
    b = result.baseline
    gap = (
        ""
        if result.mip_gap is None
        else _(", gap {gap}").format(gap=formats.plain(float(f"{result.mip_gap:.2g}")))
    )
    say(
        _(
            "{method}: placed {placed} of {batch}, objective {objective} in {seconds} s{gap}; "
            "greedy baseline: placed {base_placed}, objective {base_objective}; utilisation "
            "spread {spread}"
        ).format(
            method=words(METHODS, result.method),
            placed=result.placed,
            batch=batch_size,
            objective=formats.number(result.objective, 1),
            seconds=formats.number(result.solve_seconds, 1),
            gap=gap,
            base_placed=b.placed,
            base_objective=formats.number(b.objective, 1),
            spread=formats.number(result.fairness.utilisation_spread, 2),
        )
    )
    say(_("how it was solved: {detail}").format(detail=result.solve_detail))
    w = result.wishes
    if w.stated:
        say(
            _(
                "wishes: {met} of {stated} households with wished districts placed in one "
                "({first} in their first)"
            ).format(met=w.met, stated=w.stated, first=w.first_choice)
        )
    used = [d for d in result.districts if d.placed or d.capacity]
    cap, after, use = _("cap"), _("after"), _("use")
    show_table(
        _("Placements per district"),
        [
            (_("code"), "left"),
            (_("district"), "left"),
            (cap, "right"),
            (_("before"), "right"),
            ("+", "right"),
            (after, "right"),
            (use, "right"),
        ],
        [
            (
                d.code,
                d.name,
                d.capacity,
                d.before,
                f"+{d.placed}" if d.placed else "",
                d.after,
                formats.percent(d.after / d.capacity) if d.capacity else "–",
            )
            for d in used
        ],
        {
            cap: _("capacity of the planning period (scaled in a scenario)"),
            "+": _("households of this batch placed there"),
            use: f"{after} / {cap}",
        },
    )
    if result.unplaced_reasons:
        counts = Counter(u.code for u in result.unplaced_reasons)
        say(
            _("unplaced: {n} ({reasons})").format(
                n=result.unplaced,
                reasons=", ".join(f"{words(UNPLACED, c)} {n}" for c, n in counts.most_common()),
            )
        )
        for u in result.unplaced_reasons[:SHOWN_REASONS]:
            say(_("  household {ref}: {reason}").format(ref=u.ref or u.household, reason=u.reason))
        if result.unplaced > SHOWN_REASONS:
            more = result.unplaced - SHOWN_REASONS
            console.print(
                ngettext(
                    "  ... {n} more household: --out FILE or --json",
                    "  ... {n} more households: --out FILE or --json",
                    more,
                ).format(n=more)
            )


@app.command("allocate")
def allocate_cmd(
    households: Path = typer.Option(
        ..., help="Households: JSON list or CSV (optional 'ref' with a case reference)."
    ),
    method: str = typer.Option(
        "optimal", help="optimal (MILP, HiGHS), greedy, or balanced (quotas used evenly)."
    ),
    out: Path = typer.Option(None, help="Write the allocation as JSON here."),
    capacity_scale: float = typer.Option(1.0, help="Scenario: scale every district's capacity."),
    exclude_district: list[str] = typer.Option(None, help="Scenario: no placements here."),
    as_json: bool = typer.Option(False, "--json", help="Print the allocation as JSON."),
    profile: ProfilePath = None,
) -> None:
    """Place a batch of households under district capacities; greedy is reported beside it."""
    from geo_service.allocation.service import allocate, record_run
    from geo_service.cli.options import profile_from
    from geo_service.db.engine import get_engine
    from geo_service.scoring.household import read_households

    prof = profile_from(profile)
    batch = read_households(households, prof)
    engine = get_engine()
    with progress(_("scoring households")) as step:
        result = allocate(engine, prof, batch, method, capacity_scale, exclude_district or [], step)
    result = record_run(engine, result, batch, prof, key=None)
    if out:
        out.write_text(json.dumps(to_json(result), indent=1, ensure_ascii=False) + "\n")
    if as_json:
        print_json(result)
        return
    show_allocation(result, len(batch))
    if out:
        console.print(_("wrote {file}").format(file=out))


def load_run(path: Path) -> dict[str, Any]:
    """An allocation written by ``allocate --out``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            _("{path}: not an allocation file ({error})").format(path=path, error=exc)
        ) from None
    if not isinstance(doc, dict) or "districts" not in doc or "placed" not in doc:
        raise InputError(
            _("{path}: not an allocation file (no “districts” or “placed”)").format(path=path)
        )
    return doc


@app.command("allocate-compare")
def compare_cmd(
    first: Path = typer.Argument(..., help="Allocation JSON (scenario A)."),
    second: Path = typer.Argument(..., help="Allocation JSON (scenario B)."),
) -> None:
    """Compare two allocation runs for planners: totals, fairness, capacity use per district."""
    a, b = load_run(first), load_run(second)
    totals = [
        (_(TOTALS[key]), a.get(key), b.get(key))
        for key in ("method", "placed", "unplaced", "objective")
    ]
    totals += [
        (_(TOTALS[key]), a.get("fairness", {}).get(key), b.get("fairness", {}).get(key))
        for key in ("utilisation_spread", "mean_score", "min_score")
    ]
    show_table(_("Scenarios"), [("", "left"), ("A", "right"), ("B", "right")], totals)
    console.print(f"  A: {first.name}\n  B: {second.name}")
    bd = {d["code"]: d for d in b["districts"]}
    rows = []
    for d in a["districts"]:
        o = bd.get(d["code"], {"capacity": 0, "after": d["before"]})
        rows.append(
            (
                d["code"],
                d["capacity"],
                d["after"],
                o["capacity"],
                o["after"],
                f"{o['after'] - d['after']:+d}",
            )
        )
    cap, after = _("cap"), _("after")
    show_table(
        _("Placements per district (after the batch)"),
        [
            (_("district"), "left"),
            (f"{cap} A", "right"),
            (f"{after} A", "right"),
            (f"{cap} B", "right"),
            (f"{after} B", "right"),
            ("B - A", "right"),
        ],
        rows,
        {cap: _("capacity"), after: _("placements after the batch")},
    )
