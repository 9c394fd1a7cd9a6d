"""pandana, the peer of ``network_features``: its contraction-hierarchy network built from the
same nodes and edges, and its k nearest points of interest for the same flats and amenities."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo_service.bench.synthetic import FloatArray


@dataclass(frozen=True)
class PandanaRun:
    """pandana's build and query seconds; per category, the network distance (m) from every
    flat's nearest node to its nearest amenity's node and that amenity's position."""

    build_s: float
    query_s: float
    nearest_m: list[FloatArray]
    nearest_poi: list[np.ndarray]


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence pandana's C++ progress output (written to file descriptor 1) for the table."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def pandana_run(
    xy: FloatArray,
    source: np.ndarray,
    target: np.ndarray,
    length_m: FloatArray,
    flats_xy: FloatArray,
    categories: list[FloatArray],
    k: int,
    limit_m: float,
) -> PandanaRun:
    """Build pandana's network on the graph, then query every category's k nearest amenities
    (up to ``limit_m``) as our features do; time both."""
    import pandana

    with quiet_stdout():
        start = time.perf_counter()
        net = pandana.Network(
            pd.Series(xy[:, 0]),
            pd.Series(xy[:, 1]),
            pd.Series(source),
            pd.Series(target),
            pd.DataFrame({"length": length_m}),
            twoway=True,
        )
        built = time.perf_counter()
        flats = net.get_node_ids(pd.Series(flats_xy[:, 0]), pd.Series(flats_xy[:, 1])).to_numpy()
        nearest, poi = [], []
        for i, points in enumerate(categories):
            name = f"c{i}"
            net.set_pois(name, limit_m, k, pd.Series(points[:, 0]), pd.Series(points[:, 1]))
            found = net.nearest_pois(limit_m, name, num_pois=k, include_poi_ids=True)
            nearest.append(found[1].to_numpy(float)[flats])
            poi.append(found["poi1"].fillna(-1).to_numpy(np.int64)[flats])
        done = time.perf_counter()
    return PandanaRun(built - start, done - built, nearest, poi)
