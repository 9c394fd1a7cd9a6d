"""Check every GTFS file row by row and turn it into the rows of the ``gtfs_*`` tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo_service.db.crs import StorageCRS
from geo_service.ingest.errors import file_error
from geo_service.ingest.gtfs_read import (
    KIND,
    Feed,
    duplicated,
    parse_dates,
    parse_ints,
    parse_times,
)
from geo_service.ingest.validate import WIDEN_DEG

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ROUTABLE_TRANSFERS = (0, 1, 2, 3)  # 4 and 5 (in-seat) and trip/route-specific rows are ignored


@dataclass
class FeedTables:
    """The feed as rows of the ``gtfs_*`` tables (stops with x/y in the storage CRS)."""

    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    transfers: pd.DataFrame
    frequencies: pd.DataFrame
    ignored_transfers: int = 0

    @property
    def interpolated(self) -> int:
        """Stop times whose blank times were interpolated."""
        return int(self.stop_times["interpolated"].sum())


def stops(feed: Feed, storage: StorageCRS) -> pd.DataFrame:
    """Stops with their position in the storage CRS; a feed with stops outside the CRS's area
    (widened a little, as for every import) is refused in one line."""
    f = "stops.txt"
    df = feed.table(f)
    ident = df["stop_id"]
    feed.flag(f, "stop_id", (ident == "").to_numpy(), ident, "empty stop_id")
    feed.flag(f, "stop_id", duplicated(ident) & (ident != "").to_numpy(), ident, "repeated stop_id")
    kind, bad_kind = parse_ints(feed.column(f, "location_type"), default=0)
    bad_kind |= ~np.isin(kind, [0, 1, 2, 3, 4])
    feed.flag(f, "location_type", bad_kind, feed.column(f, "location_type"), "not 0-4")
    lon = pd.to_numeric(feed.column(f, "stop_lon"), errors="coerce").to_numpy(float)
    lat = pd.to_numeric(feed.column(f, "stop_lat"), errors="coerce").to_numpy(float)
    placed = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    # generic nodes and boarding areas may lack a position: they are not stored
    needs = ~np.isin(kind, [3, 4])
    feed.flag(f, "stop_lat", needs & ~placed, feed.column(f, "stop_lat"), "no valid lat/lon")
    inside = (
        (lon >= storage.west - WIDEN_DEG)
        & (lon <= storage.east + WIDEN_DEG)
        & (lat >= storage.south - WIDEN_DEG)
        & (lat <= storage.north + WIDEN_DEG)
    )
    outside = placed & ~inside
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise file_error(
            KIND,
            feed.name,
            f"{int(outside.sum())} of {len(df)} stops lie outside the area of the storage CRS "
            f"{storage.describe()} ({storage.area_text()}), e.g. stop {ident.iloc[i]!r} at "
            f"{lon[i]:.5f}, {lat[i]:.5f}: use the feed of this city or a database in a CRS "
            "that covers it",
            "stops.txt",
        )
    keep = placed & ~bad_kind
    x, y = Transformer.from_crs(4326, storage.srid, always_xy=True).transform(lon[keep], lat[keep])
    return pd.DataFrame(
        {
            "stop_id": ident[keep].to_numpy(),
            "name": feed.column(f, "stop_name")[keep].to_numpy(),
            "location_type": kind[keep].astype(int),
            "parent_station": feed.column(f, "parent_station")[keep].replace("", None).to_numpy(),
            "x": x,
            "y": y,
        }
    )


def routes(feed: Feed) -> pd.DataFrame:
    """Routes with their short and long names and type."""
    f = "routes.txt"
    df = feed.table(f)
    ident = df["route_id"]
    feed.flag(f, "route_id", duplicated(ident), ident, "repeated route_id")
    kind, bad = parse_ints(df["route_type"])
    feed.flag(f, "route_type", bad, df["route_type"], "not a whole number")
    short, long = feed.column(f, "route_short_name"), feed.column(f, "route_long_name")
    feed.flag(
        f, "route_short_name", ((short == "") & (long == "")).to_numpy(), short, "no route name"
    )
    return pd.DataFrame(
        {
            "route_id": ident.to_numpy(),
            "short_name": short.to_numpy(),
            "long_name": long.to_numpy(),
            "route_type": np.nan_to_num(kind).astype(int),
        }
    )


def services(feed: Feed) -> tuple[pd.DataFrame, pd.DataFrame]:
    """calendar.txt and calendar_dates.txt rows."""
    f = "calendar.txt"
    cal = feed.table(f)
    feed.flag(f, "service_id", duplicated(cal["service_id"]), cal["service_id"], "repeated")
    days = {}
    for day in DAYS:
        v, bad = parse_ints(cal[day])
        feed.flag(f, day, bad | ~np.isin(v, [0, 1]), cal[day], "not 0 or 1")
        days[day] = v == 1
    start, bad_start = parse_dates(cal["start_date"])
    end, bad_end = parse_dates(cal["end_date"])
    feed.flag(f, "start_date", bad_start, cal["start_date"], "not a date YYYYMMDD")
    feed.flag(f, "end_date", bad_end, cal["end_date"], "not a date YYYYMMDD")
    late = ~bad_start & ~bad_end & (pd.Series(start).to_numpy() > pd.Series(end).to_numpy())
    feed.flag(f, "end_date", late, cal["end_date"], "before start_date")
    calendar = pd.DataFrame(
        {"service_id": cal["service_id"].to_numpy(), **days, "start_date": start, "end_date": end}
    )
    f = "calendar_dates.txt"
    cd = feed.table(f)
    date, bad_date = parse_dates(cd["date"])
    feed.flag(f, "date", bad_date, cd["date"], "not a date YYYYMMDD")
    kind, bad_kind = parse_ints(cd["exception_type"])
    feed.flag(
        f, "exception_type", bad_kind | ~np.isin(kind, [1, 2]), cd["exception_type"], "not 1 or 2"
    )
    feed.flag(f, "date", duplicated(cd[["service_id", "date"]]), cd["date"], "repeated for service")
    dates = pd.DataFrame(
        {
            "service_id": cd["service_id"].to_numpy(),
            "date": date,
            "exception_type": np.nan_to_num(kind).astype(int),
        }
    )
    return calendar, dates


def trips(feed: Feed, route_ids: set[str], service_ids: set[str]) -> pd.DataFrame:
    """Trips of known routes and services."""
    f = "trips.txt"
    df = feed.table(f)
    ident = df["trip_id"]
    feed.flag(f, "trip_id", duplicated(ident), ident, "repeated trip_id")
    feed.flag(
        f, "route_id", ~df["route_id"].isin(route_ids).to_numpy(), df["route_id"], "unknown route"
    )
    feed.flag(
        f,
        "service_id",
        ~df["service_id"].isin(service_ids).to_numpy(),
        df["service_id"],
        "in neither calendar.txt nor calendar_dates.txt",
    )
    return pd.DataFrame(
        {
            "trip_id": ident.to_numpy(),
            "route_id": df["route_id"].to_numpy(),
            "service_id": df["service_id"].to_numpy(),
            "headsign": feed.column(f, "trip_headsign").to_numpy(),
        }
    )


def stop_times(feed: Feed, stops_xy: pd.DataFrame, trip_ids: set[str]) -> pd.DataFrame:
    """Stop times in seconds; blank times at non-timepoint stops interpolated by the straight-
    line distance between the stops around them (a trip's first and last stop need times)."""
    f = "stop_times.txt"
    df = feed.table(f)
    feed.flag(f, "trip_id", ~df["trip_id"].isin(trip_ids).to_numpy(), df["trip_id"], "unknown trip")
    known = df["stop_id"].isin(stops_xy["stop_id"]).to_numpy()
    feed.flag(f, "stop_id", ~known, df["stop_id"], "unknown stop (or one without position)")
    seq, bad_seq = parse_ints(df["stop_sequence"])
    feed.flag(
        f, "stop_sequence", bad_seq | (seq < 0), df["stop_sequence"], "not a whole number >= 0"
    )
    feed.flag(
        f,
        "stop_sequence",
        duplicated(df[["trip_id", "stop_sequence"]]),
        df["stop_sequence"],
        "repeated in trip",
    )
    arr, bad_arr = parse_times(feed.column(f, "arrival_time"))
    dep, bad_dep = parse_times(feed.column(f, "departure_time"))
    feed.flag(f, "arrival_time", bad_arr, feed.column(f, "arrival_time"), "not a time HH:MM:SS")
    feed.flag(f, "departure_time", bad_dep, feed.column(f, "departure_time"), "not a time HH:MM:SS")
    arr, dep = np.where(np.isnan(arr), dep, arr), np.where(np.isnan(dep), arr, dep)
    pickup, bad_p = parse_ints(feed.column(f, "pickup_type"), default=0)
    drop, bad_d = parse_ints(feed.column(f, "drop_off_type"), default=0)
    feed.flag(
        f,
        "pickup_type",
        bad_p | ~np.isin(pickup, [0, 1, 2, 3]),
        feed.column(f, "pickup_type"),
        "not 0-3",
    )
    feed.flag(
        f,
        "drop_off_type",
        bad_d | ~np.isin(drop, [0, 1, 2, 3]),
        feed.column(f, "drop_off_type"),
        "not 0-3",
    )
    timepoint = feed.column(f, "timepoint")
    blank = np.isnan(arr)
    feed.flag(
        f,
        "arrival_time",
        blank & (timepoint == "1").to_numpy(),
        timepoint,
        "timepoint without a time",
    )
    feed.flag(
        f,
        "departure_time",
        ~blank & (dep < arr),
        feed.column(f, "departure_time"),
        "before arrival_time",
    )
    out = pd.DataFrame(
        {
            "row": np.arange(len(df)),
            "trip_id": df["trip_id"].to_numpy(),
            "stop_sequence": np.nan_to_num(seq).astype(np.int64),
            "stop_id": df["stop_id"].to_numpy(),
            "arrival_s": arr,
            "departure_s": dep,
            "pickup_type": np.nan_to_num(pickup).astype(int),
            "drop_off_type": np.nan_to_num(drop).astype(int),
            "interpolated": blank,
        }
    )
    if feed.problems:
        return out
    out = out.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)
    xy = stops_xy.set_index("stop_id").loc[out["stop_id"], ["x", "y"]].to_numpy()
    _interpolate(feed, out, xy)
    return out.drop(columns="row")


