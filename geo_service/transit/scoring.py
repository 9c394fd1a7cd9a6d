"""Transit categories in the score: their features (median travel minutes) for any points."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import Connection

from geo_service.errors import ProfileError
from geo_service.scoring.features import Features, TargetSet
from geo_service.scoring.profile import ScoringProfile
from geo_service.transit.access import Window, window_reach
from geo_service.transit.network import TransitNetwork, load_network
from geo_service.transit.timetable import read_feed, representative_day


def seconds(hhmm: str) -> int:
    """``HH:MM`` as seconds after the day's start."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


class TransitScoring:
    """Features of the profile's transit categories over the stored feed."""

    mode = "transit"

    def __init__(self, net: TransitNetwork, profile: ScoringProfile) -> None:
        """Keep the routable feed and the profile."""
        self.net = net
        self.profile = profile

    def features(
        self, sources: np.ndarray, sets: dict[tuple[str, str], TargetSet]
    ) -> dict[tuple[str, str], Features]:
        """Per (category, language) target set of a transit category: the median travel
        minutes of every source over the category's window, in ``dist``'s first column."""
        p, k = self.profile, self.profile.k_nearest
        groups: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
        for key in sets:
            groups[p.window(key[0])].append(key)
        out = {}
        for (start, end, day_type), keys in groups.items():
            horizons = {key: p.zero_m(key[0]) for key in keys}
            window = Window(
                representative_day(self.net.feed, day_type),
                seconds(start),
                seconds(end),
                int(max(horizons.values()) * 60),
            )
            reached = window_reach(
                self.net, sources, {key: sets[key].xy for key in keys}, window, horizons
            )
            for key, r in reached.items():
                n = len(sources)
                dist, idx = np.full((n, k), np.inf), np.full((n, k), -1, dtype=np.int64)
                dist[:, 0], idx[:, 0] = np.round(r.minutes, 1), r.target
                full, zero = p.full_m(key[0]), p.zero_m(key[0])
                out[key] = Features(
                    dist,
                    idx,
                    (dist[:, 0] <= full).astype(np.int64),
                    (dist[:, 0] < zero).astype(np.int64),
                    route=r.route,
                    headway_min=r.headway_min,
                )
        return out


def transit_for(profile: ScoringProfile, conn: Connection) -> TransitScoring | None:
    """The transit scoring of ``profile`` (None without transit categories); a clear error
    when it has some and no feed is loaded."""
    names = profile.transit_names()
    if not names:
        return None
    if read_feed(conn) is None:
        raise ProfileError(
            f"categories {', '.join(names)} count by public transport, but no feed is loaded: "
            "run `geo-service ingest gtfs FILE.zip` or use a profile without transit categories"
        )
    return TransitScoring(load_network(conn, profile), profile)
