"""Secondary suppression: for random tables, no hidden cell can be worked out from the published
cells and margins. Checked independently of the mechanism's linear programme: exact reasoning
for one-way tables, an integer programme (scipy's MILP) for two-way tables."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from geo_service.suppression import Suppression, Table, bounds, suppress

MIN_CELLS = st.integers(3, 5)
COUNTS = st.integers(0, 12)


def one_way_range(table: Table, sup: Suppression, m: int, i: int) -> tuple[float, float]:
    """Exact range of hidden cell ``i`` of a one-way table with one total: the total minus the
    published cells is the hidden cells' sum; each lies within its mark's range."""
    known = bounds(table, sup, m)
    hidden = sorted(sup.cells)
    if sup.margins:  # the total is hidden too: only the cell's own mark
        return known[i]
    rest = sum(table.values) - sum(v for j, v in enumerate(table.values) if j not in sup.cells)
    others_low = sum(known[j][0] for j in hidden if j != i)
    others_high = sum(known[j][1] for j in hidden if j != i)
    low = max(known[i][0], rest - others_high)
    high = min(known[i][1], rest - others_low)
    return low, high


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(COUNTS, min_size=1, max_size=8), m=MIN_CELLS, data=st.data())
def test_no_hidden_cell_of_a_list_with_its_total_is_derivable(
    values: list[int], m: int, data: st.DataObject
) -> None:
    """A list with its total (the report's placements per district): every small count is
    hidden, and every hidden cell keeps at least two possible values."""
    other = data.draw(st.frozensets(st.integers(0, len(values) - 1), max_size=2))
    table = Table(values, [("total", range(len(values)))], other=other)
    sup = suppress(table, m)
    assert {i for i, v in enumerate(values) if 0 < v < m} <= set(sup.cells)
    for i in sup.cells:
        low, high = one_way_range(table, sup, m, i)
        assert low <= values[i] <= high
        assert high - low >= 1, (values, sorted(sup.cells.items()), sup.margins, i, low, high)


def milp_range(table: Table, sup: Suppression, m: int, i: int) -> tuple[float, float]:
    """Least and greatest whole value of hidden cell ``i`` under the published margins."""
    known = bounds(table, sup, m)
    n, names = len(table.values), sorted({name for name, _ in table.margins})
    a = np.zeros((len(table.margins), n + len(names)))
    for r, (name, cells) in enumerate(table.margins):
        a[r, list(cells)] = -1
        a[r, n + names.index(name)] = 1
    cap = sum(table.values) * 4 + 100  # far above anything feasible: "unbounded"
    low = [lo for lo, _ in known] + [0.0] * len(names)
    high = [min(hi, cap) for _, hi in known] + [float(cap)] * len(names)
    for k, name in enumerate(names):
        if name not in sup.margins:
            total = sum(table.values[j] for nm, cells in table.margins if nm == name for j in cells)
            low[n + k] = high[n + k] = total / sum(1 for nm, _ in table.margins if nm == name)
    out = []
    for sign in (1, -1):
        c = np.zeros(n + len(names))
        c[i] = sign
        res = milp(
            c,
            constraints=LinearConstraint(a, 0, 0),
            integrality=np.ones(n + len(names)),
            bounds=Bounds(low, high),
        )
        assert res.success, res.message
        out.append(sign * res.fun)
    return out[0], (math.inf if out[1] >= cap else out[1])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.integers(2, 4),
    cols=st.integers(2, 4),
    m=MIN_CELLS,
    data=st.data(),
)
def test_no_hidden_cell_of_a_two_way_table_is_derivable(
    rows: int, cols: int, m: int, data: st.DataObject
) -> None:
    """A two-way table with row, column and grand totals (e.g. waiting households by language
    and size): no hidden cell has a single possible whole value."""
    values = data.draw(st.lists(COUNTS, min_size=rows * cols, max_size=rows * cols))
    cell = lambda r, c: r * cols + c  # noqa: E731
    margins = [(f"row{r}", [cell(r, c) for c in range(cols)]) for r in range(rows)]
    margins += [(f"col{c}", [cell(r, c) for r in range(rows)]) for c in range(cols)]
    margins += [("total", list(range(rows * cols)))]
    table = Table(values, margins)
    sup = suppress(table, m)
    assert {i for i, v in enumerate(values) if 0 < v < m} <= set(sup.cells)
    for i in sup.cells:
        low, high = milp_range(table, sup, m, i)
        assert low <= values[i] <= high
        assert high - low >= 1, (values, sorted(sup.cells.items()), sup.margins, i, low, high)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.lists(COUNTS, min_size=1, max_size=6),
    m=MIN_CELLS,
    data=st.data(),
)
def test_two_lists_sharing_their_total_protect_each_other(
    first: list[int], m: int, data: st.DataObject
) -> None:
    """Placements per district and the bridge section's households (matched, unmatched per
    language) add up to the same total: hidden cells stay hidden across both."""
    total = sum(first)
    cuts = sorted(data.draw(st.lists(st.integers(0, total), min_size=1, max_size=4)))
    second = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    values = first + second
    n = len(first)
    table = Table(values, [("placed", range(n)), ("placed", range(n, len(values)))], floor=0)
    sup = suppress(table, m)
    for i in sup.cells:
        low, high = milp_range(table, sup, m, i)
        assert high - low >= 1, (first, second, sorted(sup.cells.items()), sup.margins, i)


def test_the_issues_example() -> None:
    """6 placed = Lebenstedt 5 + Salzgitter-Bad "< 3": Lebenstedt is hidden too, so Bad may
    be 1 or 2 (and Lebenstedt 4 or 5); the total stays."""
    table = Table([5, 1], [("total", [0, 1])], floor=1)
    sup = suppress(table, 3)
    assert sup.cells == {1: "small", 0: "secondary"} and not sup.margins
