"""Shared CLI output: consoles, result models as JSON, tables that fit 80 columns with a legend,
and progress bars on stderr. Only rich is imported here, so ``--help`` stays fast."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from pydantic import BaseModel

    from geo_service.scoring.profile import ScoringProfile

console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
Step = Callable[[str, int, int], None]  # (stage, done, total)


def to_json(data: BaseModel | Sequence[BaseModel] | dict[str, Any]) -> Any:
    """Result models (or a list of them) as JSON-ready data, as the HTTP API serialises them."""
    if isinstance(data, dict):
        return data
    if isinstance(data, Sequence):
        return [item.model_dump(mode="json") for item in data]
    return data.model_dump(mode="json")


def print_json(data: BaseModel | Sequence[BaseModel] | dict[str, Any]) -> None:
    """Print to stdout as indented JSON (UTF-8, keys as in the API)."""
    sys.stdout.write(json.dumps(to_json(data), ensure_ascii=False, indent=1) + "\n")


def show_table(
    title: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    legend: dict[str, str] | None = None,
) -> None:
    """A table whose long cells wrap instead of being cut; ``columns`` are (header, justify),
    ``legend`` explains headers and symbols below it."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    for header, justify in columns:
        table.add_column(header, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
    if legend:
        for key, meaning in legend.items():
            say(f"  {key}: {meaning}")


def say(text: str) -> None:
    """A line of prose, wrapped at the terminal's width (80 columns when piped)."""
    console.print(text, soft_wrap=False, overflow="fold")


def city_moment(value: datetime) -> str:
    """A point in time as the city's clocks show it, in the reader's language
    ("06.12.2026, 14:30")."""
    from zoneinfo import ZoneInfo

    from geo_service.config import get_settings
    from geo_service.i18n import formats

    return formats.moment(value.astimezone(ZoneInfo(get_settings().timezone)))


def category_words(code: str, profile: ScoringProfile | None = None) -> str:
    """A category in words, in the reader's language: offer categories as the referral sheet
    names them, amenity categories by the profile's labels (German) or the map texts."""
    from geo_service.i18n import current_language
    from geo_service.maps.labels import Labels

    return Labels(current_language(), profile).category(code)


def words(table: dict[str, str], code: str) -> str:
    """A code in words from ``table`` of ``N_`` texts (the code itself where it lacks one)."""
    from geo_service.i18n import _

    return _(table[code]) if code in table else code


def dash(value: Any, fmt: str | Callable[[Any], str] = "{}") -> str:
    """A value formatted (by a format string or a function), or '–' when it is missing (e.g.
    suppressed)."""
    if value is None:
        return "–"
    return fmt(value) if callable(fmt) else fmt.format(value)


@contextmanager
def progress(description: str) -> Iterator[Step]:
    """A progress bar on stderr (transient); yields ``step(stage, done, total)``."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def step(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        yield step
