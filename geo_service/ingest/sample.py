"""Load the shipped sample data set in dependency order (idempotent)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.ingest.service import import_file

SAMPLE_FILES = (
    ("districts", "districts.geojson"),
    ("indicators", "indicators.csv"),
    ("quotas", "quotas.csv"),
    ("offers", "offers.geojson"),
    ("flats", "flats.geojson"),
    ("amenities", "amenities.geojson"),
    ("network", "network.osm.pbf"),
)


def load_sample(engine: Engine, directory: Path | None = None) -> dict[str, int]:
    """Import every sample file; return rows written per kind."""
    directory = directory or get_settings().data_dir / "sample"
    return {
        kind: import_file(engine, kind, directory / name).written for kind, name in SAMPLE_FILES
    }
