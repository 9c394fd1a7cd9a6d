"""The stored GTFS feed as arrays: which services run on a day, and its connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from geo_service.db import models
from geo_service.errors import NotScored

DAY_TYPES = {
    "weekday": (0, 1, 2, 3, 4),
    "saturday": (5,),
    "sunday": (6,),
}
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Feed:
    """The stored feed: stops (x/y in metres, storage CRS), routes, trips, stop times
    (seconds), calendar, calendar dates, transfers and frequencies."""

    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    transfers: pd.DataFrame
    frequencies: pd.DataFrame

    @property
    def stop_xy(self) -> np.ndarray:
        """Stop positions (m), in the order of ``stops``."""
        return self.stops[["x", "y"]].to_numpy(float)

    def route_labels(self) -> np.ndarray:
        """Each route's name as riders read it ("Bus 610", "Tram 1"), in the order of
        ``routes``: the short name with the mode, else the long name."""
        mode = self.routes["route_type"].map(ROUTE_MODES).fillna("Linie")
        short = self.routes["short_name"].astype(str)
        label = np.where(short != "", mode + " " + short, self.routes["long_name"].astype(str))
        return np.asarray(label, dtype=object)

    def days(self) -> tuple[date, date] | None:
        """The first and last day with service (calendar ranges and added dates)."""
        starts = list(self.calendar["start_date"]) + list(self.calendar_dates["date"])
        ends = list(self.calendar["end_date"]) + list(self.calendar_dates["date"])
        return (min(starts), max(ends)) if starts else None


# GTFS route_type -> the word riders use (extended types by their hundreds)
ROUTE_MODES = {0: "Tram", 1: "U-Bahn", 2: "Zug", 3: "Bus", 4: "Fähre", 5: "Seilbahn", 7: "Bahn"}
ROUTE_MODES.update({100: "Zug", 109: "S-Bahn", 200: "Bus", 400: "U-Bahn", 700: "Bus", 900: "Tram"})


def read_feed(conn: Connection) -> Feed | None:
    """The stored feed, or None when none is imported."""
    s = models.gtfs_stops
    stops = pd.read_sql(
        select(
            s.c.stop_id,
            s.c.name,
            func.ST_X(s.c.geom).label("x"),
            func.ST_Y(s.c.geom).label("y"),
        ).order_by(s.c.stop_id),
        conn,
    )
    if stops.empty:
        return None

    def table(t: object) -> pd.DataFrame:
        return pd.read_sql(select(t), conn)  # type: ignore[call-overload]

    return Feed(
        stops,
        table(models.gtfs_routes),
        table(models.gtfs_trips),
        table(models.gtfs_stop_times),
        table(models.gtfs_calendar),
        table(models.gtfs_calendar_dates),
        table(models.gtfs_transfers),
        table(models.gtfs_frequencies),
    )


def require_feed(conn: Connection) -> Feed:
    """The stored feed; a clear error naming the import when none is there."""
    feed = read_feed(conn)
    if feed is None:
        raise NotScored(
            "no public transport feed is loaded: run `geo-service ingest gtfs FILE.zip` "
            "(the sample ships data/sample/gtfs.zip)"
        )
    return feed


def services_on(feed: Feed, day: date) -> set[str]:
    """The services running on ``day``: calendar.txt's weekday in its date range, plus the
    dates calendar_dates.txt adds, minus those it removes."""
    cal = feed.calendar
    running = cal[
        cal[DAY_NAMES[day.weekday()]].astype(bool)
        & (cal["start_date"] <= day)
        & (cal["end_date"] >= day)
    ]["service_id"]
    out = set(running)
    cd = feed.calendar_dates[feed.calendar_dates["date"] == day]
    out |= set(cd.loc[cd["exception_type"] == 1, "service_id"])
    out -= set(cd.loc[cd["exception_type"] == 2, "service_id"])
    return out


def representative_day(feed: Feed, day_type: str) -> date:
    """The day of ``day_type`` (weekday, saturday, sunday) within the feed's dates on which
    the most trips run (the earliest of equals): a normal day, not a holiday."""
    span = feed.days()
    if span is None:
        raise NotScored("the stored feed has no service days")
    trips_per_service = feed.trips.groupby("service_id").size()
    best, most = None, -1
    day = span[0]
    while day <= span[1]:
        if day.weekday() in DAY_TYPES[day_type]:
            n = int(trips_per_service.reindex(list(services_on(feed, day))).fillna(0).sum())
            if n > most:
                best, most = day, n
        day += timedelta(days=1)
    if best is None:
        raise NotScored(f"the stored feed has no {day_type} between {span[0]} and {span[1]}")
    return best


@dataclass(frozen=True)
class Connections:
    """Elementary connections (one vehicle from one stop to the next) of one day, sorted by
    departure, then arrival: stops as positions in ``Feed.stops``, times in seconds after the
    day's noon minus 12 h, the trip run (a frequency-based trip runs several times) and its
    route as positions in ``Feed.routes``; boarding and alighting allowed (pickup/drop-off)."""

    dep_stop: np.ndarray
    arr_stop: np.ndarray
    dep: np.ndarray
    arr: np.ndarray
    run: np.ndarray
    route: np.ndarray
    board: np.ndarray
    alight: np.ndarray
    segment: np.ndarray  # the hop (route, from stop, to stop): a line's direction at a stop

    @property
    def runs(self) -> int:
        """How many vehicle runs the connections belong to."""
        return int(self.run.max()) + 1 if len(self.run) else 0

    def __len__(self) -> int:
        """The number of connections."""
        return len(self.dep)


def connections(feed: Feed, day: date, start_s: float, end_s: float) -> Connections:
    """The connections of ``day`` departing in [start_s, end_s] (seconds): the day's trips,
    the previous day's trips still running past midnight, frequency-based trips expanded at
    their headway from the period's start (``exact_times`` 0 is treated like 1)."""
    parts = []
    for offset, services in (
        (0, services_on(feed, day)),
        (SECONDS_PER_DAY, services_on(feed, day - timedelta(days=1))),
    ):
        parts.append(_runs(feed, services, offset))
    stop_pos = pd.Index(feed.stops["stop_id"])
    route_pos = pd.Index(feed.routes["route_id"])
    st = pd.concat(parts, ignore_index=True)
    if st.empty:
        return _sorted(st, stop_pos, route_pos)
    st = st.sort_values(["run", "stop_sequence"], kind="stable")
    run = st["run"].to_numpy()
    nxt = np.r_[run[1:] == run[:-1], False]
    here, there = st[nxt], st.iloc[np.flatnonzero(nxt) + 1]
    conn = pd.DataFrame(
        {
            "dep_stop": here["stop_id"].to_numpy(),
            "arr_stop": there["stop_id"].to_numpy(),
            "dep": here["departure_s"].to_numpy(np.int64),
            "arr": there["arrival_s"].to_numpy(np.int64),
            "run": here["run"].to_numpy(),
            "route_id": here["route_id"].to_numpy(),
            "board": here["pickup_type"].to_numpy() != 1,
            "alight": there["drop_off_type"].to_numpy() != 1,
        }
    )
    conn = conn[(conn["dep"] >= start_s) & (conn["dep"] <= end_s)]
    return _sorted(conn, stop_pos, route_pos)