def _interpolate(feed: Feed, st: pd.DataFrame, xy: np.ndarray) -> None:
    """Fill blank times (in place) linearly by distance between the timed stops around them;
    flag trips whose first or last stop lacks a time and times that run backwards."""
    f = "stop_times.txt"
    trip = st["trip_id"].to_numpy()
    first = np.r_[True, trip[1:] != trip[:-1]]
    last = np.r_[first[1:], True]
    blank = st["interpolated"].to_numpy()
    rows = st["row"].to_numpy()
    ends = blank & (first | last)
    bad = np.zeros(len(feed.table(f)), dtype=bool)
    bad[rows[ends]] = True
    feed.flag(
        f,
        "arrival_time",
        bad,
        feed.column(f, "arrival_time"),
        "first or last stop of a trip without a time",
    )
    if ends.any():
        return
    step = np.r_[0.0, np.hypot(*np.diff(xy, axis=0).T)]
    step[first] = 0.0
    cum = np.cumsum(step)
    pos = np.arange(len(st))
    before = pd.Series(np.where(blank, np.nan, pos)).ffill().to_numpy(int)
    after = pd.Series(np.where(blank, np.nan, pos)).bfill().to_numpy(int)
    dep, arr = st["departure_s"].to_numpy(), st["arrival_s"].to_numpy()
    span = cum[after] - cum[before]
    count = (after - before).astype(float)
    share = np.where(
        span > 0,
        (cum - cum[before]) / np.where(span > 0, span, 1),
        (pos - before) / np.maximum(count, 1),
    )
    filled = np.round(dep[before] + share * (arr[after] - dep[before]))
    st["arrival_s"] = np.where(blank, filled, arr)
    st["departure_s"] = np.where(blank, filled, dep)
    a, d = st["arrival_s"].to_numpy(), st["departure_s"].to_numpy()
    back = np.r_[False, a[1:] < d[:-1]] & ~first
    bad = np.zeros(len(feed.table(f)), dtype=bool)
    bad[rows[back]] = True
    feed.flag(
        f,
        "arrival_time",
        bad,
        feed.column(f, "arrival_time"),
        "earlier than the previous stop's departure",
    )
    st["arrival_s"] = a.astype(np.int64)
    st["departure_s"] = d.astype(np.int64)


