"""A flat behind a barrier (a river with one far bridge, or none): longer or unreachable over
the network, and a lower score than in straight-line mode."""

from __future__ import annotations

import numpy as np
import pytest

from geo_service.errors import ProfileError
from geo_service.scoring.decay import category_value
from geo_service.scoring.distance import StraightLine
from geo_service.scoring.network import NetworkDistance, StreetGraph
from geo_service.scoring.profile import ScoringProfile, parse_profile

STEP_M = 100.0
WEST_X, EAST_X = np.arange(0.0, 401.0, STEP_M), np.arange(600.0, 1001.0, STEP_M)
YS = np.arange(0.0, 1501.0, STEP_M)
FLAT = np.array([[390.0, 0.0]])  # west bank
KITA = np.array([[610.0, 0.0]])  # east bank, 220 m away in a straight line


def river_town(bridge_y: float | None) -> StreetGraph:
    """Two street grids (100 m) either side of a 200 m wide river, bridged at ``bridge_y``."""
    xs = np.r_[WEST_X, EAST_X]
    gx, gy = np.meshgrid(xs, YS, indexing="ij")
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    pos = np.arange(len(xy)).reshape(len(xs), len(YS))
    river = len(WEST_X) - 1  # the columns at x = 400 and x = 600 are not joined
    across = [np.delete(pos[:-1], river, axis=0).ravel(), np.delete(pos[1:], river, axis=0).ravel()]
    along = [pos[:, :-1].ravel(), pos[:, 1:].ravel()]
    source, target = np.r_[across[0], along[0]], np.r_[across[1], along[1]]
    if bridge_y is not None:
        j = int(bridge_y // STEP_M)
        source, target = np.r_[source, pos[river, j]], np.r_[target, pos[river + 1, j]]
    length = np.hypot(*(xy[source] - xy[target]).T)
    return StreetGraph.from_edges(xy, source, target, length)


@pytest.mark.parametrize(
    ("bridge_y", "expected_m"), [(500.0, 10 + 500 + 200 + 500 + 10), (None, None)]
)
def test_barrier_lengthens_or_cuts_and_lowers_the_score(
    straight_profile: ScoringProfile, bridge_y: float | None, expected_m: float | None
) -> None:
    """Across the river: 220 m straight; over the bridge 1,220 m, or unreachable without one."""
    full, zero = straight_profile.full_m("kita"), straight_profile.zero_m("kita")
    weights = straight_profile.categories["kita"].rank_weights
    line, _, _ = StraightLine().query(FLAT, KITA, 1, (full, zero))
    walk, idx, (_, count) = NetworkDistance(river_town(bridge_y), 250.0).query(
        FLAT, KITA, 1, (full, zero)
    )
    assert line[0, 0] == pytest.approx(220.0)
    if expected_m is None:
        assert np.isinf(walk[0, 0]) and idx[0, 0] == -1 and count[0] == 0
    else:
        assert walk[0, 0] == pytest.approx(expected_m) and idx[0, 0] == 0
    straight_value = category_value(line, weights, full, zero)[0]
    walking_value = category_value(walk, weights, full, zero)[0]
    assert straight_value == 1.0 and walking_value < straight_value


def test_points_beyond_the_snap_limit_are_unreachable() -> None:
    """A flat or a kita further from the network than the snap limit is never near."""
    town = NetworkDistance(river_town(500.0), 250.0)
    far_flat = np.array([[-400.0, 0.0]])  # 400 m west of the network, 40 m from the kita below
    kita_beside_it = np.array([[-440.0, 0.0]])
    dist, idx, _ = town.query(far_flat, np.r_[kita_beside_it, KITA], 2, (2000.0,))
    assert np.isinf(dist).all() and (idx == -1).all()
    assert town.snap_m(far_flat)[0] == pytest.approx(400.0)
    near_flat = np.array([[0.0, 0.0]])
    dist, idx, _ = town.query(near_flat, np.r_[kita_beside_it, KITA], 2, (5000.0,))
    assert idx[0].tolist() == [1, -1]  # only the kita on the network is found


def test_network_rules_are_validated(walking_profile: ScoringProfile) -> None:
    """A malformed excluded tag or a non-positive snap limit is a one-line profile error."""
    for key, value, message in (
        ("excluded", ["motorway"], "network: excluded: „motorway“ ist nicht key=value"),
        ("snap_limit_m", 0, "network.snap_limit_m muss größer als 0 sein"),
    ):
        data = walking_profile.model_dump(mode="json")
        data["network"][key] = value
        with pytest.raises(ProfileError, match=message):
            parse_profile(data)
