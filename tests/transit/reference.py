"""An independent reference for the transit tests: earliest arrivals by Dijkstra (networkx) on
a time-expanded graph built here from the feed's stop times, with the same walking rules
(straight line x detour at the profile's speed, the radius, one walk between two rides, the
same-stop change time, pickup/drop-off), sharing no code with ``geo_service.transit``.

Nodes: ("dep", i) and ("arr", i) per stop-time event i, ("wait", stop, t) chains per stop,
"origin" and "destination". Weights are seconds: the distance from the origin is the time
from the start, so arrival = start + distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd


@dataclass
class Reference:
    """A day's time-expanded graph and what queries need of it."""

    graph: nx.DiGraph
    chains: dict[int, list[tuple[float, tuple[str, int, float]]]]
    arrivals: dict[int, list[int]]  # stop -> events where a ride may end there
    stop_xy: np.ndarray
    speed: float
    radius: float
    detour: float


def build(
    events: pd.DataFrame,
    stop_xy: np.ndarray,
    speed: float,
    radius: float,
    detour: float,
    change_s: float,
) -> Reference:
    """``events``: run, seq, stop (position), arr, dep (s), board, alight (bool)."""
    ev = events.sort_values(["run", "seq"]).reset_index(drop=True)
    run, stop = ev["run"].to_numpy(), ev["stop"].to_numpy(int)
    arr, dep = ev["arr"].to_numpy(float), ev["dep"].to_numpy(float)
    board, alight = ev["board"].to_numpy(bool), ev["alight"].to_numpy(bool)
    nxt = np.r_[run[1:] == run[:-1], False]  # event i has a next event on its run
    prev = np.r_[False, nxt[:-1]]
    g = nx.DiGraph()
    waits: dict[int, list[float]] = {}
    for i in np.flatnonzero(nxt & board):
        waits.setdefault(int(stop[i]), []).append(dep[i])
    chains = {}
    for s, times in waits.items():
        ordered = sorted(set(times))
        chains[s] = [(t, ("wait", s, t)) for t in ordered]
        for (t1, n1), (t2, n2) in zip(chains[s][:-1], chains[s][1:], strict=True):
            g.add_edge(n1, n2, weight=t2 - t1)
    for i in np.flatnonzero(nxt):
        g.add_edge(("dep", i), ("arr", i + 1), weight=arr[i + 1] - dep[i])
        if board[i]:
            g.add_edge(("wait", int(stop[i]), dep[i]), ("dep", i), weight=0.0)
    for i in np.flatnonzero(prev & nxt):
        g.add_edge(("arr", i), ("dep", i), weight=dep[i] - arr[i])  # staying seated
    n = len(stop_xy)
    walks = {}
    for a in range(n):
        d = np.hypot(*(stop_xy - stop_xy[a]).T) * detour
        walks[a] = [
            (int(b), d[b] / speed) for b in np.flatnonzero((d <= radius) & (np.arange(n) != a))
        ]
    arrivals: dict[int, list[int]] = {}
    for i in np.flatnonzero(prev & alight):
        s, t = int(stop[i]), arr[i]
        arrivals.setdefault(s, []).append(int(i))
        for to, secs in [(s, change_s), *walks[s]]:
            times = chains.get(to, [])
            k = int(np.searchsorted([x for x, _ in times], t + secs - 1e-9))
            if k < len(times):
                g.add_edge(("arr", i), times[k][1], weight=times[k][0] - t)
    return Reference(g, chains, arrivals, stop_xy, speed, radius, detour)


def earliest_arrival(
    ref: Reference, origin: np.ndarray, destination: np.ndarray, start: float, limit_s: float
) -> float:
    """Earliest arrival (s) at ``destination`` leaving ``origin`` (x/y, m) at ``start``
    (inf when later than ``start + limit_s``): a ride, or the walk all the way."""
    g = ref.graph
    d_o = np.hypot(*(ref.stop_xy - origin).T) * ref.detour
    d_d = np.hypot(*(ref.stop_xy - destination).T) * ref.detour
    for s in np.flatnonzero(d_o <= ref.radius):
        times = ref.chains.get(int(s), [])
        k = int(np.searchsorted([t for t, _ in times], start + d_o[s] / ref.speed - 1e-9))
        if k < len(times):
            g.add_edge("origin", times[k][1], weight=times[k][0] - start)
    for s in np.flatnonzero(d_d <= ref.radius):
        for i in ref.arrivals.get(int(s), []):
            g.add_edge(("arr", i), "destination", weight=d_d[s] / ref.speed)
    best = float(np.hypot(*(destination - origin)) * ref.detour / ref.speed)
    try:
        if "origin" in g and "destination" in g:
            best = min(best, nx.shortest_path_length(g, "origin", "destination", weight="weight"))
    except nx.NetworkXNoPath:
        pass
    finally:
        for node in ("origin", "destination"):
            if node in g:
                g.remove_node(node)
    return start + best if best <= limit_s else np.inf
