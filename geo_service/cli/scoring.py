"""``geo-service score``, ``geo-service rank`` and ``geo-service districts``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from geo_service.cli.app import app
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.db import models
from geo_service.db.engine import get_engine
from geo_service.errors import InputError
from geo_service.scoring.districts import public_view
from geo_service.scoring.household import parse_household
from geo_service.scoring.pipeline import held_flats, load_ranker, score_all

console = Console(highlight=False, soft_wrap=True)
STEPS = ("read", "features", "write", "districts", "area_scores")


@app.command()
def score(profile: ProfilePath = None) -> None:
    """(Re)compute flat features, district status and H3 area scores."""
    prof = profile_from(profile)
    start = time.perf_counter()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("reading flats, amenities and offers", total=len(STEPS))
        labels = iter(
            [
                "computing features (cKDTree)",
                "writing flat_features (COPY)",
                "district index",
                "H3 area scores",
                "done",
            ]
        )
        summary = score_all(
            get_engine(), prof, step=lambda _: bar.update(task, advance=1, description=next(labels))
        )
    total = time.perf_counter() - start
    console.print(
        f"scored {summary.flats} flats ({summary.feature_rows} feature rows), "
        f"{summary.districts} districts, {summary.cells} H3 cells in {total:.1f} s "
        f"({', '.join(f'{k} {v:.2f} s' for k, v in summary.seconds.items())}); "
        f"profile {prof.version[:19]}"
    )


def read_household_arg(value: str) -> str:
    """The household JSON from a file path or the argument itself."""
    path = Path(value)
    if not value.lstrip().startswith("{") and path.exists():
        return path.read_text(encoding="utf-8")
    if not value.lstrip().startswith("{"):
        raise InputError(f"household: {value!r} is neither a JSON object nor an existing file")
    return value


@app.command()
def rank(
    household: str = typer.Option(..., help="Household profile: JSON text or a JSON file."),
    top: int = typer.Option(10, min=1, max=10_000, help="How many flats to list."),
    as_json: bool = typer.Option(False, "--json", help="Print the ranked flats as JSON."),
    profile: ProfilePath = None,
) -> None:
    """Rank available flats for a household, with explanations."""
    prof = profile_from(profile)
    hh = parse_household(read_household_arg(household), prof)
    engine = get_engine()
    results = load_ranker(engine, prof).rank(hh, top, held=held_flats(engine))
    if as_json:
        print(json.dumps(results, sort_keys=True, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Top {len(results)} flats (profile {prof.version[:15]}...)")
    for col in ("rank", "flat", "placement", "infra", "district", "B", "top contributions"):
        table.add_column(col)
    for r in results:
        best = sorted(r["contributions"].items(), key=lambda kv: -kv[1])[:3]
        table.add_row(
            str(r["rank"]),
            r["flat_id"],
            f"{r['placement_score']:.2f}",
            f"{r['infrastructure_score']:.2f}",
            r["district"]["name"] or "",
            f"{r['district']['factor']:.2f}",
            ", ".join(f"{k} {v:.1f}" for k, v in best),
        )
    console.print(table)
    if not results:
        console.print("no flat passes every hard constraint for this household")


@app.command("districts")
def districts_cmd() -> None:
    """Show the district index, classes, capacity and utilisation (small districts suppressed)."""
    ds, d = models.district_status, models.districts
    with get_engine().connect() as conn:
        rows = (
            conn.execute(
                select(ds, d.c.name).join(d, d.c.code == ds.c.district_code).order_by(d.c.code)
            )
            .mappings()
            .all()
        )
    if not rows:
        raise InputError("no district status yet: run `geo-service score`")
    table = Table(title="Districts (illustrative sample data)")
    for col in ("code", "name", "index", "class", "capacity", "placed", "utilisation", "B"):
        table.add_column(col)
    for row in rows:
        v = public_view(dict(row))
        fmt = lambda x, f="{}": "suppressed" if x is None else f.format(x)  # noqa: E731
        table.add_row(
            str(v["district_code"]),
            str(v["name"]),
            fmt(v["status_index"], "{:+.2f}"),
            fmt(v["status_class"]),
            fmt(v["capacity"]),
            fmt(v["placements"]),
            fmt(v["utilisation"], "{:.0%}"),
            fmt(v["factor"], "{:.2f}"),
        )
    console.print(table)