def transfers(feed: Feed, stop_ids: set[str]) -> tuple[pd.DataFrame, int]:
    """Stop-to-stop transfers (types 0-3) and how many rows were ignored (trip- or route-
    specific rows, in-seat transfers)."""
    f = "transfers.txt"
    df = feed.table(f)
    kind, bad_kind = parse_ints(df["transfer_type"], default=0)
    feed.flag(
        f,
        "transfer_type",
        bad_kind | ~np.isin(kind, [0, 1, 2, 3, 4, 5]),
        df["transfer_type"],
        "not 0-5",
    )
    specific = np.zeros(len(df), dtype=bool)
    for col in ("from_trip_id", "to_trip_id", "from_route_id", "to_route_id"):
        specific |= (feed.column(f, col) != "").to_numpy()
    use = ~specific & np.isin(kind, ROUTABLE_TRANSFERS)
    for col in ("from_stop_id", "to_stop_id"):
        feed.flag(f, col, use & ~df[col].isin(stop_ids).to_numpy(), df[col], "unknown stop")
    minimum, bad_min = parse_ints(feed.column(f, "min_transfer_time"), default=-1)
    feed.flag(
        f,
        "min_transfer_time",
        bad_min | (minimum < -1),
        feed.column(f, "min_transfer_time"),
        "not seconds >= 0",
    )
    repeated = np.zeros(len(df), dtype=bool)
    repeated[np.flatnonzero(use)] = duplicated(df.loc[use, ["from_stop_id", "to_stop_id"]])
    feed.flag(f, "to_stop_id", repeated, df["to_stop_id"], "repeated stop pair")
    rows = pd.DataFrame(
        {
            "from_stop_id": df["from_stop_id"].to_numpy()[use],
            "to_stop_id": df["to_stop_id"].to_numpy()[use],
            "transfer_type": np.nan_to_num(kind[use]).astype(int),
            "min_transfer_time": pd.array(
                np.where(minimum[use] >= 0, minimum[use], np.nan), dtype="Int64"
            ),
        }
    )
    return rows, int((~use).sum())


