"""Read GeoJSON, GeoPackage, Shapefile (plain or zipped), CSV, XLSX into one frame shape."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo_service.i18n import _
from geo_service.ingest.errors import ImportValidationError, file_error

LON_NAMES = ("lon", "lng", "long", "longitude", "x", "laenge", "länge")
LAT_NAMES = ("lat", "latitude", "y", "breite")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else cp1252 as Excel writes it."""
    if b"\x00" in raw:
        raise UnicodeDecodeError("utf-8", raw[:1], 0, 1, "NUL bytes: UTF-16 or binary, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict")


def read_csv_text(text: str) -> pd.DataFrame:
    """Parse CSV text, sniffing comma or semicolon; every cell as text."""
    header = text.splitlines()[0] if text.strip() else ""
    sep = ";" if header.count(";") > header.count(",") else ","
    return pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL
    )


def _norm(name: str) -> str:
    """Normalise a column name for matching."""
    return str(name).strip().lower()


def attach_geometry(df: pd.DataFrame, crs: str | None, kind: str, source: str) -> gpd.GeoDataFrame:
    """Build geometries from lon/lat or WKT columns of a table (EPSG:4326 unless ``crs``)."""
    cols = {_norm(c): c for c in df.columns}
    lon = next((cols[n] for n in LON_NAMES if n in cols), None)
    lat = next((cols[n] for n in LAT_NAMES if n in cols), None)
    wkt = next((cols[n] for n in WKT_NAMES if n in cols), None)
    if lon and lat:
        x = pd.to_numeric(df[lon].str.replace(",", ".", regex=False), errors="coerce")
        y = pd.to_numeric(df[lat].str.replace(",", ".", regex=False), errors="coerce")
        geom = shapely.points(x.to_numpy(), y.to_numpy())
        geom[x.isna().to_numpy() | y.isna().to_numpy()] = None
        rest = df.drop(columns=[lon, lat])
    elif wkt:
        values = df[wkt].replace("", None)
        try:
            geom = shapely.from_wkt(values.to_numpy(), on_invalid="ignore")
        except shapely.errors.GEOSException as exc:
            raise file_error(
                kind, source, _("unreadable WKT: {error}").format(error=exc), wkt
            ) from None
        rest = df.drop(columns=[wkt])
    else:
        raise file_error(kind, source, _("no lon/lat columns and no WKT column"), "geometry")
    return gpd.GeoDataFrame(rest, geometry=geom, crs=crs or "EPSG:4326")


def read_vector(path: Path, layer: str | None, kind: str) -> gpd.GeoDataFrame:
    """Read a vector file with pyogrio; zipped shapefiles via the /vsizip/ path."""
    target = str(path)
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                shp = [n for n in zf.namelist() if n.lower().endswith(".shp")]
        except zipfile.BadZipFile:
            raise file_error(
                kind, path.name, _("not a valid zip archive (broken or truncated)")
            ) from None
        if not shp:
            raise file_error(kind, path.name, _("zip archive holds no .shp file"))
        target = f"/vsizip/{path}/{shp[0]}"
    try:
        gdf = gpd.read_file(target, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several driver-specific types
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise file_error(
            kind, path.name, _("cannot read file: {error}").format(error=msg)
        ) from None
    if gdf.crs is None and gdf.geometry.notna().any():
        raise file_error(
            kind, path.name, _("file has no coordinate reference system (.prj missing?)")
        )
    return gdf


def read_table(
    path: Path, kind: str, spatial: bool, crs: str | None = None, layer: str | None = None
) -> pd.DataFrame:
    """Read any supported file into a (Geo)DataFrame; text columns stay as read."""
    if not path.exists():
        raise file_error(kind, path.name, _("file not found: {path}").format(path=path))
    if path.stat().st_size == 0:
        raise file_error(kind, path.name, _("file is empty"))
    if crs:
        try:
            crs = CRS.from_user_input(crs).to_string()
        except CRSError:
            raise file_error(
                kind, path.name, _("unknown CRS “{crs}”").format(crs=crs), "crs"
            ) from None
    suffix = path.suffix.lower()
    if suffix in VECTOR_SUFFIXES:
        gdf = read_vector(path, layer, kind)
        if crs:
            gdf = gdf.set_crs(crs, allow_override=True)
        return gdf if spatial else pd.DataFrame(gdf.drop(columns="geometry"))
    if suffix in (".csv", ".txt"):
        try:
            df = read_csv_text(decode(path.read_bytes()))
        except UnicodeDecodeError:
            msg = _(
                "not readable as UTF-8 or cp1252 text (UTF-16 or binary?): save it as UTF-8 CSV"
            )
            raise file_error(kind, path.name, msg, "encoding") from None
        except pd.errors.ParserError as exc:
            raise file_error(
                kind, path.name, _("cannot parse CSV: {error}").format(error=exc)
            ) from None
    elif suffix == ".xlsx":
        try:
            df = pd.read_excel(path, dtype=str, sheet_name=layer or 0).fillna("")
        except Exception as exc:
            raise file_error(
                kind, path.name, _("cannot read XLSX: {error}").format(error=exc)
            ) from None
    else:
        raise file_error(
            kind, path.name, _("unsupported file type “{suffix}”").format(suffix=suffix)
        )
    if df.empty:
        raise file_error(kind, path.name, _("file has no data rows"))
    return attach_geometry(df, crs, kind, path.name) if spatial else df


def ensure_not_empty(df: pd.DataFrame, kind: str, source: str) -> None:
    """Refuse a file without rows."""
    if len(df) == 0:
        raise file_error(kind, source, _("file has no features or rows"))


__all__ = ["ImportValidationError", "ensure_not_empty", "read_table"]