def _runs(feed: Feed, services: set[str], offset: int) -> pd.DataFrame:
    """Stop times of the trips of ``services``, shifted back by ``offset`` seconds, each
    frequency-based trip repeated once per departure (a run number per vehicle run)."""
    trips = feed.trips[feed.trips["service_id"].isin(services)][["trip_id", "route_id"]]
    st = feed.stop_times.merge(trips, on="trip_id")
    st = st.assign(arrival_s=st["arrival_s"] - offset, departure_s=st["departure_s"] - offset)
    st = st[st["departure_s"] >= -SECONDS_PER_DAY // 2] if offset else st
    freq = feed.frequencies[feed.frequencies["trip_id"].isin(trips["trip_id"])]
    plain = st[~st["trip_id"].isin(freq["trip_id"])]
    run_ids = {t: i for i, t in enumerate(plain["trip_id"].unique())}
    out = [plain.assign(run=plain["trip_id"].map(run_ids).to_numpy())]
    first = st.groupby("trip_id")["departure_s"].min()
    next_run = len(run_ids)
    for row in freq.itertuples(index=False):
        if row.trip_id not in first.index:  # a previous day's trip ended before this day
            continue
        base = st[st["trip_id"] == row.trip_id]
        starts = np.arange(row.start_s, row.end_s, row.headway_s) - offset
        for k, t0 in enumerate(starts):
            shift = int(t0 - first[row.trip_id])
            out.append(
                base.assign(
                    arrival_s=base["arrival_s"] + shift,
                    departure_s=base["departure_s"] + shift,
                    run=next_run + k,
                )
            )
        next_run += len(starts)
    runs = pd.concat(out, ignore_index=True)
    return runs.assign(run=runs["run"] + (10**7 if offset else 0))


def _sorted(conn: pd.DataFrame, stops: pd.Index, routes: pd.Index) -> Connections:
    """Connections as arrays sorted by departure, then arrival (a zero-minute hop is scanned
    before the hops departing when it arrives)."""
    if conn.empty:
        empty = np.zeros(0, dtype=np.int64)
        none = empty.astype(bool)
        return Connections(empty, empty, empty, empty, empty, empty, none, none, empty)
    conn = conn.sort_values(["dep", "arr", "run"], kind="stable")
    _, run = np.unique(conn["run"].to_numpy(), return_inverse=True)
    segment = pd.MultiIndex.from_frame(conn[["route_id", "dep_stop", "arr_stop"]]).factorize()[0]
    return Connections(
        stops.get_indexer(conn["dep_stop"]),
        stops.get_indexer(conn["arr_stop"]),
        conn["dep"].to_numpy(np.int64),
        conn["arr"].to_numpy(np.int64),
        run.astype(np.int64),
        routes.get_indexer(conn["route_id"]),
        conn["board"].to_numpy(bool),
        conn["alight"].to_numpy(bool),
        np.asarray(segment, dtype=np.int64),
    )
