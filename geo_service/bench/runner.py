"""Run benchmark measurements in a temporary database and report them beside their baselines."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo_service.bench.synthetic import BENCH_SRID
from geo_service.db import migrate
from geo_service.db.crs import from_srid
from geo_service.db.engine import admin_url, make_engine

Entry = dict[str, Any]


@dataclass(frozen=True)
class BenchContext:
    """What every measurement gets: sizes, a scratch directory and a migrated temporary DB."""

    flats: int
    amenities: int
    database_url: str
    workdir: Path
    runs: int = 5  # timed runs of a command whose median an entry reports (cli_*)

    def at_most(self, n: int) -> int:
        """``n`` (an entry's own size), or ``--flats`` when that is smaller: a small run (the
        smoke test's) stays small, the default run measures at the entry's size."""
        return min(n, self.flats)


Measurement = Callable[[BenchContext], list[Entry]]


@contextmanager
def temporary_database() -> Iterator[str]:
    """Create a migrated scratch database on the configured server (as a role that may create
    databases, which then owns it); drop it afterwards."""
    server = make_url(admin_url())
    name = f"gs_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        migrate.upgrade(engine, from_srid(BENCH_SRID))
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(fn: Callable[[], object]) -> float:
    """Run ``fn`` once and return the wall-clock seconds it took."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def with_baseline(entry: Entry, seconds: float, baseline: str, baseline_seconds: float) -> Entry:
    """Add our seconds, the baseline's and their ratio (ours / baseline) to ``entry``."""
    return {
        **entry,
        "seconds": round(seconds, 4),
        "baseline": baseline,
        "baseline_seconds": round(baseline_seconds, 4),
        "ratio_to_baseline": round(seconds / baseline_seconds, 4) if baseline_seconds else None,
    }


def machine() -> Entry:
    """Facts about the machine the figures were measured on."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_all(
    measurements: Sequence[tuple[str, Measurement]],
    flats: int,
    amenities: int,
    console: Console,
    runs: int = 5,
) -> list[Entry]:
    """Run each measurement in its own scratch database; a failing one is reported, not fatal."""
    entries: list[Entry] = []
    for label, measure in measurements:
        console.print(f"[bold]bench[/bold] {label} ...")
        with tempfile.TemporaryDirectory() as tmp, temporary_database() as url:
            try:
                entries.extend(measure(BenchContext(flats, amenities, url, Path(tmp), runs)))
            except Exception as exc:  # a broken measurement must not hide the others
                entries.append({"name": label, "error": f"{type(exc).__name__}: {exc}"})
    host = machine()
    return [{**e, "machine": host} for e in entries]


def verdict(entry: Entry) -> str:
    """Say whether ``entry`` met its target (``target_*`` keys), plainly."""
    checks = []
    for key, target in entry.items():
        if not key.startswith("target_") or target is None:
            continue
        measured_key = key.removeprefix("target_")
        measured = entry.get(measured_key)
        if measured is None:
            continue
        higher_is_better = measured_key.endswith(("speedup", "per_s", "above_greedy", "share"))
        ok = measured >= target if higher_is_better else measured <= target
        checks.append(f"{measured_key} {'met' if ok else 'MISSED'} ({measured} vs {target})")
    return "; ".join(checks) or "-"


def report(entries: list[Entry], console: Console, out: Path | None) -> None:
    """Print a table of all entries and write them as JSON to ``out``."""
    table = Table(title=f"geo-service bench ({machine()['cores']} cores)", expand=False)
    for col in ("name", "size", "seconds", "baseline", "baseline s", "ratio", "target"):
        table.add_column(col)
    for e in entries:
        table.add_row(
            str(e.get("name")),
            str(e.get("size", "")),
            str(e.get("seconds", e.get("error", ""))),
            str(e.get("baseline", f"{e['peer']}: not installed" if "peer_missing" in e else "")),
            str(e.get("baseline_seconds", "")),
            str(e.get("ratio_to_baseline", "")),
            verdict(e),
        )
    console.print(table)
    for e in entries:
        if "peer_missing" in e:
            console.print(
                f"{e['name']}: no ratio to {e['peer']}: {e['peer_missing']}", markup=False
            )
    if out:
        out.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")
        console.print(f"wrote {len(entries)} entries to {out}")
