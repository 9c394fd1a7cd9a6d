"""Import one file of one kind: read, validate it all, then write every row in one transaction."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from sqlalchemy import Engine, select

from geo_service.config import get_settings
from geo_service.db import models
from geo_service.db.crs import StorageCRS, storage_crs
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.i18n.formats import distance
from geo_service.ingest.addresses import KIND as ADDRESSES_KIND
from geo_service.ingest.addresses import import_addresses
from geo_service.ingest.errors import ImportReport, ImportValidationError, Problem, file_error
from geo_service.ingest.network import city_outline, import_network
from geo_service.ingest.osm import read_pbf
from geo_service.ingest.osm_ways import KIND as NETWORK_KIND
from geo_service.ingest.readers import read_table
from geo_service.ingest.schemas import KINDS, KindSpec, kind_for
from geo_service.ingest.spatial import (
    assign_districts,
    city_zone,
    in_zone,
    outside_problems,
    overlapping_pairs,
)
from geo_service.ingest.validate import check_fields, check_geometry
from geo_service.ingest.writer import Progress, record_import, write_kind
from geo_service.scoring.profile import ScoringProfile, cached_profile

GEOMETRY_SOURCE_COLUMNS = frozenset({"geometry", "lon", "lat", "wkt"})


def vocabulary(spec: KindSpec, profile: ScoringProfile) -> frozenset[str]:
    """Categories allowed for this kind, from the scoring profile."""
    if spec.kind == "offers":
        return frozenset(profile.offer_category_map())
    if spec.kind == "capacities":
        return frozenset(profile.services)
    return frozenset(profile.names("amenity"))


def read_any(
    path: Path, spec: KindSpec, profile: ScoringProfile, crs: str | None, layer: str | None
) -> pd.DataFrame:
    """Read a file of any supported format; column names normalised to lower case."""
    if path.name.lower().endswith((".pbf", ".osm.pbf")):
        if spec.kind != "amenities":
            raise file_error(
                spec.kind,
                path.name,
                _("OSM PBF files can only be imported as amenities, network or addresses"),
            )
        if not path.exists() or path.stat().st_size == 0:
            raise file_error(spec.kind, path.name, _("file is missing or empty"))
        df: pd.DataFrame = read_pbf(path, profile)
    else:
        df = read_table(path, spec.kind, spec.spatial, crs, layer)
    if len(df) == 0:
        raise file_error(spec.kind, path.name, _("file has no features or rows"))
    df.columns = [str(c).strip().lower() if c != "geometry" else c for c in df.columns]
    return df.rename(columns=shapefile_names(list(df.columns), spec))


def shapefile_names(columns: list[str], spec: KindSpec) -> dict[str, str]:
    """Map field names a Shapefile cut to 10 characters back to the spec's names."""
    wanted = [f.name for f in spec.fields if f.name not in columns]
    return {c: w for c in columns if len(c) == 10 for w in wanted if w.startswith(c)}


def ignored_columns(df: pd.DataFrame, spec: KindSpec) -> list[str]:
    """Columns of the file the kind does not use (reported, not refused)."""
    used = {f.name for f in spec.fields} | GEOMETRY_SOURCE_COLUMNS
    return [str(c) for c in df.columns if c not in used]


def district_layer(engine: Engine, storage: StorageCRS) -> gpd.GeoDataFrame:
    """The stored districts (code, geometry in the storage CRS)."""
    with engine.connect() as conn:
        return gpd.read_postgis(
            select(models.districts.c.code, models.districts.c.geom),
            conn,
            geom_col="geom",
            crs=storage.srid,
        )


def unknown_codes(engine: Engine, rows: pd.DataFrame) -> list[Problem]:
    """Rows whose district code is not stored."""
    with engine.connect() as conn:
        known = set(conn.execute(select(models.districts.c.code)).scalars())
    bad = ~rows["district_code"].isin(known)
    return [
        Problem(int(i) + 1, "district_code", str(v), _("unknown district code"))
        for i, v in zip(bad.to_numpy().nonzero()[0], rows["district_code"][bad], strict=True)
    ]


