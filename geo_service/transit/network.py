"""The stored feed made routable: footpaths between stops, change times, the profile's rules."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from geo_service.scoring.network import read_graph
from geo_service.scoring.profile import ScoringProfile, TransitRules
from geo_service.transit.scan import Footpaths
from geo_service.transit.timetable import Feed, require_feed
from geo_service.transit.walking import Walking

NOT_POSSIBLE = 3  # transfers.txt: no change between these stops


@dataclass(frozen=True)
class TransitNetwork:
    """A feed with its walking rules: footpaths (after a ride) and same-stop change times."""

    feed: Feed
    walking: Walking
    rules: TransitRules
    paths: Footpaths

    def walk_s(self, metres: np.ndarray) -> np.ndarray:
        """Seconds to walk ``metres`` at the profile's walking speed."""
        return np.asarray(metres, dtype=float) / self.rules.walk_speed_m_s


def load_network(conn: Connection, profile: ScoringProfile) -> TransitNetwork:
    """The stored feed and street network (if any) under ``profile``'s transit rules."""
    feed = require_feed(conn)
    rules = profile.transit_rules
    walking = Walking(read_graph(conn), rules.detour_factor, profile.network_rules.snap_limit_m)
    return build_network(feed, walking, rules)


def build_network(feed: Feed, walking: Walking, rules: TransitRules) -> TransitNetwork:
    """Footpaths: every pair of distinct stops within the walking radius (walked at the
    profile's speed) and the feed's stop-to-stop transfers (``min_transfer_time`` when given,
    else the walk; type 3 removes the pair). A change at the same stop takes the feed's
    ``min_transfer_time`` for that stop, else the profile's ``min_transfer_s``."""
    xy = feed.stop_xy
    n = len(xy)
    p = walking.pairs(xy, xy, rules.walk_radius_m)
    distinct = p.a != p.b
    seconds = {
        (int(a), int(b)): float(m) / rules.walk_speed_m_s
        for a, b, m in zip(p.a[distinct], p.b[distinct], p.metres[distinct], strict=True)
    }
    change = np.full(n, float(rules.min_transfer_s))
    pos = {s: i for i, s in enumerate(feed.stops["stop_id"])}
    for row in feed.transfers.itertuples(index=False):
        a, b = pos[row.from_stop_id], pos[row.to_stop_id]
        given = row.min_transfer_time
        has_time = given is not None and not np.isnan(float(given))
        if a == b:
            if row.transfer_type == NOT_POSSIBLE:
                change[a] = np.inf
            elif has_time:
                change[a] = float(given)
        elif row.transfer_type == NOT_POSSIBLE:
            seconds.pop((a, b), None)
        elif has_time:
            seconds[(a, b)] = float(given)
        elif (a, b) not in seconds:
            metres = walking.pairs(xy[[a]], xy[[b]], np.inf).metres
            if len(metres):
                seconds[(a, b)] = float(metres[0]) / rules.walk_speed_m_s
    keys = sorted(seconds)
    frm = np.array([k[0] for k in keys], dtype=np.int64)
    to = np.array([k[1] for k in keys], dtype=np.int64)
    start = np.searchsorted(frm, np.arange(n + 1))
    secs = np.array([seconds[k] for k in keys], dtype=float)
    return TransitNetwork(feed, walking, rules, Footpaths(start, to, secs, change))
