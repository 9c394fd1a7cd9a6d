"""The ranker's column-wise scores equal numpy's row sums of the contributions, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from geo_service.scoring.decay import contributions, pairwise_sum, scores


@pytest.mark.parametrize("columns", [*range(1, 40), 127, 128, 129, 200, 256, 300, 513])
def test_pairwise_sum_equals_numpys_row_sum(columns: int) -> None:
    """The same additions in the same order as ``np.sum`` along a row: equal to the last bit."""
    rng = np.random.default_rng(columns)
    rows = rng.random((2000, columns)) * rng.random(columns) * 37.0
    assert np.array_equal(pairwise_sum(list(rows.T)), rows.sum(axis=1))


def test_scores_equal_the_summed_contributions() -> None:
    """S from the Fortran-ordered values equals the row sums of the contributions, and is 0
    when every weight is 0."""
    rng = np.random.default_rng(7)
    values = np.minimum(1.0, rng.random((5000, 15)) * 1.3)
    values[rng.random(values.shape) < 0.2] = 0.0
    weights = rng.random(15) * 3.0
    expected = contributions(values, weights).sum(axis=1)
    assert np.array_equal(scores(np.asfortranarray(values), weights), expected)
    assert not scores(values, np.zeros(15)).any()
