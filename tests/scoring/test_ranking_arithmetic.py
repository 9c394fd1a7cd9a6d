"""The ranker's arithmetic: column-wise scores equal numpy's row sums of the contributions bit
for bit; rounding whole arrays gives Python's ``round`` of each element; ties are broken by
flat id in Python's string order, whatever order the flats came in; equal explanations are
shared within an answer, a negative zero's never with a zero's."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from geo_service.scoring.decay import contributions, pairwise_sum, round_as_python, scores
from geo_service.scoring.household import Household, parse_household
from geo_service.scoring.profile import parse_profile
from geo_service.scoring.ranking import Ranker
from geo_service.scoring.results import RankedFlat
from tests.scoring.test_tiny_city import TINY


@pytest.mark.parametrize("columns", [*range(1, 40), 127, 128, 129, 200, 256, 300, 513])
def test_pairwise_sum_equals_numpys_row_sum(columns: int) -> None:
    """The same additions in the same order as ``np.sum`` along a row: equal to the last bit."""
    rng = np.random.default_rng(columns)
    rows = rng.random((2000, columns)) * rng.random(columns) * 37.0
    assert np.array_equal(pairwise_sum(list(rows.T)), rows.sum(axis=1))


@pytest.mark.parametrize("decimals", [1, 2, 3, 4])
def test_round_as_python_equals_pythons_round(decimals: int) -> None:
    """Element by element Python's ``round`` (correctly rounded, half to even), also next to
    the halves where ``np.round`` differs, for huge, negative and non-finite numbers."""
    rng = np.random.default_rng(decimals)
    halves = (rng.integers(-(10**6), 10**6, 100_000) + 0.5) / 10**decimals
    numbers = np.concatenate(
        [
            halves,
            np.nextafter(halves, -np.inf),
            np.nextafter(halves, np.inf),
            rng.random(100_000),
            rng.normal(0, 1e4, 100_000),
            rng.random(100_000) * 10.0 ** rng.integers(10, 20, 100_000),
            [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, -1e300, 2.0**60 + 0.5, 5e15, 1e-320],
        ]
    )
    python = np.array([round(x, decimals) for x in numbers.tolist()])
    assert not np.array_equal(np.round(numbers, decimals), python, equal_nan=True)
    ours = round_as_python(numbers, decimals)
    assert np.array_equal(ours, python, equal_nan=True)
    assert np.array_equal(np.signbit(ours), np.signbit(python))


def test_scores_equal_the_summed_contributions() -> None:
    """S from the Fortran-ordered values (all rows, or some rows in any order) equals the row
    sums of the contributions, and is 0 when every weight is 0."""
    rng = np.random.default_rng(7)
    values = np.minimum(1.0, rng.random((5000, 15)) * 1.3)
    values[rng.random(values.shape) < 0.2] = 0.0
    weights = rng.random(15) * 3.0
    expected = contributions(values, weights).sum(axis=1)
    assert np.array_equal(scores(np.asfortranarray(values), weights), expected)
    rows = rng.permutation(5000)[:1800]
    assert np.array_equal(scores(np.asfortranarray(values), weights, rows), expected[rows])
    assert np.array_equal(scores(values, weights, list(rows[:5])), expected[rows[:5]])
    assert not scores(values, np.zeros(15)).any()
    assert not scores(values, np.zeros(15), rows).any() and len(scores(values, weights, [])) == 0


def four_equal_flats() -> tuple[Ranker, Household]:
    """A ranker over four flats that differ only in their ids (as a case-insensitive database
    collation sorts them), and a household they all fit."""
    ids = ["a", "A", "b", "B"]  # en_US order; Python's is A, B, a, b
    flats = pd.DataFrame(
        {
            "id": ids,
            "rooms": 2.0,
            "living_area_m2": 50.0,
            "rent_gross_cold_eur": 500.0,
            "floor": 0,
            "lift": False,
            "barrier_free": False,
            "available_from": pd.Timestamp("2026-11-01"),
            "available": True,
            "district_code": "TIN",
        }
    )
    features = pd.DataFrame(
        [
            {
                "flat_id": fid,
                "category": cat,
                "language": lang,
                "distances_m": [150.0],
                "target_ids": [f"T-{cat}"],
                "target_names": [cat],
                "distance_mode": "straight_line",
            }
            for fid in ids
            for cat, lang in (("kita", ""), ("grocery", ""), ("counselling", "*"))
        ]
    )
    status = {"TIN": {"name": "Tiny", "factor": 1.0, "utilisation": 0.0}}
    profile = parse_profile(TINY)
    household = parse_household(
        {"size": 1, "children_ages": [], "languages": ["de"], "move_in": "2026-12-01"}, profile
    )
    return Ranker(profile, flats, features, status, None), household


def test_ties_are_broken_by_id_in_string_order() -> None:
    """Four equal flats, sorted as a case-insensitive database collation sorts them: the ranking
    takes them in Python's string order (upper case first), as before ids were kept as ranks."""
    ranker, household = four_equal_flats()
    ranking = ranker.rank(household, limit=3)
    assert [r.flat_id for r in ranking.results] == ["A", "B", "a"]
    assert len({r.placement_score for r in ranking.results}) == 1


def test_equal_explanations_are_shared_within_an_answer_but_not_a_negative_zero() -> None:
    """Flats of one answer with the same points and value of a category share one explanation
    (and one result per equal constraint result); a value of -0.0 (it encodes as "-0.0") is
    never given a 0.0's explanation, nor the other way round."""
    ranker, household = four_equal_flats()
    first, second = ranker.rank(household, limit=2).results
    for c, explained in first.categories.items():
        assert second.categories[c] is explained
    assert all(a is b for a, b in zip(first.constraints, second.constraints, strict=True))
    ev = ranker.evaluate(household)
    values = ev.values.copy(order="F")
    values[:, 0] = 0.0
    values[0, 0] = -0.0  # the first flat's first category
    flats = ranker.explain_many(replace(ev, values=values), [0, 1], [1, 2])
    kita = [flat.categories["kita"].value for flat in flats]
    assert [np.signbit(v) for v in kita] == [True, False]
    assert [f.model_dump_json() for f in flats] == [
        RankedFlat.model_validate(f.model_dump()).model_dump_json() for f in flats
    ]
