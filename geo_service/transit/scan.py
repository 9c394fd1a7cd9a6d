"""Earliest arrival by connection scan (CSA), for many queries at once with numpy.

One pass over the day's connections in departure order serves Q queries side by side: every
label is a (stops x Q) array, every connection one vectorised step. A query is a set of stops
where it is ready to board and when (the origin's walk to them already added). Rules: boarding
needs the vehicle to depart no earlier than the query is ready at its stop; after a ride, a
change at the same stop takes the stop's change time, a change to another stop the walk (or the
feed's ``min_transfer_time``) along one footpath; walks are not chained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo_service.transit.timetable import Connections

NONE = -1


@dataclass(frozen=True)
class Footpaths:
    """Walks between distinct stops after a ride, per stop: ``start[s]:start[s+1]`` index
    ``to`` (stop positions) and ``seconds``; and each stop's same-stop change time (s)."""

    start: np.ndarray
    to: np.ndarray
    seconds: np.ndarray
    change: np.ndarray

    def of(self, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """The stops reachable on foot from ``stop`` after a ride and the seconds it takes."""
        lo, hi = self.start[stop], self.start[stop + 1]
        return self.to[lo:hi], self.seconds[lo:hi]


@dataclass
class Labels:
    """The result of a scan: earliest arrival by vehicle at every stop (stops x Q, seconds;
    inf where not reached), the first hop (``Connections.segment``: route and direction) of
    the journey that gave it and, when
    asked for, the connections that did (for one query's legs)."""

    arrive: np.ndarray
    first_route: np.ndarray
    arrived_by: np.ndarray | None = None  # (stops, Q): connection of the arrival
    boarded_at: np.ndarray | None = None  # (runs, Q): connection where the run was boarded
    ready_by: np.ndarray | None = None  # (stops, Q): connection whose arrival let one board here
    ready_from: np.ndarray | None = None  # (stops, Q): the stop that ride ended at (walk start)


def scan(conns: Connections, paths: Footpaths, ready: np.ndarray, track: bool = False) -> Labels:
    """Earliest arrivals of Q queries; ``ready`` (stops x Q, seconds, inf where not) says
    where and when each query may first board. ``track`` keeps what is needed for legs."""
    stops, q = ready.shape
    board = ready.astype(float, copy=True)
    arrive = np.full((stops, q), np.inf)
    on = np.zeros((conns.runs, q), dtype=bool)
    route_of_run = np.full((conns.runs, q), NONE, dtype=np.int32)
    first_at_board = np.full((stops, q), NONE, dtype=np.int32)
    first_at_arrive = np.full((stops, q), NONE, dtype=np.int32)
    labels = Labels(arrive, first_at_arrive)
    if track:
        labels.arrived_by = np.full((stops, q), NONE, dtype=np.int64)
        labels.boarded_at = np.full((conns.runs, q), NONE, dtype=np.int64)
        labels.ready_by = np.full((stops, q), NONE, dtype=np.int64)
        labels.ready_from = np.full((stops, q), NONE, dtype=np.int64)
    inf = np.inf
    for c in range(len(conns)):
        u, v, run = conns.dep_stop[c], conns.arr_stop[c], conns.run[c]
        seated = on[run]
        boards = (board[u] <= conns.dep[c]) & ~seated if conns.board[c] else None
        if boards is not None and boards.any():
            route_of_run[run] = np.where(
                boards,
                np.where(first_at_board[u] == NONE, conns.segment[c], first_at_board[u]),
                route_of_run[run],
            )
            if labels.boarded_at is not None:
                labels.boarded_at[run] = np.where(boards, c, labels.boarded_at[run])
            reach = seated | boards
            on[run] = reach
        else:
            reach = seated
        if not conns.alight[c] or not reach.any():
            continue
        t = conns.arr[c]
        better = reach & (t < arrive[v])
        arrive[v] = np.where(better, t, arrive[v])
        first_at_arrive[v] = np.where(better, route_of_run[run], first_at_arrive[v])
        if labels.arrived_by is not None:
            labels.arrived_by[v] = np.where(better, c, labels.arrived_by[v])
        at = np.where(reach, float(t), inf)
        _ready(board, first_at_board, labels, v, v, at + paths.change[v], route_of_run[run], c)
        to, secs = paths.of(v)
        for w, s in zip(to.tolist(), secs.tolist(), strict=True):
            _ready(board, first_at_board, labels, w, v, at + s, route_of_run[run], c)
    return labels


def _ready(
    board: np.ndarray,
    first: np.ndarray,
    labels: Labels,
    stop: int,
    came_from: int,
    when: np.ndarray,
    route: np.ndarray,
    c: int,
) -> None:
    """Lower the boarding time at ``stop`` to ``when`` where earlier (a ride ending at
    ``came_from`` by connection ``c``, its journey's first route ``route``)."""
    better = when < board[stop]
    if not better.any():
        return
    board[stop] = np.where(better, when, board[stop])
    first[stop] = np.where(better, route, first[stop])
    if labels.ready_by is not None and labels.ready_from is not None:
        labels.ready_by[stop] = np.where(better, c, labels.ready_by[stop])
        labels.ready_from[stop] = np.where(better, came_from, labels.ready_from[stop])