def frequencies(feed: Feed, trip_ids: set[str]) -> pd.DataFrame:
    """Headway-based service per trip (``exact_times`` 1: scheduled exactly)."""
    f = "frequencies.txt"
    df = feed.table(f)
    feed.flag(f, "trip_id", ~df["trip_id"].isin(trip_ids).to_numpy(), df["trip_id"], "unknown trip")
    start, bad_s = parse_times(df["start_time"])
    end, bad_e = parse_times(df["end_time"])
    feed.flag(f, "start_time", bad_s | np.isnan(start), df["start_time"], "not a time HH:MM:SS")
    feed.flag(
        f,
        "end_time",
        bad_e | np.isnan(end) | (end <= start),
        df["end_time"],
        "not a time after start_time",
    )
    headway, bad_h = parse_ints(df["headway_secs"])
    feed.flag(f, "headway_secs", bad_h | (headway <= 0), df["headway_secs"], "not seconds > 0")
    exact, bad_x = parse_ints(feed.column(f, "exact_times"), default=0)
    feed.flag(
        f,
        "exact_times",
        bad_x | ~np.isin(exact, [0, 1]),
        feed.column(f, "exact_times"),
        "not 0 or 1",
    )
    feed.flag(
        f,
        "start_time",
        duplicated(df[["trip_id", "start_time"]]),
        df["start_time"],
        "repeated for trip",
    )
    return pd.DataFrame(
        {
            "trip_id": df["trip_id"].to_numpy(),
            "start_s": np.nan_to_num(start).astype(np.int64),
            "end_s": np.nan_to_num(end).astype(np.int64),
            "headway_s": np.nan_to_num(headway).astype(np.int64),
            "exact_times": np.nan_to_num(exact).astype(int),
        }
    )


def feed_tables(feed: Feed, storage: StorageCRS) -> FeedTables:
    """Every file checked; the problems are on ``feed.problems`` (empty when all is well)."""
    stop_rows = stops(feed, storage)
    route_rows = routes(feed)
    calendar, dates = services(feed)
    service_ids = set(calendar["service_id"]) | set(dates["service_id"])
    trip_rows = trips(feed, set(route_rows["route_id"]), service_ids)
    trip_ids = set(trip_rows["trip_id"])
    times = stop_times(feed, stop_rows, trip_ids)
    transfer_rows, ignored = transfers(feed, set(stop_rows["stop_id"]))
    return FeedTables(
        stop_rows,
        route_rows,
        trip_rows,
        times,
        calendar,
        dates,
        transfer_rows,
        frequencies(feed, trip_ids),
        ignored,
    )
