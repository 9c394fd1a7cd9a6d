"""One journey: the earliest arrival from a point to a point leaving at a given time, in legs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from geo_service.transit.network import TransitNetwork
from geo_service.transit.results import TransitLeg, TransitTime
from geo_service.transit.scan import NONE, Labels, scan
from geo_service.transit.timetable import Connections, connections
from geo_service.transit.words import journey_words

SEARCH_HOURS = 6  # journeys arriving later than this after the asked time: unreachable


def clock(day: date, seconds: float) -> str:
    """Seconds after the day's start as a local ISO time (past midnight on the next day)."""
    return (
        datetime.combine(day, datetime.min.time()) + timedelta(seconds=round(seconds))
    ).isoformat()


def travel_time(
    net: TransitNetwork,
    origin: np.ndarray,
    destination: np.ndarray,
    at: datetime,
) -> TransitTime:
    """The earliest arrival at ``destination`` leaving ``origin`` (x/y, m) at ``at``: walk to a
    stop within the radius, ride, change (same stop: change time; another: one walk), ride,
    walk from a stop within the radius; or walk all the way. ``minutes`` = arrival - ``at``."""
    day = at.date()
    t0 = at.hour * 3600 + at.minute * 60 + at.second
    conns = connections(net.feed, day, t0, t0 + SEARCH_HOURS * 3600)
    xy = net.feed.stop_xy
    radius = net.rules.walk_radius_m
    access = net.walking.pairs(origin.reshape(1, 2), xy, radius)
    egress = net.walking.pairs(xy, destination.reshape(1, 2), radius)
    direct = net.walking.pairs(origin.reshape(1, 2), destination.reshape(1, 2), np.inf).metres
    ready = np.full((len(xy), 1), np.inf)
    ready[access.b, 0] = t0 + net.walk_s(access.metres)
    labels = scan(conns, net.paths, ready, track=True)
    out_walk = np.full(len(xy), np.inf)
    out_walk[egress.a] = net.walk_s(egress.metres)
    at_stop = labels.arrive[:, 0] + out_walk
    best_stop = int(np.argmin(at_stop)) if len(at_stop) else -1
    walk_all = t0 + float(net.walk_s(direct)[0]) if len(direct) else np.inf
    ride = at_stop[best_stop] if best_stop >= 0 else np.inf
    limit = t0 + SEARCH_HOURS * 3600
    walk_all, ride = (v if v <= limit else np.inf for v in (walk_all, ride))
    mode = net.walking.mode
    if not np.isfinite(min(walk_all, ride)):
        return TransitTime(
            minutes=None,
            depart=at.isoformat(),
            walking=mode,
            summary=journey_words(None, []),
        )
    if walk_all <= ride:
        legs = [_walk(day, None, None, t0, walk_all, float(direct[0]))]
        arrive = walk_all
    else:
        arrive = ride
        legs = _legs(net, conns, labels, day, best_stop, access, t0)
        metres = float(egress.metres[egress.a == best_stop][0])
        stop_name = str(net.feed.stops["name"].iloc[best_stop])
        legs.append(_walk(day, stop_name, None, labels.arrive[best_stop, 0], arrive, metres))
    minutes = round((arrive - t0) / 60.0, 1)
    return TransitTime(
        minutes=minutes,
        depart=at.isoformat(),
        arrive=clock(day, arrive),
        legs=legs,
        walking=mode,
        summary=journey_words(minutes, legs),
    )


def _walk(
    day: date, frm: str | None, to: str | None, t: float, until: float, metres: float
) -> TransitLeg:
    """A walking leg."""
    return TransitLeg(
        mode="walk",
        from_stop=frm,
        to_stop=to,
        depart=clock(day, t),
        arrive=clock(day, until),
        metres=round(metres, 1),
    )


def _legs(
    net: TransitNetwork,
    conns: Connections,
    labels: Labels,
    day: date,
    stop: int,
    access: object,
    t0: float,
) -> list[TransitLeg]:
    """The legs up to the arrival at ``stop`` by vehicle, read back from the scan's records."""
    assert labels.arrived_by is not None and labels.boarded_at is not None
    assert labels.ready_by is not None and labels.ready_from is not None
    names = net.feed.stops["name"].astype(str).to_numpy()
    routes = net.feed.route_labels()
    legs: list[TransitLeg] = []
    last = int(labels.arrived_by[stop, 0])
    while True:
        first = int(labels.boarded_at[conns.run[last], 0])
        u, v = int(conns.dep_stop[first]), int(conns.arr_stop[last])
        legs.append(
            TransitLeg(
                mode="transit",
                route=str(routes[conns.route[first]]),
                from_stop=names[u],
                to_stop=names[v],
                depart=clock(day, conns.dep[first]),
                arrive=clock(day, conns.arr[last]),
            )
        )
        before = int(labels.ready_by[u, 0])
        if before == NONE:  # boarded from the origin's walk
            metres = float(access.metres[access.b == u][0])  # type: ignore[attr-defined]
            legs.append(
                _walk(day, None, names[u], t0, t0 + metres / net.rules.walk_speed_m_s, metres)
            )
            break
        came_from = int(labels.ready_from[u, 0])
        if came_from != u:
            secs = net.paths.seconds[
                net.paths.start[came_from] + np.flatnonzero(net.paths.of(came_from)[0] == u)[0]
            ]
            arrived = float(conns.arr[before])
            legs.append(
                _walk(
                    day,
                    names[came_from],
                    names[u],
                    arrived,
                    arrived + secs,
                    secs * net.rules.walk_speed_m_s,
                )
            )
        last = before
    return legs[::-1]


def earliest_arrivals(
    net: TransitNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    day: date,
    starts: np.ndarray,
) -> np.ndarray:
    """Earliest arrivals (s after the day's start; inf: not within ``SEARCH_HOURS``) of many
    journeys at once, origin i to destination i leaving at ``starts[i]`` (s), by one scan:
    the rules of ``travel_time`` without the legs."""
    starts = np.asarray(starts, dtype=float)
    conns = connections(net.feed, day, starts.min(), starts.max() + SEARCH_HOURS * 3600)
    xy, radius = net.feed.stop_xy, net.rules.walk_radius_m
    access = net.walking.pairs(origins, xy, radius)
    egress = net.walking.pairs(destinations, xy, radius)
    ready = np.full((len(xy), len(starts)), np.inf)
    ready[access.b, access.a] = starts[access.a] + net.walk_s(access.metres)
    arrive = scan(conns, net.paths, ready).arrive
    ride = np.full(len(starts), np.inf)
    np.minimum.at(ride, egress.a, arrive[egress.b, egress.a] + net.walk_s(egress.metres))
    pairs, which = np.unique(np.c_[origins, destinations], axis=0, return_inverse=True)
    walk = np.array(
        [
            net.walk_s(
                net.walking.pairs(p[:2].reshape(1, 2), p[2:].reshape(1, 2), np.inf).metres
            ).min(initial=np.inf)
            for p in pairs
        ]
    )[which.ravel()]
    best = np.minimum(ride, starts + walk)
    return np.where(best <= starts + SEARCH_HOURS * 3600, best, np.inf)
