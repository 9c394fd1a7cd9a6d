"""Small counts of households in public output: one mechanism for every table that shows them.

A table is a list of cells (counts) and its margins: each margin a published sum over some of
the cells (a list with its total: one margin over every cell; a two-way table: its rows, its
columns and the grand total; two tables that share a total: two margins of one name, one value).

*Primary suppression* hides every count from 1 to ``min_cell`` - 1 (shown "< 3"), and cells
hidden for another reason (a district under the minimum population) stay hidden. *Secondary
suppression* then makes sure that no hidden cell can be worked out from what is published. A
reader knows a cell shown "< 3" lies in [1, 2] and any other hidden cell ("×", or the caller's
own word) in [floor, ∞); the published cells and margins are linear equations. A hidden cell is
protected when the least and the greatest value it can take under them differ. Both come from
a linear programme (HiGHS through scipy): the equations of such tables are totally unimodular,
so the bounds are whole numbers and two different bounds mean at least two possible counts.
While a cell is not protected, the smallest published count sharing an equation with it is
hidden too ("×", the classic choice: it loses the least); when none is left, the sum itself
(the margin); then a zero of the same equations (when zeros may be hidden); last, a small cell
of them is shown "×" instead of "< 3" (its range no longer ends at 2). Each step hides more, so
the loop ends, at worst with every cell of the equations hidden.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement

Why = Literal["small", "secondary", "other"]
SMALL, SECONDARY = "< {n}", "×"  # as a cell shows it (× for a cell hidden to protect another)


@dataclass(frozen=True)
class Table:
    """Counts and the sums over them that are published; ``other``: cells hidden for another
    reason; ``floor``: what every cell (or each cell) is known to be at least (1 where only
    rows with a count are listed)."""

    values: Sequence[int]
    margins: Sequence[tuple[str, Sequence[int]]] = ()
    other: frozenset[int] = frozenset()
    floor: int | Sequence[int] = 0

    def floor_of(self, i: int) -> int:
        """What cell ``i`` is known to be at least."""
        return self.floor if isinstance(self.floor, int) else self.floor[i]


@dataclass(frozen=True)
class Suppression:
    """Which cells (and why) and which margins a table hides."""

    cells: dict[int, Why] = field(default_factory=dict)
    margins: frozenset[str] = frozenset()

    def shown(self, i: int, min_cell: int) -> str | None:
        """How cell ``i`` is printed when hidden as small or secondary (None: its value, or
        the caller's own word for a cell hidden for another reason)."""
        why = self.cells.get(i)
        if why == "small":
            return SMALL.format(n=min_cell)
        return SECONDARY if why == "secondary" else None


def is_small(count: int | None, min_cell: int) -> bool:
    """A count primary suppression hides: 1 .. min_cell - 1."""
    return count is not None and 0 < count < min_cell


def small_sql(count: ColumnElement[Any], min_cell: int) -> ColumnElement[bool]:
    """``is_small`` as SQL, for outputs filtered in the database (OGC API – Features)."""
    return count.between(1, min_cell - 1)


def bounds(table: Table, sup: Suppression, min_cell: int) -> list[tuple[float, float]]:
    """What a reader knows of each cell: its value when published, else the range its mark
    allows."""
    out = []
    for i, v in enumerate(table.values):
        why = sup.cells.get(i)
        if why is None:
            out.append((float(v), float(v)))
        elif why == "small":
            out.append((float(max(1, table.floor_of(i))), float(min_cell - 1)))
        else:
            out.append((float(table.floor_of(i)), math.inf))
    return out


def intervals(table: Table, sup: Suppression, min_cell: int) -> dict[int, tuple[float, float]]:
    """The least and greatest value each hidden cell can take given what is published (a
    linear programme per bound; a cell in no published equation keeps its mark's range)."""
    known = bounds(table, sup, min_cell)
    names = sorted({name for name, _ in table.margins})
    tied = {i for _, cells in table.margins for i in cells}
    out = {i: known[i] for i in sup.cells if i not in tied}
    todo = [i for i in sup.cells if i in tied]
    if not todo:
        return out
    import numpy as np
    from scipy.optimize import linprog

    n = len(table.values)
    totals = {name: 0 for name in names}
    for name, cells in table.margins:
        totals[name] = sum(table.values[i] for i in cells)
    rows = np.zeros((len(table.margins), n + len(names)))
    for r, (name, cells) in enumerate(table.margins):
        rows[r, list(cells)] = -1.0
        rows[r, n + names.index(name)] = 1.0
    var_bounds = [(lo, None if hi == math.inf else hi) for lo, hi in known]
    var_bounds += [
        (0.0, None) if name in sup.margins else (float(totals[name]), float(totals[name]))
        for name in names
    ]
    zero = np.zeros(len(table.margins))
    for i in todo:
        goal = np.zeros(n + len(names))
        found = []
        for sign in (1.0, -1.0):
            goal[i] = sign
            res = linprog(goal, A_eq=rows, b_eq=zero, bounds=var_bounds, method="highs")
            if res.status == 3:  # unbounded: the cell can be as large as anything
                found.append(math.inf)
            else:
                assert res.status == 0, res.message
                found.append(sign * res.fun)
        out[i] = (found[0], found[1])
    return out


def exposed(table: Table, sup: Suppression, min_cell: int) -> list[int]:
    """The hidden cells a reader can work out exactly (their range is one value)."""
    return [i for i, (lo, hi) in sorted(intervals(table, sup, min_cell).items()) if hi - lo < 0.5]


def suppress(table: Table, min_cell: int) -> Suppression:
    """Primary and secondary suppression of ``table``: every small count hidden, then more
    (see the module's docstring) until no hidden cell can be worked out."""
    cells: dict[int, Why] = {i: "other" for i in table.other}
    cells |= {
        i: "small" for i, v in enumerate(table.values) if i not in cells and is_small(v, min_cell)
    }
    hidden: set[str] = set()
    totals: dict[str, int] = {}
    for name, members in table.margins:
        totals[name] = sum(table.values[i] for i in members)
    while True:
        sup = Suppression(dict(cells), frozenset(hidden))
        found = exposed(table, sup, min_cell)
        if not found:
            return sup
        u = found[0]
        names = {name for name, members in table.margins if u in members}
        linked = sorted({i for name, members in table.margins if name in names for i in members})
        counts = [i for i in linked if i not in cells and table.values[i] > 0]
        zeros = [i for i in linked if i not in cells and table.floor_of(i) == 0]
        small = [i for i in sorted(linked, key=lambda i: i != u) if cells.get(i) == "small"]
        open_names = sorted(names - hidden, key=lambda name: (totals[name], name))
        if counts:
            cells[min(counts, key=lambda i: (table.values[i], i))] = "secondary"
        elif open_names:
            hidden.add(open_names[0])
        elif zeros:
            cells[zeros[0]] = "secondary"
        elif small:
            cells[small[0]] = "secondary"
        else:  # cannot happen: every cell of u's equations is hidden, none ends at min_cell - 1
            raise AssertionError(f"cell {u} of {table} cannot be protected")
