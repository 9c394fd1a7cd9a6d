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
# Codes (ids, flat numbers, URLs: with a digit, "-", "_" or "/") longer than this may fold
# across lines in a table; words never do
CODE_UNBROKEN = 12


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
    """A table whose long cells wrap at spaces instead of being cut; ``columns`` are (header,
    justify), ``legend`` explains headers and symbols below it. A table that would have to break
    words to fit the terminal is printed as one block a row instead (``header  value``), as
    psql's expanded display does."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    headers = [header for header, _ in columns]
    widths = column_widths([headers, *cells], console.width)
    if widths is None:
        console.print(_blocks(title, headers, cells))
    else:
        table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
        for (header, justify), width in zip(columns, widths, strict=True):
            table.add_column(header, justify=justify, overflow="fold", width=width)  # type: ignore[arg-type]
        for row in cells:
            table.add_row(*row)
        console.print(table)
    if legend:
        for key, meaning in legend.items():
            say(f"  {key}: {meaning}")


def column_widths(rows: list[list[str]], space: int) -> list[int] | None:
    """Each column's width in a table ``space`` wide (a space-padded rule between columns,
    one at each edge): its longest line if all fit, else its longest word and a share of what is
    left by how much longer its lines are; None when the words alone do not fit."""
    columns = list(zip(*rows, strict=True))
    space -= 3 * (len(columns) - 1) + 2
    lines = [
        max(len(line) for text in column for line in [*text.splitlines(), ""]) for column in columns
    ]
    if sum(lines) <= space:
        return lines
    words = [
        max(_unbroken(word) for text in column for word in [*text.split(), ""])
        for column in columns
    ]
    if sum(words) > space:
        return None
    wants = [line - word for line, word in zip(lines, words, strict=True)]
    extra = space - sum(words)
    shares = [extra * want // sum(wants) for want in wants]
    for n in sorted(range(len(wants)), key=lambda n: -wants[n])[: extra - sum(shares)]:
        shares[n] += 1  # what the rounding down left, to the columns that want most
    return [word + share for word, share in zip(words, shares, strict=True)]


def _unbroken(word: str) -> int:
    """How many columns ``word`` needs on one line in a table: all of a word, a code's first
    ``CODE_UNBROKEN``."""
    if any(c.isdigit() or c in "-_/" for c in word):
        return min(len(word), CODE_UNBROKEN)
    return len(word)


def _blocks(title: str, headers: list[str], rows: list[list[str]]) -> Table:
    """Rows as blocks of ``header  value`` lines, a blank line between them; empty cells left
    out."""
    grid = Table(title=title, box=None, show_header=False, pad_edge=False, title_justify="left")
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for n, row in enumerate(rows):
        if n:
            grid.add_row("", "")
        for header, value in zip(headers, row, strict=True):
            if value:
                grid.add_row(header, value)
    return grid


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
