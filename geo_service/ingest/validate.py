"""Vectorised validation of a read table: fields, ranges, vocabularies, geometries, duplicates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pandas.api.types import infer_dtype
from pyproj import CRS, Transformer

from geo_service.codes import CODE_MAX
from geo_service.db.crs import StorageCRS
from geo_service.i18n import _
from geo_service.ingest.errors import Problem
from geo_service.ingest.iso639 import LANGUAGE_CODES
from geo_service.ingest.schemas import FieldSpec, KindSpec

WIDEN_DEG = 3.0  # a storage CRS stays usable a few degrees beyond its official area of use
TRUE = {"true", "1", "yes", "ja", "wahr", "x", "y", "t"}
FALSE = {"false", "0", "no", "nein", "falsch", "n", "f", ""}
MAX_PROBLEMS_PER_CHECK = 1000


def as_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text; missing values become ''. Text columns (CSV, sheets) are
    stripped in one vectorised pass; other cells are rendered one by one (dates as ISO)."""
    out = s.astype(object).where(s.notna(), "")
    if infer_dtype(out, skipna=False) in ("string", "empty"):
        return out.str.strip()
    return out.map(
        lambda v: v.date().isoformat() if hasattr(v, "date") and not isinstance(v, str) else str(v)
    ).str.strip()


def parse_number(text: pd.Series) -> pd.Series:
    """Parse numbers, accepting a decimal comma (and a dot as thousands separator with it)."""
    t = text.where(~text.str.contains(","), text.str.replace(".", "", regex=False))
    return pd.to_numeric(t.str.replace(",", ".", regex=False), errors="coerce")


def parse_date(text: pd.Series) -> pd.Series:
    """Parse ISO (YYYY-MM-DD[ time]) or German (DD.MM.YYYY) dates; NaT where invalid."""
    iso_text = text.str.slice(0, 10).str.replace("/", "-", regex=False)
    iso = pd.to_datetime(iso_text, format="%Y-%m-%d", errors="coerce")
    german = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    return iso.fillna(german)


def _problems(
    df: pd.DataFrame, bad: pd.Series, name: str, values: pd.Series, msg: str
) -> list[Problem]:
    """Problems for the rows flagged in ``bad`` (row numbers 1-based)."""
    idx = np.flatnonzero(bad.to_numpy())[:MAX_PROBLEMS_PER_CHECK]
    vals = values.to_numpy()
    return [Problem(int(i) + 1, name, str(vals[i]), msg) for i in idx]


def check_field(
    df: pd.DataFrame, spec: FieldSpec, categories: frozenset[str]
) -> tuple[pd.Series, list[Problem]]:
    """Parse one column per its spec; return the typed values and the problems found."""
    text = as_text(df[spec.name]) if spec.name in df else pd.Series([""] * len(df), index=df.index)
    missing = text == ""
    probs: list[Problem] = []
    if spec.required:
        probs += _problems(df, missing, spec.name, text, _("required value is missing"))
    if spec.type in ("int", "float"):
        num = parse_number(text)
        probs += _problems(
            df,
            ~missing & num.isna(),
            spec.name,
            text,
            _("not a whole number") if spec.type == "int" else _("not a number"),
        )
        if spec.type == "int":
            frac = num.notna() & (num % 1 != 0)
            probs += _problems(df, frac, spec.name, text, _("not a whole number"))
        if spec.min is not None:
            low = num <= spec.min if spec.min_exclusive else num < spec.min
            low_message = (
                _("must be greater than {min}")
                if spec.min_exclusive
                else _("must be at least {min}")
            ).format(min=f"{spec.min:g}")
            probs += _problems(df, low, spec.name, text, low_message)
        if spec.max is not None:
            high_message = _("must be at most {max}").format(max=f"{spec.max:g}")
            probs += _problems(df, num > spec.max, spec.name, text, high_message)
        value: pd.Series = num.where(~missing, spec.default)
    elif spec.type == "bool":
        low = text.str.lower()
        probs += _problems(df, ~low.isin(TRUE | FALSE), spec.name, text, _("not a yes/no value"))
        value = low.isin(TRUE).where(~missing, spec.default)
    elif spec.type == "date":
        d = parse_date(text)
        probs += _problems(
            df,
            ~missing & d.isna(),
            spec.name,
            text,
            _("not a date (YYYY-MM-DD or DD.MM.YYYY)"),
        )
        value = d.dt.date
    elif spec.type == "category":
        probs += _problems(
            df,
            ~missing & ~text.isin(categories),
            spec.name,
            text,
            _("unknown category (known: {known})").format(known=", ".join(sorted(categories))),
        )
        value = text
    elif spec.type == "langs":
        lists = (
            text.str.lower()
            .str.replace(",", ";")
            .str.split(";")
            .map(lambda xs: sorted({x.strip() for x in xs if x.strip()}))
        )
        unknown = lists.map(lambda xs: [x for x in xs if x not in LANGUAGE_CODES])
        bad = unknown.map(bool)
        probs += _problems(
            df, bad, spec.name, unknown.map(";".join), _("unknown ISO 639 language code")
        )
        probs += _problems(df, ~missing & lists.map(len).eq(0), spec.name, text, _("no language"))
        value = lists
    else:
        if spec.type == "code":  # district codes and flat ids: requests name them (codes.py)
            long = text.str.len() > CODE_MAX
            too_long = _("longer than {n} characters").format(n=CODE_MAX)
            probs += _problems(df, long, spec.name, text, too_long)
        value = text.where(~missing, spec.default)
    return value, probs


