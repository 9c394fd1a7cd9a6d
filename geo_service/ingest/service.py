"""Import one file of one kind: read, validate it all, then write every row in one transaction."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, func, insert, select

from geo_service.config import get_settings
from geo_service.db import models
from geo_service.errors import InputError
from geo_service.ingest.errors import ImportReport, ImportValidationError, Problem, file_error
from geo_service.ingest.network import import_network
from geo_service.ingest.osm import read_pbf
from geo_service.ingest.osm_ways import KIND as NETWORK_KIND
from geo_service.ingest.readers import read_table
from geo_service.ingest.schemas import KINDS, KindSpec
from geo_service.ingest.spatial import assign_districts, overlapping_pairs
from geo_service.ingest.validate import check_fields, check_geometry
from geo_service.ingest.writer import Progress, write_kind
from geo_service.scoring.profile import ScoringProfile, cached_profile


def vocabulary(spec: KindSpec, profile: ScoringProfile) -> frozenset[str]:
    """Categories allowed for this kind, from the scoring profile."""
    if spec.kind == "offers":
        return frozenset(profile.offer_category_map())
    return frozenset(profile.names("amenity"))


def read_any(
    path: Path, spec: KindSpec, profile: ScoringProfile, crs: str | None, layer: str | None
) -> pd.DataFrame:
    """Read a file of any supported format; column names normalised to lower case."""
    if path.name.lower().endswith((".pbf", ".osm.pbf")):
        if spec.kind != "amenities":
            raise file_error(
                spec.kind, path.name, "OSM PBF files can only be imported as amenities"
            )
        if not path.exists() or path.stat().st_size == 0:
            raise file_error(spec.kind, path.name, "file is missing or empty")
        df: pd.DataFrame = read_pbf(path, profile)
    else:
        df = read_table(path, spec.kind, spec.spatial, crs, layer)
    if len(df) == 0:
        raise file_error(spec.kind, path.name, "file has no features or rows")
    df.columns = [str(c).strip().lower() if c != "geometry" else c for c in df.columns]
    return df.rename(columns=shapefile_names(list(df.columns), spec))


def shapefile_names(columns: list[str], spec: KindSpec) -> dict[str, str]:
    """Map field names a Shapefile cut to 10 characters back to the spec's names."""
    wanted = [f.name for f in spec.fields if f.name not in columns]
    return {c: w for c in columns if len(c) == 10 for w in wanted if w.startswith(c)}


def district_layer(engine: Engine) -> gpd.GeoDataFrame:
    """The stored districts (code, geometry in EPSG:25832)."""
    with engine.connect() as conn:
        return gpd.read_postgis(
            select(models.districts.c.code, models.districts.c.geom),
            conn,
            geom_col="geom",
            crs=models.SRID,
        )


def check_references(
    engine: Engine, spec: KindSpec, rows: pd.DataFrame, geoms: pd.Series | None
) -> list[Problem]:
    """Checks against stored layers: district codes exist, points lie in a district, tiling."""
    if spec.kind == "districts":
        assert geoms is not None
        return overlapping_pairs(geoms.to_numpy(), rows["code"].to_numpy())
    if "district_code" in rows and not spec.spatial:
        with engine.connect() as conn:
            known = set(conn.execute(select(models.districts.c.code)).scalars())
        bad = ~rows["district_code"].isin(known)
        return [
            Problem(int(i) + 1, "district_code", str(v), "unknown district code")
            for i, v in zip(bad.to_numpy().nonzero()[0], rows["district_code"][bad], strict=True)
        ]
    if spec.needs_districts and geoms is not None:
        d = district_layer(engine)
        if d.empty:
            raise InputError(f"no districts stored yet: import districts before {spec.kind}")
        codes, probs = assign_districts(geoms, d.geometry.to_numpy(), d.code.to_numpy())
        rows["district_code"] = codes
        return probs
    return []


def import_file(
    engine: Engine,
    kind: str,
    path: Path | str,
    *,
    dry_run: bool = False,
    crs: str | None = None,
    layer: str | None = None,
    profile: ScoringProfile | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate ``path`` as ``kind``; unless ``dry_run``, write it all in one transaction."""
    profile = profile or cached_profile(str(get_settings().profile_path))
    if kind == NETWORK_KIND:
        return import_network(engine, Path(path), profile, dry_run=dry_run, progress=progress)
    if kind not in KINDS:
        kinds = ", ".join([*KINDS, NETWORK_KIND])
        raise InputError(f"unknown import kind {kind!r}; use one of {kinds}")
    spec, path = KINDS[kind], Path(path)
    df = read_any(path, spec, profile, crs, layer)
    report = ImportReport(kind, path.name, rows=len(df), dry_run=dry_run)
    rows, report.problems = check_fields(df, spec, vocabulary(spec, profile))
    geoms = None
    if spec.spatial:
        geoms, probs = check_geometry(df, spec)
        report.problems += probs
    if not report.problems:
        report.problems += check_references(engine, spec, rows, geoms)
    if report.problems:
        raise ImportValidationError(report)
    if geoms is not None:
        rows["geom"] = geoms.to_numpy()
    if dry_run:
        return report
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    with engine.begin() as conn:
        report.written = write_kind(conn, spec, rows, progress)
        conn.execute(
            insert(models.imports).values(
                kind=kind,
                source=str(path.name),
                sha256=digest,
                rows=report.written,
                imported_at=func.now(),
            )
        )
    return report
