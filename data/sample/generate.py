"""Generate the ILLUSTRATIVE Salzgitter sample data set (fixed seed, byte-identical output).

Real district names and approximate centres (shared/reference/salzgitter.md); every polygon,
figure, flat, offer and amenity is generated. Not official statistics.
Run: ``.venv/bin/python data/sample/generate.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from catalogue import LANGUAGES, OFFER_CATEGORIES, PROVIDERS, offer_name
from districts import AMENITY_COUNTS, DISTRICTS, SECONDARY_MIN_RESIDENTS

OUT = Path(__file__).resolve().parent
SEED = 20161
METRIC, WGS84 = "EPSG:25832", "EPSG:4326"
NOTE = "ILLUSTRATIVE sample data for geo_service, generated; not official statistics"
rng = np.random.default_rng(SEED)


def write_geojson(gdf: gpd.GeoDataFrame, name: str, decimals: int = 6) -> None:
    """Write ``gdf`` (any CRS) as RFC 7946 GeoJSON in WGS84 with rounded coordinates."""
    wgs = gdf.to_crs(WGS84)
    wgs["geometry"] = shapely.set_precision(wgs.geometry.values, 10.0**-decimals)
    doc = json.loads(wgs.to_json(drop_id=True, to_wgs84=False))
    doc = {"type": "FeatureCollection", "name": name, "description": NOTE, **doc}
    doc.pop("bbox", None)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    (OUT / f"{name}.geojson").write_text(text + "\n", encoding="utf-8")


def centres() -> gpd.GeoDataFrame:
    """District table with centres projected to EPSG:25832."""
    df = pd.DataFrame(DISTRICTS, columns=["code", "name", "ortschaft", "lat", "lon", "residents"])
    pts = gpd.points_from_xy(df.lon, df.lat, crs=WGS84)
    return gpd.GeoDataFrame(df, geometry=pts).to_crs(METRIC)


def tiling(cent: gpd.GeoDataFrame) -> tuple[shapely.Geometry, gpd.GeoDataFrame]:
    """City boundary (buffered hull of the centres) and its Voronoi tiling by district."""
    hull = shapely.MultiPoint(list(cent.geometry.values)).convex_hull
    boundary = shapely.simplify(hull.buffer(1300.0, quad_segs=4), 50.0)
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(list(cent.geometry.values)), extend_to=boundary, ordered=True
    )
    polys = shapely.intersection(np.asarray(cells.geoms), boundary)
    districts = cent.drop(columns=["lat", "lon"]).copy()
    districts["geometry"] = shapely.make_valid(polys)
    return boundary, districts


def points_in(districts: gpd.GeoDataFrame, n: int, weights: np.ndarray, sd: np.ndarray) -> tuple:
    """Draw ``n`` points by district weight, near each centre, inside and ≥ 5 m off the border."""
    codes = np.empty(0, dtype=object)
    xy = np.empty((0, 2))
    geoms = districts.geometry.values
    inner = shapely.buffer(geoms, -5.0)
    cx, cy = districts.centroid_x.values, districts.centroid_y.values
    while len(codes) < n:
        k = rng.choice(len(districts), size=2 * n, p=weights / weights.sum())
        p = np.column_stack([cx[k], cy[k]]) + rng.normal(0, 1, (2 * n, 2)) * sd[k, None]
        ok = shapely.contains_xy(inner[k], p[:, 0], p[:, 1])
        codes = np.concatenate([codes, districts.code.values[k[ok]]])
        xy = np.vstack([xy, p[ok]])
    return codes[:n], xy[:n]


def indicators(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Two years of plausible, varied district indicators (percent values, per 1,000)."""
    res = districts.residents.to_numpy(float)
    urban = np.clip(np.log10(res) - 2.6, 0, None) / 2.0  # 0 villages .. ~1 centres
    burden = urban + rng.normal(0, 0.25, len(res))
    rows = []
    for year, drift in ((2023, 0.0), (2024, 1.0)):
        r = np.round(res * (1 + drift * rng.normal(0.003, 0.01, len(res)))).astype(int)
        rows.append(
            pd.DataFrame(
                {
                    "district_code": districts.code,
                    "year": year,
                    "residents": r,
                    "unemployment_rate": np.clip(
                        5 + 7 * burden + rng.normal(0, 0.6, len(r)), 2, 19
                    ),
                    "sgb2_share": np.clip(4 + 10 * burden + rng.normal(0, 1, len(r)), 1, 25),
                    "child_poverty_rate": np.clip(
                        8 + 18 * burden + rng.normal(0, 2, len(r)), 3, 40
                    ),
                    "foreign_share": np.clip(8 + 20 * burden + rng.normal(0, 2, len(r)), 2, 38),
                    "refugees_per_1000": np.clip(4 + 22 * burden + rng.normal(0, 2, len(r)), 0, 40),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    return out.round(1)


def quotas(districts: gpd.GeoDataFrame, ind: pd.DataFrame) -> pd.DataFrame:
    """Placement capacity for 2026: bigger for large, low-burden districts; some near the cap."""
    latest = ind[ind.year == 2024].set_index("district_code").loc[districts.code]
    factor = np.interp(latest.sgb2_share.to_numpy(), [3, 20], [1.2, 0.3])
    cap = np.clip(np.round(latest.residents.to_numpy() * 0.004 * factor), 0, 250).astype(int)
    before = np.round(cap * rng.uniform(0.1, 0.7, len(cap))).astype(int)
    code = districts.code.to_numpy()
    before[code == "FLA"] = cap[code == "FLA"]  # at its cap: factor B = 0
    before[code == "THI"] = np.round(cap[code == "THI"] * 0.9).astype(int)
    return pd.DataFrame(
        {"district_code": code, "period": "2026", "capacity": cap, "placements_before": before}
    )


def offers(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 110-offer catalogue at 110 distinct locations, languages per offer."""
    n = 110
    w = districts.residents.to_numpy(float) ** 0.9
    codes, xy = points_in(districts, n, w, np.sqrt(districts.residents.to_numpy()) * 6.0)
    cats = np.array([OFFER_CATEGORIES[i % len(OFFER_CATEGORIES)] for i in range(n)])
    rng.shuffle(cats)
    others = [lang for lang in LANGUAGES if lang not in ("de", "ti")]
    langs = []
    for i in range(n):
        extra = list(rng.choice(others, size=rng.integers(0, 4), replace=False))
        if cats[i] != "counselling" and rng.random() < 0.05:
            extra.append("ti")
        base = ["de"] if rng.random() < 0.9 or not extra else []
        langs.append(";".join(sorted(set(base + extra))))
    first_counselling = int(np.flatnonzero(cats == "counselling")[0])
    langs[first_counselling] = "ar;de;ku"
    provider = rng.choice(PROVIDERS, size=n)
    hours = rng.choice(
        [
            "Mo-Fr 09:00-12:00",
            "Di,Do 14:00-17:00",
            "Mo-Do 08:30-15:30",
            "Mi 10:00-12:00",
            "Sa 10:00-13:00",
            "Mo,Mi,Fr 15:00-18:00",
        ],
        size=n,
    )
    return gpd.GeoDataFrame(
        {
            "id": [f"O-{i + 1:03d}" for i in range(n)],
            "name": [offer_name(c, code, i) for i, (c, code) in enumerate(zip(cats, codes))],
            "category": cats,
            "provider": provider,
            "address": [f"Beispielstraße {i + 1} (illustrativ)" for i in range(n)],
            "languages": langs,
            "opening_hours": hours,
            "capacity_per_week": rng.integers(5, 201, n),
            "contact_role": rng.choice(
                [
                    "Beratungsstelle",
                    "Integrationslotsin",
                    "Koordination",
                    "Sekretariat",
                    "Kursleitung",
                ],
                size=n,
            ),
            "interpreting": rng.random(n) < 0.15,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=METRIC,
    )


def flats(districts: gpd.GeoDataFrame, n: int = 900) -> gpd.GeoDataFrame:
    """Available flats, more in the centres, with plausible size, rent and features."""
    res = districts.residents.to_numpy(float)
    codes, xy = points_in(districts, n, res, np.sqrt(res) * 5.0)
    rooms = rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.12, 0.3, 0.32, 0.17, 0.07, 0.02])
    area = np.round(rooms * rng.uniform(18, 24, n) + rng.uniform(8, 18, n), 1)
    rent = np.round(area * (rng.uniform(6.5, 9.5, n) + rng.uniform(1.5, 2.5, n)), 2)
    big = np.isin(codes, ["LEB", "BAD"])
    floor = np.where(big, rng.integers(0, 9, n), rng.integers(0, 3, n))
    lift = (floor >= 3) & (rng.random(n) < 0.6)
    days = rng.integers(0, 182, n)
    dates = (np.datetime64("2026-10-01") + days).astype(str)
    return gpd.GeoDataFrame(
        {
            "id": [f"F-{i + 1:04d}" for i in range(n)],
            "address": [f"Musterweg {i % 97 + 1}, Wohnung {i + 1} (illustrativ)" for i in range(n)],
            "rooms": rooms,
            "living_area_m2": area,
            "rent_gross_cold_eur": rent,
            "floor": floor,
            "lift": lift,
            "barrier_free": rng.random(n) < 0.1,
            "available_from": dates,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=METRIC,
    )


def amenities(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Everyday infrastructure by category, distributed with population."""
    res = districts.residents.to_numpy(float)
    parts = []
    for category, (count, label) in AMENITY_COUNTS.items():
        w = res.copy()
        if category == "secondary_school":
            w[res < SECONDARY_MIN_RESIDENTS] = 0
        if category == "paediatrician":
            w = np.where(res > 20000, w, w * 0.05)
        codes, xy = points_in(districts, count, w, np.sqrt(res) * 6.0)
        parts.append(
            pd.DataFrame(
                {
                    "category": category,
                    "x": xy[:, 0],
                    "y": xy[:, 1],
                    "name": [f"{label} {c}-{i + 1}" for i, c in enumerate(codes)],
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    df.insert(0, "source_id", [f"A-{i + 1:05d}" for i in range(len(df))])
    df.insert(0, "source", "sample")
    geom = gpd.points_from_xy(df.pop("x"), df.pop("y"))
    return gpd.GeoDataFrame(df, geometry=geom, crs=METRIC)


def check(boundary: shapely.Geometry, d: gpd.GeoDataFrame, layers: dict) -> list[str]:
    """Verify the invariants the tests rely on; return the failures."""
    fails = []
    back = gpd.read_file(OUT / "districts.geojson").to_crs(METRIC)
    union = shapely.union_all(back.geometry.values)
    if abs(union.area - back.area.sum()) > 31.0:
        fails.append("districts overlap")
    if union.geom_type != "Polygon" or len(union.interiors) > 0:
        fails.append("district union is not one polygon without holes")
    if len(back) != 31:
        fails.append("not 31 districts")
    for name, gdf in layers.items():
        j = gpd.sjoin(gdf, back[["geometry"]], predicate="within", how="left")
        if j.index_right.isna().any():
            fails.append(f"{name}: points outside districts")
    langs = {x for s in layers["offers"].languages for x in s.split(";")}
    if len(langs) < 13:
        fails.append(f"only {len(langs)} languages")
    return fails


def main() -> None:
    """Generate every file and verify the invariants."""
    cent = centres()
    boundary, d = tiling(cent)
    d["centroid_x"], d["centroid_y"] = cent.geometry.x.values, cent.geometry.y.values
    bdf = gpd.GeoDataFrame({"name": ["Salzgitter (illustrative)"]}, geometry=[boundary], crs=METRIC)
    write_geojson(bdf, "boundary", 7)
    write_geojson(d[["code", "name", "ortschaft", "geometry"]], "districts", 7)
    ind = indicators(d)
    ind.to_csv(OUT / "indicators.csv", index=False, lineterminator="\n")
    quotas(d, ind).to_csv(OUT / "quotas.csv", index=False, lineterminator="\n")
    layers = {"offers": offers(d), "flats": flats(d), "amenities": amenities(d)}
    for name, gdf in layers.items():
        write_geojson(gdf, name)
    fails = check(
        boundary, d, {k: gpd.read_file(OUT / f"{k}.geojson").to_crs(METRIC) for k in layers}
    )
    print(
        f"boundary {boundary.area / 1e6:.0f} km2, residents {ind[ind.year == 2024].residents.sum()}"
    )
    print({k: len(v) for k, v in layers.items()})
    if fails:
        sys.exit("invariant failed: " + "; ".join(fails))


if __name__ == "__main__":
    main()
