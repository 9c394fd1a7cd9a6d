"""Travel times from many points (flats, cells) to target sets over a departure window.

The median over departures every minute of the window, as accessibility tools define it.
Exact and shared by every target set: one connection scan answers, for every stop and every
departure at it in the window, when each stop is reached; a point leaving at minute t reaches
access stop s at t + walk and boards at s's next departure, so its arrival at a target is the
best over its access stops of that departure's answer plus the walk from the alighting stop,
or the walk all the way. Walks are whole seconds rounded up (departures are whole seconds, so
a bus is caught exactly when it would be with the exact walk).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from geo_service.transit.network import TransitNetwork
from geo_service.transit.scan import NONE, scan
from geo_service.transit.timetable import Connections, connections

QUERIES_PER_SCAN = 2048  # (stops x queries) labels per scan: memory stays in the tens of MB
SOURCES_PER_PASS = 4000  # points whose (pairs x minutes) lookups are held at once


@dataclass(frozen=True)
class Window:
    """Departures every minute from ``start_s`` to ``end_s`` (seconds after the day's start)
    on ``day``; arrivals count up to ``horizon_s`` after the last departure."""

    day: date
    start_s: int
    end_s: int
    horizon_s: int

    @property
    def minutes(self) -> np.ndarray:
        """The departure times (s), one a minute."""
        return np.arange(self.start_s, self.end_s + 1, 60, dtype=np.int64)


@dataclass(frozen=True)
class Reach:
    """Per point: median travel minutes (inf: not within the horizon for most departures),
    the target reached (position, -1), the first route ridden (label, None: on foot) and the
    minutes between its departures from the access stop in that direction (NaN)."""

    minutes: np.ndarray
    target: np.ndarray
    route: np.ndarray
    headway_min: np.ndarray


@dataclass(frozen=True)
class StopAnswers:
    """The scan's answers per departure (query) at each stop: the query's stop and time,
    and ``grid`` (stops x seconds of the window plus the longest walk): the query that a
    traveller ready at that stop and second takes (-1: none)."""

    stop: np.ndarray
    time: np.ndarray
    grid: np.ndarray
    arrive: list[np.ndarray]  # per scan chunk: (stops, queries) arrivals by vehicle
    first_route: list[np.ndarray]


def stop_answers(
    net: TransitNetwork, conns: Connections, window: Window, walk_s: int
) -> StopAnswers:
    """Scan once for every boardable departure at every stop from the window's start to its
    end plus the longest walk (and each stop's next departure after that)."""
    n = len(net.feed.stops)
    last = window.end_s + walk_s
    keep = conns.board & (conns.dep >= window.start_s)
    stop, time = conns.dep_stop[keep], conns.dep[keep]
    pairs = (
        np.unique(np.column_stack([stop, time]), axis=0)
        if len(stop)
        else np.zeros((0, 2), np.int64)
    )
    stop, time = pairs[:, 0], pairs[:, 1]
    # per stop: the departures up to ``last`` and the first one after it
    after = time > last
    first_after = after & np.r_[True, (stop[1:] != stop[:-1]) | ~after[:-1]]
    keep = ~after | first_after
    stop, time = stop[keep], time[keep]
    grid_t = np.arange(window.start_s, last + 1)
    grid = np.full((n, len(grid_t)), NONE, dtype=np.int64)
    bounds = np.searchsorted(stop, np.arange(n + 1))
    for s in np.flatnonzero(np.diff(bounds)):
        lo, hi = bounds[s], bounds[s + 1]
        at = np.searchsorted(time[lo:hi], grid_t, side="left")
        grid[s] = np.where(at < hi - lo, lo + at, NONE)
    arrive, first_route = [], []
    for lo in range(0, len(stop), QUERIES_PER_SCAN):
        hi = min(lo + QUERIES_PER_SCAN, len(stop))
        ready = np.full((n, hi - lo), np.inf)
        ready[stop[lo:hi], np.arange(hi - lo)] = time[lo:hi]
        labels = scan(conns, net.paths, ready)
        arrive.append(labels.arrive.astype(np.float32))
        first_route.append(labels.first_route)
    return StopAnswers(stop, time, grid, arrive, first_route)


def window_reach(
    net: TransitNetwork,
    sources: np.ndarray,
    targets: dict[tuple[str, str], np.ndarray],
    window: Window,
    horizons_min: dict[tuple[str, str], float],
) -> dict[tuple[str, str], Reach]:
    """Median travel times from every source point (x/y, m) to each target set (x/y, m)."""
    rules, xy = net.rules, net.feed.stop_xy
    walk_limit = int(np.ceil(rules.walk_radius_m / rules.walk_speed_m_s))
    conns = connections(
        net.feed, window.day, window.start_s, window.end_s + walk_limit + window.horizon_s
    )
    answers = stop_answers(net, conns, window, walk_limit)
    access = net.walking.pairs(sources, xy, rules.walk_radius_m)
    walk = np.ceil(access.metres / rules.walk_speed_m_s).astype(np.int64)
    segment_route, headway = _headways(conns, window)
    routes = net.feed.route_labels()[segment_route] if len(segment_route) else np.zeros(0, object)
    out = {}
    for key, target_xy in targets.items():
        limit_m = horizons_min[key] * 60 * rules.walk_speed_m_s
        direct_m, direct_t = net.walking.nearest(sources, target_xy, limit_m)
        value, target, route = _query_values(net, answers, target_xy)
        out[key] = _reach(
            len(sources),
            access.a,
            access.b,
            walk,
            answers,
            window,
            value,
            target,
            route,
            direct_m / rules.walk_speed_m_s,
            direct_t,
            headway,
            routes,
        )
    return out


def _query_values(
    net: TransitNetwork, answers: StopAnswers, target_xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per query: arrival at the target set (s, inf), the target and the first route."""
    rules = net.rules
    egress = net.walking.pairs(net.feed.stop_xy, target_xy, rules.walk_radius_m)
    n = len(net.feed.stops)
    out_s, out_t = np.full(n, np.inf), np.full(n, NONE, dtype=np.int64)
    order = np.lexsort((egress.metres, egress.a))
    first = np.r_[True, egress.a[order][1:] != egress.a[order][:-1]] if len(order) else order
    pick = order[first] if len(order) else order
    out_s[egress.a[pick]] = egress.metres[pick] / rules.walk_speed_m_s
    out_t[egress.a[pick]] = egress.b[pick]
    values, targets, routes = [], [], []
    stops = np.flatnonzero(np.isfinite(out_s))
    for arrive, first_route in zip(answers.arrive, answers.first_route, strict=True):
        total = arrive[stops] + out_s[stops, None]
        best = np.argmin(total, axis=0) if len(stops) else np.zeros(arrive.shape[1], dtype=np.int64)
        cols = np.arange(arrive.shape[1])
        values.append(total[best, cols] if len(stops) else np.full(len(cols), np.inf))
        targets.append(out_t[stops[best]] if len(stops) else np.full(len(cols), NONE))
        routes.append(first_route[stops[best], cols] if len(stops) else np.full(len(cols), NONE))
    return (
        np.concatenate(values) if values else np.zeros(0),
        np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64),
        np.concatenate(routes) if routes else np.zeros(0, dtype=np.int64),
    )


def _headways(conns: Connections, window: Window) -> tuple[np.ndarray, np.ndarray]:
    """Per hop (``Connections.segment``): its route and the median minutes between its
    departures in the window (NaN for a single departure)."""
    n = int(conns.segment.max()) + 1 if len(conns) else 0
    route = np.full(n, NONE, dtype=np.int64)
    route[conns.segment] = conns.route
    headway = np.full(n, np.nan)
    inside = conns.board & (conns.dep >= window.start_s) & (conns.dep <= window.end_s)
    seg, dep = conns.segment[inside], conns.dep[inside]
    order = np.lexsort((dep, seg))
    seg, dep = seg[order], dep[order]
    same = seg[1:] == seg[:-1]
    gaps = np.diff(dep)[same] / 60.0
    for s_id, g in zip(*np.unique(seg[1:][same], return_index=True), strict=True):
        upto = np.searchsorted(seg[1:][same], s_id, side="right")
        headway[s_id] = float(np.median(gaps[g:upto]))
    return route, headway


def _reach(
    n: int,
    src: np.ndarray,
    stop: np.ndarray,
    walk: np.ndarray,
    answers: StopAnswers,
    window: Window,
    value: np.ndarray,
    target: np.ndarray,
    route: np.ndarray,
    direct_s: np.ndarray,
    direct_t: np.ndarray,
    headway: np.ndarray,
    routes: np.ndarray,
) -> Reach:
    """Median minutes, target, route and headway per source from the per-query answers."""
    minutes = window.minutes
    width = answers.grid.shape[1]
    table = (
        np.where(answers.grid >= 0, value[np.maximum(answers.grid, 0)], np.inf)
        .astype(np.float32)
        .ravel()
    )
    offsets = minutes - window.start_s
    med = np.full(n, np.inf)
    tgt, rte, hw = (
        np.full(n, NONE, dtype=np.int64),
        np.full(n, None, dtype=object),
        np.full(n, np.nan),
    )
    bounds = np.searchsorted(src, np.arange(n + 1))
    for lo in range(0, n, SOURCES_PER_PASS):
        hi = min(lo + SOURCES_PER_PASS, n)
        p0, p1 = bounds[lo], bounds[hi]
        base = stop[p0:p1] * width + walk[p0:p1]
        index = base[:, None] + offsets[None, :]
        arrive = np.full((hi - lo, len(minutes)), np.inf)
        if p1 > p0:
            seg = bounds[lo:hi] - p0
            has = np.diff(bounds[lo : hi + 1]) > 0
            per = np.minimum.reduceat(table[index], seg[has], axis=0)
            arrive[has] = per
        walk_all = minutes[None, :] + direct_s[lo:hi, None]
        arrive = np.minimum(arrive, walk_all)
        travel = (arrive - minutes[None, :]) / 60.0
        m = np.median(travel, axis=1)
        med[lo:hi] = m
        # explain the median departure: its first route (or the walk) and the target reached
        gap = np.where(np.isfinite(travel), travel, 1e9) - np.where(np.isfinite(m), m, 1e9)[:, None]
        pick = np.argmin(np.abs(gap), axis=1)
        t_pick = minutes[pick]
        walks = np.isfinite(m) & (direct_s[lo:hi] + t_pick <= arrive[np.arange(hi - lo), pick])
        tgt[lo:hi] = np.where(walks, direct_t[lo:hi], NONE)
        if p1 > p0:
            owner = src[p0:p1] - lo
            cell = stop[p0:p1] * width + walk[p0:p1] + (t_pick[owner] - window.start_s)
            vals = table[cell]
            order = np.lexsort((vals, owner))
            first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
            f = owner[first]
            rides = np.isfinite(m[f]) & ~walks[f] & np.isfinite(vals[first])
            f, first = f[rides], first[rides]
            q = answers.grid.ravel()[cell[first]]
            tgt[lo + f] = target[q]
            r = route[q]
            has_route = r != NONE
            rte[lo + f[has_route]] = routes[r[has_route]]
            hw[lo + f[has_route]] = headway[r[has_route]]
    return Reach(med, tgt, rte, np.round(hw))
