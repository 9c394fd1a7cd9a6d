"""Load the shipped sample data set in dependency order (idempotent)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.i18n import formats
from geo_service.ingest.gtfs import import_gtfs
from geo_service.ingest.kinds import kind_words
from geo_service.ingest.service import import_file
from geo_service.scoring.profile import ScoringProfile, cached_profile

ORGANISATIONS = "organisations.csv"  # registered first: the offers' providers name them
VOLUNTEERS = "volunteers.csv"  # registered last: their homes lie in the districts
SAMPLE_FILES = (
    ("districts", "districts.geojson"),
    ("indicators", "indicators.csv"),
    ("quotas", "quotas.csv"),
    ("capacities", "capacities.csv"),
    ("offers", "offers.geojson"),
    ("flats", "flats.geojson"),
    ("amenities", "amenities.geojson"),
    ("amenities", "offices.geojson"),
    ("network", "network.osm.pbf"),
    ("addresses", "network.osm.pbf"),
)
GTFS = "gtfs.zip"  # ILLUSTRATIVE bus lines (data/sample/transit.py), after the network


def sample_profile() -> ScoringProfile:
    """The profile the sample's categories and indicators belong to."""
    return cached_profile(str(get_settings().data_dir / "profiles" / "salzgitter.toml"))


def load_sample(
    engine: Engine, directory: Path | None = None, profile: ScoringProfile | None = None
) -> dict[str, int]:
    """Import every sample file (under the sample's profile unless another is given); return
    rows written per kind."""
    directory = directory or get_settings().data_dir / "sample"
    profile = profile or sample_profile()
    written = {"organisations": register_organisations(engine, directory / ORGANISATIONS)}
    for kind, name in SAMPLE_FILES:
        done = import_file(engine, kind, directory / name, profile=profile).written
        written[kind] = written.get(kind, 0) + done  # a kind may come in several files
    written["gtfs"] = import_gtfs(engine, directory / GTFS).written
    written["volunteers"] = register_volunteers(engine, directory / VOLUNTEERS)
    return written


def summary(counts: dict[str, int]) -> str:
    """The rows written per kind in one line, numbers grouped ("22.636 Adressen, 900
    Wohnungen, …")."""
    return ", ".join(f"{formats.number(n, 0)} {kind_words(kind)}" for kind, n in counts.items())


def register_volunteers(engine: Engine, path: Path) -> int:
    """Register the sample's ILLUSTRATIVE bridge builders (handle, organisation, languages,
    capacity, lon, lat) not registered yet, after the districts, which their homes lie in;
    return how many of them are registered (now or before, as the imports count the rows they
    upsert: a second load must not say "0")."""
    import csv

    from geo_service.auth.keys import KeyInfo
    from geo_service.bridges.volunteers import create_volunteer, list_volunteers

    loader = KeyInfo("load-sample", "load-sample", "admin")
    known = {v.id for v in list_volunteers(engine, loader).items}
    with path.open(encoding="utf-8") as f:
        sample = list(csv.DictReader(f))
    for row in (r for r in sample if r["id"] not in known):
        values = {
            "id": row["id"],
            "languages": row["languages"].split(";"),
            "capacity": int(row["capacity"]),
            "lon": float(row["lon"]),
            "lat": float(row["lat"]),
        }
        create_volunteer(engine, values, loader, row["organisation"])
    return len(sample)


def register_organisations(engine: Engine, path: Path) -> int:
    """Register the sample's ILLUSTRATIVE organisations (id,name CSV) not registered yet
    (before the offers, which the import then gives them by provider name); return how many
    of them are registered (now or before)."""
    import csv

    from geo_service.catalogue.organisations import create_organisation, organisations

    known = {o.id for o in organisations(engine).items}
    with path.open(encoding="utf-8") as f:
        sample = list(csv.DictReader(f))
    with engine.begin() as conn:
        for row in (r for r in sample if r["id"] not in known):
            create_organisation(conn, row["name"], row["id"])
    return len(sample)
