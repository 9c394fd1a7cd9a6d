"""``geo-service allocate``: place a batch of households, optimal beside greedy."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, print_json, progress, say, show_table, to_json
from geo_service.cli.options import ProfilePath
from geo_service.errors import InputError
from geo_service.i18n import _

if TYPE_CHECKING:
    from geo_service.allocation.results import Allocation

SHOWN_REASONS = 10


def show_allocation(result: Allocation, batch_size: int) -> None:
    """Totals, the per-district table with a legend, and the unplaced households' reasons."""
    b = result.baseline
    gap = "" if result.mip_gap is None else f", gap {result.mip_gap:.2g}"
    say(
        f"{result.method}: placed {result.placed} of {batch_size}, objective "
        f"{result.objective:,.1f} in {result.solve_seconds:.1f} s{gap}; greedy baseline: "
        f"placed {b.placed}, objective {b.objective:,.1f}; utilisation spread "
        f"{result.fairness.utilisation_spread:.2f}"
    )
    say(f"solved by {result.solve_path}: {result.solve_detail}")
    w = result.wishes
    if w.stated:
        say(
            _(
                "wishes: {met} of {stated} households with wished districts placed in one "
                "({first} in their first)"
            ).format(met=w.met, stated=w.stated, first=w.first_choice)
        )
    used = [d for d in result.districts if d.placed or d.capacity]
    show_table(
        "Placements per district",
        [
            ("code", "left"),
            ("district", "left"),
            ("cap", "right"),
            ("before", "right"),
            ("+", "right"),
            ("after", "right"),
            ("use", "right"),
        ],
        [
            (
                d.code,
                d.name,
                d.capacity,
                d.before,
                f"+{d.placed}" if d.placed else "",
                d.after,
                f"{d.after / d.capacity:.0%}" if d.capacity else "–",
            )
            for d in used
        ],
        {
            "cap": "capacity of the planning period (scaled in a scenario)",
            "+": "households of this batch placed there",
            "use": "after / cap",
        },
    )
    if result.unplaced_reasons:
        counts = Counter(u.code for u in result.unplaced_reasons)
        say(
            f"unplaced: {result.unplaced} ("
            + ", ".join(f"{code} {n}" for code, n in counts.most_common())
            + ")"
        )
        for u in result.unplaced_reasons[:SHOWN_REASONS]:
            say(f"  household {u.ref or u.household}: {u.reason}")
        if result.unplaced > SHOWN_REASONS:
            console.print(f"  ... {result.unplaced - SHOWN_REASONS} more: --out FILE or --json")


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
    with progress("scoring households") as step:
        result = allocate(engine, prof, batch, method, capacity_scale, exclude_district or [], step)
    result = record_run(engine, result, batch, prof, key=None)
    if out:
        out.write_text(json.dumps(to_json(result), indent=1, ensure_ascii=False) + "\n")
    if as_json:
        print_json(result)
        return
    show_allocation(result, len(batch))
    if out:
        console.print(f"wrote {out}")


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
        (key, a.get(key), b.get(key)) for key in ("method", "placed", "unplaced", "objective")
    ]
    totals += [
        (key, a.get("fairness", {}).get(key), b.get("fairness", {}).get(key))
        for key in ("utilisation_spread", "mean_score", "min_score")
    ]
    show_table("Scenarios", [("", "left"), ("A", "right"), ("B", "right")], totals)
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
    show_table(
        "Placements per district (after the batch)",
        [
            ("district", "left"),
            ("cap A", "right"),
            ("after A", "right"),
            ("cap B", "right"),
            ("after B", "right"),
            ("B - A", "right"),
        ],
        rows,
        {"cap": "capacity", "after": "placements after the batch"},
    )
