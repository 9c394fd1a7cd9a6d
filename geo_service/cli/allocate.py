"""``geo-service allocate``: place a batch of households, optimal beside greedy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from geo_service.allocation.service import allocate, public, record_run
from geo_service.cli.app import app
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.db.engine import get_engine
from geo_service.errors import InputError
from geo_service.scoring.household import read_households

console = Console(highlight=False, soft_wrap=True)


@app.command("allocate")
def allocate_cmd(
    households: Path = typer.Option(..., help="Households: JSON list or CSV."),
    method: str = typer.Option("optimal", help="optimal (MILP, HiGHS) or greedy."),
    out: Path = typer.Option(None, help="Write the allocation as JSON here."),
    capacity_scale: float = typer.Option(1.0, help="Scenario: scale every district's capacity."),
    exclude_district: list[str] = typer.Option(None, help="Scenario: no placements here."),
    profile: ProfilePath = None,
) -> None:
    """Place a batch of households under district capacities; greedy is reported beside it."""
    prof = profile_from(profile)
    batch = read_households(households, prof)
    engine = get_engine()
    result = allocate(engine, prof, batch, method, capacity_scale, exclude_district or [])
    record_run(engine, result, batch, prof, key=None)
    result = public(result)
    b = result["baseline"]
    console.print(
        f"{method}: placed {result['placed']} of {len(batch)}, objective {result['objective']}"
        f" in {result['solve_seconds']} s (gap {result['mip_gap']}); greedy: placed {b['placed']},"
        f" objective {b['objective']}; "
        f"utilisation spread {result['fairness']['utilisation_spread']}"
    )
    if out:
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        console.print(f"wrote {out}")


def load_run(path: Path) -> dict[str, Any]:
    """An allocation written by ``allocate --out``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not an allocation file ({exc})") from None
    if not isinstance(doc, dict) or "districts" not in doc or "placed" not in doc:
        raise InputError(f"{path}: not an allocation file (no 'districts' or 'placed')")
    return doc


@app.command("allocate-compare")
def compare_cmd(
    first: Path = typer.Argument(..., help="Allocation JSON (scenario A)."),
    second: Path = typer.Argument(..., help="Allocation JSON (scenario B)."),
) -> None:
    """Compare two allocation runs for planners: totals, fairness, capacity use per district."""
    a, b = load_run(first), load_run(second)
    totals = Table("", first.name, second.name, title="Scenarios")
    for key in ("method", "placed", "unplaced", "objective"):
        totals.add_row(key, str(a.get(key)), str(b.get(key)))
    for key in ("utilisation_spread", "mean_score", "min_score"):
        totals.add_row(
            key, str(a.get("fairness", {}).get(key)), str(b.get("fairness", {}).get(key))
        )
    console.print(totals)
    per = Table(
        "district",
        "capacity A",
        "after A",
        "capacity B",
        "after B",
        "difference",
        title="Placements per district (after the batch)",
    )
    bd = {d["code"]: d for d in b["districts"]}
    for d in a["districts"]:
        o = bd.get(d["code"], {"capacity": 0, "after": d["before"]})
        per.add_row(
            d["code"],
            str(d["capacity"]),
            str(d["after"]),
            str(o["capacity"]),
            str(o["after"]),
            f"{o['after'] - d['after']:+d}",
        )
    console.print(per)
