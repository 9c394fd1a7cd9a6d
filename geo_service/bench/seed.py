"""Put a synthetic city into a scratch database and build a matching scoring profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
import tomli_w
from sqlalchemy import Engine, text

from geo_service.bench.synthetic import BENCH_SRID, EXTENT_M, ORIGIN_X, ORIGIN_Y, SyntheticCity
from geo_service.config import get_settings
from geo_service.ingest.schemas import KINDS
from geo_service.ingest.writer import write_kind
from geo_service.scoring.profile import ScoringProfile, load_profile, parse_profile

CATEGORIES = (
    "grocery",
    "kita",
    "primary_school",
    "secondary_school",
    "gp",
    "paediatrician",
    "pharmacy",
    "transit_stop",
    "park_playground",
    "sports",
)
RADIUS_M = (400.0, 2000.0)


def bench_profile(base: ScoringProfile) -> ScoringProfile:
    """The default profile reduced to ten amenity categories with k = 3 (no catalogue, no
    needs and so no service places)."""
    data = base.model_dump(mode="json")
    cats = {
        c: {
            "kind": "amenity",
            "weight": 1.0,
            "rank_weights": [1.0, 0.5, 0.25],
            "full_m": RADIUS_M[0],
            "zero_m": RADIUS_M[1],
        }
        for c in CATEGORIES
    }
    data.update(categories=cats, children=[], needs={}, services={}, k_nearest=3, name="bench")
    return parse_profile(data, "bench profile")


def _without_none(value: Any) -> Any:
    """``value`` with every None dropped from its tables (TOML has no null; an absent key
    validates to the same default)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def write_profile(profile: ScoringProfile, path: Path) -> Path:
    """Write ``profile`` as a TOML file a server can be pointed at (GEO_SERVICE_PROFILE_PATH);
    reading it back gives the same profile version, so the server serves the scores made with
    ``profile``."""
    path.write_text(tomli_w.dumps(_without_none(profile.model_dump(mode="json"))), "utf-8")
    if load_profile(path).version != profile.version:
        raise ValueError(f"{path}: the written profile does not read back as {profile.name}")
    return path


def flat_attributes(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Plausible flat attributes for ``n`` synthetic flats."""
    rooms = rng.integers(1, 6, n).astype(float)
    area = np.round(rooms * 20 + rng.uniform(5, 20, n), 1)
    return pd.DataFrame(
        {
            "id": [f"S-{i:06d}" for i in range(n)],
            "address": None,
            "rooms": rooms,
            "living_area_m2": area,
            "rent_gross_cold_eur": np.round(area * rng.uniform(8, 11, n), 2),
            "floor": rng.integers(0, 6, n),
            "lift": rng.random(n) < 0.3,
            "barrier_free": rng.random(n) < 0.1,
            "available_from": pd.Timestamp("2026-10-01").date(),
            "available": True,
        }
    )


def strip_of(x: np.ndarray, n: int) -> np.ndarray:
    """District number of each x coordinate: ``n`` vertical strips over the square."""
    return np.clip(((x - ORIGIN_X + 10) / (EXTENT_M + 20) * n).astype(int), 0, n - 1)


def seed_district(engine: Engine, n: int = 1, capacity: int | None = None) -> None:
    """``n`` strip districts covering the synthetic square, with the configured profile's
    indicators (and quotas)."""
    width = (EXTENT_M + 20) / n
    indicators = list(load_profile(get_settings().profile_path).district.indicators)
    with engine.begin() as conn:
        for i in range(n):
            x0 = ORIGIN_X - 10 + i * width
            conn.execute(
                text(
                    "INSERT INTO districts (code, name, geom) VALUES (:c, :c, ST_Multi("
                    f"ST_MakeEnvelope({x0}, {ORIGIN_Y - 10}, {x0 + width}, "
                    f"{ORIGIN_Y + EXTENT_M + 10}, {BENCH_SRID})))"
                ),
                {"c": f"S{i:02d}"},
            )
            conn.execute(
                text("INSERT INTO district_indicators VALUES (:c, 2024, :r)"),
                {"c": f"S{i:02d}", "r": 100_000 // n},
            )
            conn.execute(
                text("INSERT INTO district_indicator_values VALUES (:c, 2024, :k, :v)"),
                [
                    {"c": f"S{i:02d}", "k": key, "v": 3 + i % 10 if j == 0 else 5}
                    for j, key in enumerate(indicators)
                ],
            )
            if capacity is not None:
                conn.execute(
                    text("INSERT INTO quota_plan VALUES (:c, '2026', :cap, 0)"),
                    {"c": f"S{i:02d}", "cap": capacity},
                )
        conn.execute(
            text(
                "INSERT INTO imports (kind, source, sha256, rows) "
                "VALUES ('bench', 'synthetic', '', 0)"
            )
        )


def seed_city(
    engine: Engine, city: SyntheticCity, districts: int = 1, capacity: int | None = None
) -> None:
    """Store the city's flats and amenities (COPY) in the scratch database."""
    seed_district(engine, districts, capacity)
    rng = np.random.default_rng(11)
    flats = flat_attributes(len(city.flats_xy), rng)
    flats["geom"] = shapely.points(city.flats_xy)
    codes = np.array([f"S{i:02d}" for i in range(districts)], dtype=object)
    flats["district_code"] = codes[strip_of(city.flats_xy[:, 0], districts)]
    names = np.asarray(city.categories, dtype=object)[city.amenity_category]
    amen = pd.DataFrame(
        {
            "source": "bench",
            "source_id": np.arange(len(names)).astype(str),
            "category": names,
            "name": None,
            "geom": shapely.points(city.amenities_xy),
            "district_code": codes[strip_of(city.amenities_xy[:, 0], districts)],
        }
    )
    with engine.begin() as conn:
        write_kind(conn, KINDS["flats"], flats)
        write_kind(conn, KINDS["amenities"], amen)