def key_text(rows: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    """Each row's key as text, its columns joined by '|' (vectorised, column by column)."""
    text = rows[key[0]].astype(str)
    for name in key[1:]:
        text = text + "|" + rows[name].astype(str)
    return text


def check_fields(
    df: pd.DataFrame, spec: KindSpec, categories: frozenset[str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate every column; also report required columns absent from the file."""
    present = set(df.columns)
    probs = [
        Problem(0, f.name, "", _("required column is missing"))
        for f in spec.fields
        if f.required and f.name not in present
    ]
    if probs:
        return df, probs
    out = pd.DataFrame(index=df.index)
    for f in spec.fields:
        out[f.name], p = check_field(df, f, categories)
        probs += p
    keys = key_text(out, spec.key)
    probs += _problems(
        out,
        keys.duplicated(keep=False) & (keys != ""),
        "/".join(spec.key),
        keys,
        _("duplicate id in the file"),
    )
    return out, probs


def _range_problems(gdf: pd.DataFrame, crs: CRS, storage: StorageCRS) -> list[Problem]:
    """Coordinates outside their CRS's valid range, or outside the storage CRS's area of use
    (widened by 3°); the message quotes where the file's own coordinates lie."""
    geoms = gdf.geometry.to_numpy()
    b = shapely.bounds(geoms)
    ok = ~np.isnan(b).any(axis=1)
    if crs.is_geographic:
        bad = ok & (
            (np.abs(b[:, [0, 2]]) > 180).any(axis=1) | (np.abs(b[:, [1, 3]]) > 90).any(axis=1)
        )
        msg = _("coordinates out of range for longitude/latitude (|lon| <= 180, |lat| <= 90)")
        if bad.any():
            return _problems(
                gdf, pd.Series(bad), "geometry", pd.Series(shapely.to_wkt(geoms, 6)), msg
            )
    to_wgs = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)
    w, s, e, n = storage.west, storage.south, storage.east, storage.north
    inside = (lon >= w - WIDEN_DEG) & (lon <= e + WIDEN_DEG)
    inside &= (lat >= s - WIDEN_DEG) & (lat <= n + WIDEN_DEG)
    outside = ok & ~inside
    swapped = outside & (lat >= w) & (lat <= e) & (lon >= s) & (lon <= n)
    idx = np.flatnonzero(outside)[:MAX_PROBLEMS_PER_CHECK]
    wkt = shapely.to_wkt(geoms[idx], 6)
    source = crs.to_string()
    area = f"{storage.describe()}: {storage.area_text()}"
    problems = []
    for i, text in zip(idx, wkt, strict=True):
        where = _("in {crs} this lies at {position}").format(
            crs=source, position=degrees(lon[i], lat[i])
        )
        if swapped[i]:
            msg = _("{where}: latitude and longitude look swapped").format(where=where)
        else:
            msg = _(
                "{where}, outside the area of the storage CRS {area}; wrong CRS in the file "
                "(or --crs)? A city elsewhere needs its own GEO_SERVICE_CRS"
            ).format(where=where, area=area)
        problems.append(Problem(int(i) + 1, "geometry", str(text), msg))
    return problems


def degrees(lon: float, lat: float) -> str:
    """A WGS84 position in words: ``10.3360°E, 52.1560°N``."""
    return f"{abs(lon):.4f}°{'E' if lon >= 0 else 'W'}, {abs(lat):.4f}°{'N' if lat >= 0 else 'S'}"


def type_names(type_ids: np.ndarray) -> np.ndarray:
    """Geometry type names (``Point``, ``MultiPolygon``, '' where missing) of shapely type
    ids: each distinct id named once, then looked up for all."""
    ids, inverse = np.unique(type_ids, return_inverse=True)
    named = [
        shapely.GeometryType(t).name.title().replace("multi", "Multi") if t >= 0 else ""
        for t in ids
    ]
    fixed = [
        n.replace("Multipolygon", "MultiPolygon").replace("Linestring", "LineString") for n in named
    ]
    return np.asarray(fixed, dtype=object)[inverse.reshape(-1)]


def check_geometry(
    gdf: pd.DataFrame, spec: KindSpec, storage: StorageCRS
) -> tuple[pd.Series, list[Problem]]:
    """Geometry present, valid, of the right type, in range; reprojected to the storage CRS
    (left exactly as read when the file is in it already)."""
    geoms = gdf.geometry
    arr = geoms.to_numpy()
    missing = pd.Series(geoms.isna().to_numpy() | shapely.is_empty(arr))
    probs: list[Problem] = []
    if missing.any():
        wkt = pd.Series(shapely.to_wkt(arr, 6, trim=True)).fillna("")
        probs += _problems(gdf, missing, "geometry", wkt, _("geometry is missing or empty"))
    names = pd.Series(type_names(shapely.get_type_id(arr)))
    wrong = ~missing & ~names.isin(spec.geometry)
    probs += _problems(
        gdf,
        wrong,
        "geometry",
        names,
        _("wrong geometry type (expected {types})").format(types=_(" or ").join(spec.geometry)),
    )
    invalid = ~missing & ~pd.Series(shapely.is_valid(arr))
    if invalid.any():
        reasons = pd.Series(shapely.is_valid_reason(arr))
        probs += _problems(
            gdf, invalid, "geometry", reasons, _("invalid geometry (e.g. self-intersection)")
        )
    if probs:
        return geoms, probs
    probs += _range_problems(gdf, CRS.from_user_input(gdf.crs), storage)
    if probs:
        return geoms, probs
    same = CRS.from_user_input(gdf.crs).to_epsg() == storage.srid
    projected = gdf.geometry if same else gdf.geometry.to_crs(storage.srid)
    if set(spec.geometry) == {"Polygon", "MultiPolygon"}:
        multi = [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in projected]
        projected = pd.Series(multi, index=projected.index, dtype=object)
    return projected, probs
