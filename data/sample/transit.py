"""Generate the ILLUSTRATIVE public transport of the sample city: a GTFS feed (``gtfs.zip``)
of bus lines along its main roads, and the city-wide offices counted by transit
(``offices.geojson``: immigration office, job centres).

Not the real timetable, lines or stops of Salzgitter's buses: the lines join the districts'
centres along the main roads of ``network.osm.pbf`` (shortest paths, minor streets cost three
times their length), a stop every ~450 m (stops within 60 m shared by lines), buses at
25 km/h plus 20 s per stop, every 15 minutes on the trunk lines on weekdays (30 in the
evening), 30 or 60 minutes elsewhere, less on Saturdays and Sundays. It exercises what real
feeds hold: blank times at non-timepoint stops, a line run by frequencies.txt, same-stop
change times in transfers.txt, holidays in calendar_dates.txt.
Run (after ``network.py``): ``.venv/bin/python data/sample/transit.py`` (byte-identical).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import networkx as nx
import numpy as np
from districts import DISTRICTS
from pyproj import Transformer

from geo_service.ingest.osm_ways import read_ways
from geo_service.scoring.profile import NetworkRules

OUT = Path(__file__).resolve().parent
TO_M = Transformer.from_crs(4326, 25832, always_xy=True)
TO_WGS = Transformer.from_crs(25832, 4326, always_xy=True)
MAIN = {"primary": 1.0, "secondary": 1.0, "tertiary": 1.0}
MINOR_COST = 3.0
STOP_SPACING_M, SHARED_M = 450.0, 60.0
SPEED_M_S, DWELL_S = 25 / 3.6, 20
# line, name, district codes along it, headway on weekdays (min) day / evening, trunk
LINES = [
    ("601", "Lebenstedt – Gebhardshagen – Salzgitter-Bad", ["LEB", "GEB", "ENG", "HEE", "BAD"], 15),
    ("602", "Lebenstedt – Hallendorf – Watenstedt", ["LEB", "ENS", "HAL", "WAT"], 30),
    ("603", "Lebenstedt – Üfingen – Thiede", ["LEB", "BAR", "UFI", "SAU", "THI"], 15),
    ("605", "Salzgitter-Bad – Ringelheim", ["BAD", "GRM", "RIN"], 30),
    ("606", "Salzgitter-Bad – Flachstöckheim – Ohlendorf", ["BAD", "FLA", "OHL"], 60),
    ("607", "Lebenstedt – Salder – Lesse", ["LEB", "BRU", "SAL", "OST", "LES"], 30),
    ("608", "Lebenstedt – Lobmachtersen – Calbecht", ["LEB", "LOB", "CAL", "GEB"], 30),
    ("610", "Salzgitter-Bad – Gitter – Lichtenberg – Lebenstedt", ["BAD", "GIT", "HOH", "LIC", "REP", "LEB"], 30),
    ("612", "Thiede – Beddingen – Drütte – Watenstedt", ["THI", "BED", "IMM", "DRU", "BLE", "WAT"], 60),
]
FREQUENCY_LINE = "601"  # run by frequencies.txt (the others by one trip per departure)
CHANGE_S = {"LEB": 120, "BAD": 120}  # same-stop change time at the central stops (s)
HOLIDAYS = ["20261225", "20261226", "20270101"]
OFFICES = [  # category, name, lon, lat (ILLUSTRATIVE positions)
    ("immigration_office", "Ausländerbehörde Salzgitter (illustrativ)", 10.3315, 52.1552),
    ("job_centre", "Jobcenter Lebenstedt (illustrativ)", 10.3398, 52.1566),
    ("job_centre", "Jobcenter Salzgitter-Bad (illustrativ)", 10.3712, 52.0482),
]


def street_graph() -> tuple[nx.Graph, np.ndarray]:
    """The sample's walkable ways as a graph (node = position in ``xy``), minor streets
    costing ``MINOR_COST`` times their length so that buses keep to the main roads."""
    ways = read_ways(OUT / "network.osm.pbf", NetworkRules())
    xy = np.column_stack(TO_M.transform(ways.lonlat[:, 0], ways.lonlat[:, 1]))
    _, node = np.unique(ways.node_ids, return_inverse=True)
    graph = nx.Graph()
    same = ways.way_index[1:] == ways.way_index[:-1]
    for i in np.flatnonzero(same):
        a, b = int(node[i]), int(node[i + 1])
        length = float(np.hypot(*(xy[i + 1] - xy[i])))
        cost = length * MAIN.get(str(ways.highway[ways.way_index[i]]), MINOR_COST)
        if a != b and (not graph.has_edge(a, b) or graph[a][b]["cost"] > cost):
            graph.add_edge(a, b, cost=cost, length=length)
    positions = np.zeros((int(node.max()) + 1, 2))
    positions[node] = xy
    return graph, positions


def line_path(graph: nx.Graph, xy: np.ndarray, codes: list[str]) -> np.ndarray:
    """The line's path (node positions) through its districts' centres."""
    centre = {c: TO_M.transform(lon, lat) for c, _, _, lat, lon, _ in DISTRICTS}
    nodes = list(graph.nodes)
    node_xy = xy[nodes]
    ends = [nodes[int(np.argmin(np.hypot(*(node_xy - centre[c]).T)))] for c in codes]
    path = [ends[0]]
    for a, b in zip(ends[:-1], ends[1:], strict=True):
        path += nx.shortest_path(graph, a, b, weight="cost")[1:]
    return xy[path]


def stops_along(path: np.ndarray) -> list[np.ndarray]:
    """Stop positions every ~``STOP_SPACING_M`` along the path, both ends included."""
    cum = np.r_[0.0, np.cumsum(np.hypot(*np.diff(path, axis=0).T))]
    marks = np.linspace(0, cum[-1], max(2, int(round(cum[-1] / STOP_SPACING_M)) + 1))
    return [path[int(np.argmin(np.abs(cum - m)))] for m in marks]


def minutes(hhmm: str) -> int:
    """``HH:MM`` as minutes after midnight."""
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def departures(headway: int, day: str) -> list[int]:
    """Departure minutes of a line on a day type: its headway from 06:00 to 19:00, twice it
    from 05:00 and until 22:00; doubled on Saturdays, quadrupled (at most 120) on Sundays."""
    factor = {"WK": 1, "SA": 2, "SU": 4}[day]
    day_h = min(headway * factor, 120)
    out = list(range(minutes("06:00"), minutes("19:00"), day_h))
    out += list(range(minutes("05:00"), minutes("06:00"), min(day_h * 2, 120)))
    out += list(range(minutes("19:00"), minutes("22:01"), min(day_h * 2, 120)))
    return sorted(set(out))


def hms(seconds: float) -> str:
    """Seconds as GTFS H:MM:SS."""
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def build() -> dict[str, list[list[str]]]:
    """Every file of the feed as rows (header first)."""
    graph, xy = street_graph()
    names = {c: n for c, n, *_ in DISTRICTS}
    centre = {c: np.array(TO_M.transform(lon, lat)) for c, _, _, lat, lon, _ in DISTRICTS}
    stops: list[tuple[str, str, np.ndarray]] = []  # id, name, position
    rows = {
        "agency.txt": [["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"]],
        "stops.txt": [["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type"]],
        "routes.txt": [["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"]],
        "trips.txt": [["route_id", "service_id", "trip_id", "trip_headsign", "direction_id"]],
        "stop_times.txt": [
            ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence", "timepoint"]
        ],
        "calendar.txt": [
            ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
             "sunday", "start_date", "end_date"]
        ],
        "calendar_dates.txt": [["service_id", "date", "exception_type"]],
        "frequencies.txt": [["trip_id", "start_time", "end_time", "headway_secs", "exact_times"]],
        "transfers.txt": [["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"]],
        "feed_info.txt": [["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_version"]],
    }
    rows["agency.txt"].append(
        ["SZ", "Beispielverkehr Salzgitter (ILLUSTRATIV, kein echter Fahrplan)",
         "https://example.org/illustrativ", "Europe/Berlin", "de"]
    )
    rows["feed_info.txt"].append(["geo_service sample (ILLUSTRATIVE)", "https://example.org", "de", "1"])

    def stop_at(p: np.ndarray) -> str:
        for sid, _, q in stops:
            if np.hypot(*(p - q)) <= SHARED_M:
                return sid
        code = min(centre, key=lambda c: float(np.hypot(*(p - centre[c]))))
        near = float(np.hypot(*(p - centre[code]))) < 250
        count = sum(1 for _, n, _ in stops if n.startswith(names[code]))
        name = f"{names[code]} Mitte" if near and not any(n == f"{names[code]} Mitte" for _, n, _ in stops) else f"{names[code]}, Halt {count + 1}"
        sid = f"SZ{len(stops) + 1:04d}"
        stops.append((sid, name, p))
        return sid

    for line, long_name, codes, headway in LINES:
        path = line_path(graph, xy, codes)
        ids = [stop_at(p) for p in stops_along(path)]
        rows["routes.txt"].append([f"R{line}", "SZ", line, long_name, "3"])
        for direction, seq in ((0, ids), (1, ids[::-1])):
            pos = np.array([next(q for s, _, q in stops if s == i) for i in seq])
            ride = np.r_[0.0, np.cumsum(np.hypot(*np.diff(pos, axis=0).T) / SPEED_M_S + DWELL_S)]
            for day in ("WK", "SA", "SU"):
                starts = departures(headway, day)
                if line == FREQUENCY_LINE:
                    trip = f"T{line}-{direction}-{day}-F"
                    rows["frequencies.txt"].append(
                        [trip, "06:00:00", "19:00:00", str(60 * min(headway * {"WK": 1, "SA": 2, "SU": 4}[day], 120)), "0"]
                    )
                    starts = [minutes("06:00")]
                for k, start in enumerate(starts):
                    trip = f"T{line}-{direction}-{day}-F" if line == FREQUENCY_LINE else f"T{line}-{direction}-{day}-{k:03d}"
                    rows["trips.txt"].append([f"R{line}", day, trip, names[codes[-1 if direction == 0 else 0]], str(direction)])
                    for j, (sid, t) in enumerate(zip(seq, ride, strict=True)):
                        timed = j in (0, len(seq) - 1) or j % 3 != 1
                        clock = hms(start * 60 + t) if timed else ""
                        rows["stop_times.txt"].append([trip, clock, clock, sid, str(j + 1), "1" if timed else "0"])
    for sid, name, p in stops:
        lon, lat = TO_WGS.transform(*p)
        rows["stops.txt"].append([sid, name, f"{lat:.6f}", f"{lon:.6f}", "0"])
        code = next((c for c, n in names.items() if name == f"{n} Mitte"), None)
        if code in CHANGE_S:
            rows["transfers.txt"].append([sid, sid, "2", str(CHANGE_S[code])])
    week = ["1", "1", "1", "1", "1", "0", "0"]
    for service, days in (("WK", week), ("SA", ["0"] * 5 + ["1", "0"]), ("SU", ["0"] * 6 + ["1"])):
        rows["calendar.txt"].append([service, *days, "20260101", "20271231"])
    for date in HOLIDAYS:
        rows["calendar_dates.txt"] += [["WK", date, "2"], ["SA", date, "2"], ["SU", date, "1"]]
    return rows


def write_zip(rows: dict[str, list[list[str]]], path: Path) -> None:
    """The feed as a zip with fixed timestamps (byte-identical on every run)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, table in rows.items():
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(table)
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, buf.getvalue())


def write_offices(path: Path) -> None:
    """The city-wide offices as amenities (source ``sample-offices``)."""
    features = [
        {
            "type": "Feature",
            "properties": {"source": "sample-offices", "source_id": f"O-{i + 1:02d}", "category": c, "name": n},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
        for i, (c, n, lon, lat) in enumerate(OFFICES)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1) + "\n")


def main() -> None:
    """Write gtfs.zip and offices.geojson next to this script."""
    rows = build()
    write_zip(rows, OUT / "gtfs.zip")
    write_offices(OUT / "offices.geojson")
    trips = len(rows["trips.txt"]) - 1
    print(f"gtfs.zip: {len(rows['stops.txt']) - 1} stops, {len(LINES)} lines, {trips} trips; offices.geojson: {len(OFFICES)}")


if __name__ == "__main__":
    main()
