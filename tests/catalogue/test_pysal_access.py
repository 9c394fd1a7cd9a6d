"""2SFCA equals PySAL ``access`` (installed only for tests) on the same inputs within 1e-6."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo_service.catalogue.coverage import coverage_2sfca

access = pytest.importorskip("access")


def test_equals_pysal_access_two_stage_fca():
    rng = np.random.default_rng(3)
    dxy, sxy = rng.uniform(0, 4000, (120, 2)), rng.uniform(0, 4000, (30, 2))
    pop, cap = rng.integers(1, 40, 120).astype(float), rng.uniform(5, 50, 30)
    d = np.hypot(*(dxy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1))
    i, j = np.nonzero(d <= 1000.0)
    cost = pd.DataFrame({"origin": i, "dest": j, "cost": d[i, j]})
    demand = pd.DataFrame({"did": np.arange(120), "pop": pop})
    supply = pd.DataFrame({"sid": np.arange(30), "cap": cap})
    model = access.Access(
        demand_df=demand,
        demand_index="did",
        demand_value="pop",
        supply_df=supply,
        supply_index="sid",
        supply_value="cap",
        cost_df=cost,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    ref = model.two_stage_fca(max_cost=1000.0).reindex(range(120)).iloc[:, 0].fillna(0.0)
    ours = coverage_2sfca(dxy, pop, sxy, cap, 1000.0)
    np.testing.assert_allclose(ours, ref.to_numpy(), atol=1e-6)
