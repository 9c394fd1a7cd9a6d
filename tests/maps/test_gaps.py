"""The offers map's coverage-gap layer read as a planner reads it: whole-number classes that
do not overlap, more gaps darker, and districts without households not passed off as "no gap"
(pure: synthetic districts, no database)."""

from __future__ import annotations

import itertools
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_service.catalogue.results import CoverageRow
from geo_service.catalogue.service import public_rows
from geo_service.maps.builders import gaps_layer
from geo_service.maps.data import gap_table
from geo_service.maps.labels import labels_for
from geo_service.maps.legend import count_classes

COUNTS = [0, 0, 1, 2, 3, 5, 8, 13, 40, 49]  # many zeros and a long tail, as gap counts are


def lightness(colour: str) -> float:
    """Relative luminance of a #rrggbb colour (WCAG), 0 black .. 1 white."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def ranges(labels: list[str]) -> list[tuple[int, int]]:
    """ "3 – 5" -> (3, 5), "7" -> (7, 7); anything else fails the test."""
    out = []
    for text in labels:
        m = re.fullmatch(r"(\d+)(?: – (\d+))?(?: \(.*\))?", text)
        assert m, text
        out.append((int(m.group(1)), int(m.group(2) or m.group(1))))
    return out


@pytest.mark.parametrize("values", [COUNTS, [0, 46, 49], [7], [0, 0], list(range(0, 157, 3))])
def test_count_classes_are_whole_ascending_and_darker(values: list[int]) -> None:
    """0 alone, then whole-number classes that neither overlap nor leave a count out, each
    darker than the one before."""
    classes = count_classes([float(v) for v in values], "OrRd")
    items = classes.items(labels_for("de"), 0.0, lambda v: f"{v:.0f}")
    spans = ranges([t for _, t in items])
    assert spans[0] == (0, 0)
    for (_, hi), (lo, _) in itertools.pairwise(spans):
        assert lo > hi, spans  # no "0 – 0" then "0 – 49"
    for v in values:
        inside = [i for i, (lo, hi) in enumerate(spans) if lo <= v <= hi]
        assert len(inside) == 1 and classes.colour(v) == classes.colours[inside[0]], (v, spans)
    shades = [lightness(c) for c in classes.colours]
    assert shades == sorted(shades, reverse=True), classes.colours


def test_gap_layer_colours_counts_and_names_districts_without_households() -> None:
    """Districts with more gaps are darker; a district where households live and every pair
    is served says "keine Lücke"; one without households says that gaps count only where
    households live, in the tooltip and in the legend; classes read "0 (keine Lücke)", then
    whole ranges."""
    squares = [shapely.box(i, 0, i + 1, 1) for i in range(len(COUNTS) + 1)]
    d = gpd.GeoDataFrame(
        {"code": [f"D{i}" for i in range(len(squares))], "name": [f"Ort {i}" for i in range(11)]},
        geometry=gpd.GeoSeries(squares, crs=4326),
    ).rename_geometry("geom")
    gaps = pd.DataFrame(
        {
            "code": [f"D{i}" for i in range(len(COUNTS))],  # the last district: no households
            "n_gaps": COUNTS,
            "gaps": ["counselling: ti" if n else "" for n in COUNTS],
        }
    )
    geo, legend = gaps_layer(d, gaps, 2.0)
    props = [f["properties"] for f in geo.data["features"]]
    assert "keine Lücke" in props[0]["tip"] and "Haushalte" not in props[0]["tip"]
    assert "Beratung: Tigrinya (ti)" in props[2]["tip"]
    assert "nur, wo Haushalte wohnen" in props[-1]["tip"]
    shades = [lightness(p["c"]) for p in props[:-1]]
    for (n1, s1), (n2, s2) in itertools.pairwise(sorted(zip(COUNTS, shades, strict=True))):
        assert n1 == n2 or s1 >= s2, (n1, n2)
    assert props[-1]["c"] not in [p["c"] for p in props[:-1]]
    texts = [t for _, t in legend.items]
    assert texts[0] == "0 (keine Lücke)"
    assert "nur, wo Haushalte wohnen" in texts[-1]
    ranges(texts[:-1])
    assert geo.options.get("pane") == "gaps"


def test_gap_table_keeps_districts_with_households_and_no_gap() -> None:
    """A district whose households reach every offer has a row with 0 gaps (it is "keine
    Lücke"), a district without households has none (it is "not counted")."""

    def row(code: str, category: str, language: str, gap: bool) -> CoverageRow:
        """One coverage row of two homes."""
        return CoverageRow(
            district_code=code,
            category=category,
            language=language,
            households=2,
            access_per_household=0.0 if gap else 1.0,
            without_offer_in_reach=2 if gap else 0,
            gap=gap,
        )

    rows = [
        row("AAA", "counselling", "ti", True),
        row("AAA", "counselling", "so", True),
        row("AAA", "language_course", "ti", False),
        row("BBB", "counselling", "ti", False),
    ]
    table = gap_table(rows).set_index("code")
    assert table.loc["AAA", "n_gaps"] == 2 and table.loc["AAA", "gaps"] == "counselling: so, ti"
    assert table.loc["BBB", "n_gaps"] == 0 and table.loc["BBB", "gaps"] == ""
    assert "CCC" not in table.index
    assert list(gap_table([]).columns) == ["code", "n_gaps", "gaps"]


def test_a_gap_never_tells_the_language_of_fewer_than_min_cell_households() -> None:
    """The public gap layer, the OGC gaps and the report's gap changes read ``public_rows``: a
    district's language spoken by one or two households is no gap of the district (it told
    where a single household of that language lives), three households are."""

    def row(language: str, households: int) -> CoverageRow:
        """A gap row of ``households`` homes."""
        return CoverageRow(
            district_code="AAA",
            category="counselling",
            language=language,
            households=households,
            access_per_household=0.0,
            without_offer_in_reach=households,
            gap=True,
        )

    rows = [row("ln", 1), row("ti", 2), row("so", 3)]
    table = gap_table(public_rows(rows, 3)).set_index("code")
    assert table.loc["AAA", "gaps"] == "counselling: so" and table.loc["AAA", "n_gaps"] == 1
    assert [r.language for r in public_rows(rows, 4)] == []