def place_in_districts(
    engine: Engine,
    spec: KindSpec,
    rows: pd.DataFrame,
    geoms: pd.Series,
    read: pd.DataFrame,
    storage: StorageCRS,
) -> list[Problem]:
    """Set every point's district code; points in no district are problems quoting the file's
    own coordinates, except amenities (kept in the zone around the city, see ``zone_split``)."""
    d = district_layer(engine, storage)
    if d.empty:
        raise InputError(
            _("no districts stored yet: import districts before {kind}").format(kind=spec.kind)
        )
    rows["district_code"] = assign_districts(geoms, d.geometry.to_numpy(), d.code.to_numpy())
    if spec.kind == "amenities":
        return []
    outside = pd.isna(rows["district_code"]).to_numpy()
    shown = shapely.to_wkt(read.geometry.to_numpy(), 6, trim=True)
    return outside_problems(outside, shown, CRS.from_user_input(read.crs).to_string())


def zone_split(
    engine: Engine, rows: pd.DataFrame, geoms: pd.Series, zone_m: float, path: Path
) -> np.ndarray:
    """Which amenities to keep: those in a district or within ``zone_m`` of the city; an
    extract none of whose amenities is that close is refused."""
    outside = pd.isna(rows["district_code"]).to_numpy()
    keep = ~outside
    if outside.any():
        near = in_zone(geoms[outside], city_zone(city_outline(engine), zone_m))
        keep[np.flatnonzero(outside)[near]] = True
    if not keep.any():
        raise file_error(
            "amenities",
            path.name,
            _(
                "extract lies outside the city: none of its {n} amenities is in a district or "
                "within {distance} of one"
            ).format(n=len(rows), distance=distance(zone_m)),
        )
    return keep


def clip_amenities(
    engine: Engine,
    report: ImportReport,
    rows: pd.DataFrame,
    geoms: pd.Series,
    zone_m: float,
    path: Path,
) -> tuple[pd.DataFrame, pd.Series]:
    """The amenities to keep (see ``zone_split``); the report counts per category those
    imported, lying in the zone and dropped."""
    keep = zone_split(engine, rows, geoms, zone_m, path)
    zone = keep & pd.isna(rows["district_code"]).to_numpy()
    frame = pd.DataFrame(
        {"category": rows["category"].to_numpy(), "imported": keep, "in_zone": zone}
    ).assign(dropped=~keep)
    sums = frame.groupby("category")[["imported", "in_zone", "dropped"]].sum()
    report.by_category = {str(c): {k: int(v) for k, v in r.items()} for c, r in sums.iterrows()}
    report.in_zone, report.dropped, report.zone_m = int(zone.sum()), int((~keep).sum()), zone_m
    return rows[keep], geoms[keep]


def check_references(
    engine: Engine,
    spec: KindSpec,
    rows: pd.DataFrame,
    geoms: pd.Series | None,
    read: pd.DataFrame,
    storage: StorageCRS,
) -> list[Problem]:
    """Checks against stored layers: district tiling, district codes exist, points lie in a
    district (setting their code)."""
    if spec.kind == "districts":
        assert geoms is not None
        return overlapping_pairs(geoms.to_numpy(), rows["code"].to_numpy())
    if "district_code" in rows and not spec.spatial:
        return unknown_codes(engine, rows)
    if spec.needs_districts and geoms is not None:
        return place_in_districts(engine, spec, rows, geoms, read, storage)
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
    if kind == ADDRESSES_KIND:
        return import_addresses(engine, Path(path), profile, dry_run=dry_run, progress=progress)
    if kind not in KINDS:
        kinds = ", ".join([*KINDS, NETWORK_KIND, ADDRESSES_KIND])
        raise InputError(
            _("unknown import kind “{kind}”; use one of {kinds}").format(kind=kind, kinds=kinds)
        )
    spec, path = kind_for(kind, profile), Path(path)
    storage = storage_crs(engine)
    df = read_any(path, spec, profile, crs, layer)
    report = ImportReport(kind, path.name, rows=len(df), dry_run=dry_run)
    report.ignored_columns = ignored_columns(df, spec)
    rows, report.problems = check_fields(df, spec, vocabulary(spec, profile))
    geoms = None
    if spec.spatial:
        geoms, probs = check_geometry(df, spec, storage)
        report.problems += probs
    if not report.problems:
        report.problems += check_references(engine, spec, rows, geoms, df, storage)
    if report.problems:
        raise ImportValidationError(report)
    if spec.kind == "amenities" and geoms is not None:
        rows, geoms = clip_amenities(engine, report, rows, geoms, profile.boundary_zone_m, path)
    if geoms is not None:
        rows["geom"] = geoms.to_numpy()
    if dry_run:
        return report
    with engine.begin() as conn:
        report.written = write_kind(conn, spec, rows, progress)
        record_import(conn, kind, path, report.written)
    return report
