"""Paged, filtered feature queries through SQLAlchemy Core and GeoAlchemy2 (GiST-friendly).

The bbox filter is ``ST_Intersects(geom, ST_Transform(envelope, <storage SRID>))``: the stored
column stays bare, so PostgreSQL answers it from the GiST index instead of scanning the table.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    cast,
    false,
    func,
    select,
    text,
)

from geo_service.db.crs import StorageCRS, storage_crs
from geo_service.errors import InputError
from geo_service.features.collections import CollectionSpec, Source
from geo_service.features.crs import CRS84, WGS84_SRID, Box, clip_to_storage, decimals
from geo_service.features.filters import Translator, instant, json_kind
from geo_service.i18n import _

# Segment length before reprojecting a bbox, so its edges follow the graticule or grid.
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


@dataclass(frozen=True)
class ItemQuery:
    """What an items request asks for: page, bbox (in ``bbox_srid``), output SRID, equality
    filters, a CQL2 filter (JSON tree, geometries in ``cql_srid``), the sort order (property,
    descending) and the properties to return (None: all)."""

    limit: int = 10
    offset: int = 0
    bbox: Box | None = None
    bbox_srid: int = 4326
    srid: int = 4326
    filters: dict[str, Any] = field(default_factory=dict)
    period: tuple[date | None, date | None] | None = None
    cql: dict[str, Any] | None = None
    cql_srid: int = 4326
    sortby: tuple[tuple[str, bool], ...] = ()
    properties: tuple[str, ...] | None = None


def properties(src: Source, spec: CollectionSpec) -> dict[str, str]:
    """The properties the caller's role sees (property -> JSON Schema kind), and nothing
    else: selectable with ``properties``."""
    columns = spec.build(src).selected_columns
    return {c.name: json_kind(c.type) for c in columns if c.name not in ("fid", "geom")}


def queryables(src: Source, spec: CollectionSpec) -> dict[str, str]:
    """The role's properties with one value each (not JSON objects): queryable, sortable."""
    return {n: k for n, k in properties(src, spec).items() if k != "object"}


def geometry_type(src: Source, spec: CollectionSpec) -> str:
    """The collection's geometry type in lower case (point, polygon, multipolygon, ...)."""
    geom = spec.build(src).selected_columns["geom"]
    return str(getattr(geom.type, "geometry_type", "geometry")).lower()


def coerce(kind: str, name: str, text: str) -> Any:
    """A property filter's text as the queryable's JSON Schema kind (InputError if it is not)."""
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
        if kind in ("date", "date-time"):
            return instant(text, kind)
        if kind == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if kind == "boolean":
            raise ValueError(text)
    except (ValueError, InputError):
        raise InputError(
            _("{name}: “{value}” is not a valid {kind}").format(name=name, value=text, kind=kind),
            errors=[
                {"pointer": f"query:{name}", "message": _("expected {kind}").format(kind=kind)}
            ],
        ) from None
    return text


def envelope(bbox: Box, srid: int, storage: StorageCRS) -> ColumnElement[Any] | None:
    """The bbox as a polygon in the storage CRS, or None when it lies outside the CRS's area.

    A reprojected box is clipped to where the storage CRS is valid and densified first: edges
    get ~256 segments (none shorter than 0.001° or 100 m), so after projection they follow the
    graticule closely (about a millimetre off for a district-sized box).
    """
    clipped = clip_to_storage(bbox, srid, storage)
    if clipped is None:
        return None
    env = func.ST_MakeEnvelope(*clipped, srid, type_=Geometry)
    if srid == storage.srid:
        return env
    side = max(clipped[2] - clipped[0], clipped[3] - clipped[1])
    shortest = 0.001 if srid == WGS84_SRID else 100.0  # degrees (~100 m) or metres
    dense = func.ST_Segmentize(env, max(shortest, side / 256))
    return func.ST_Transform(dense, storage.srid, type_=Geometry)


def conditions(
    items: Subquery, spec: CollectionSpec, q: ItemQuery, storage: StorageCRS
) -> list[ColumnElement[Any]]:
    """WHERE clauses for bbox, property filters and the date period."""
    conds: list[ColumnElement[Any]] = []
    if q.bbox is not None:
        env = envelope(q.bbox, q.bbox_srid, storage)
        conds.append(false() if env is None else func.ST_Intersects(items.c.geom, env))
    conds += [items.c[name] == value for name, value in q.filters.items()]
    if q.cql is not None:
        conds.append(Translator(items, q.cql_srid, storage)(q.cql))
    if q.period is not None and spec.temporal is not None:
        start, end = q.period
        if start is not None:
            conds.append(items.c[spec.temporal] >= start)
        if end is not None:
            conds.append(items.c[spec.temporal] <= end)
    return conds


def jsonable(value: Any) -> Any:
    """Dates and timestamps as ISO 8601 strings; everything else as it is."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def as_feature(row: Any) -> dict[str, Any]:
    """A result row (fid, GeoJSON geometry text, properties) as a GeoJSON Feature."""
    props = {k: jsonable(v) for k, v in row.items() if k not in ("fid", "geometry")}
    return {
        "type": "Feature",
        "id": row["fid"],
        "geometry": json.loads(row["geometry"]),
        "properties": props,
    }


def feature_select(items: Subquery, srid: int, names: tuple[str, ...] | None = None) -> Any:
    """SELECT fid, the geometry as GeoJSON in ``srid`` (no ``crs`` member) and the properties
    (``names``, or every one)."""
    geometry = func.ST_AsGeoJSON(func.ST_Transform(items.c.geom, srid), decimals(srid), 0)
    props = [c for c in items.c if c.name not in ("fid", "geom")]
    if names is not None:
        props = [items.c[n] for n in names]
    return select(items.c.fid, geometry.label("geometry"), *props)


def ordering(items: Subquery, q: ItemQuery) -> list[Any]:
    """ORDER BY: the requested properties (NULLs last), then the feature id (stable pages)."""
    keys = [(items.c[n].desc() if down else items.c[n].asc()).nulls_last() for n, down in q.sortby]
    return [*keys, items.c.fid]


def statements(src: Source, spec: CollectionSpec, q: ItemQuery) -> tuple[Select[Any], Any]:
    """The COUNT of matching features and the page's SELECT (filtered, ordered by id, limited).

    The page's rows are chosen in a subquery and only then turned into GeoJSON, so deep pages
    do not transform and serialise the geometries of every row they skip.
    """
    items = spec.build(src).subquery("items")
    conds = conditions(items, spec, q, storage_crs(src.engine))
    count = select(func.count()).select_from(items).where(*conds)
    chosen = (
        select(items)
        .where(*conds)
        .order_by(*ordering(items, q))
        .limit(q.limit)
        .offset(q.offset)
        .subquery("page")
    )
    rows = feature_select(chosen, q.srid, q.properties).order_by(*ordering(chosen, q))
    return count, rows


def page(src: Source, spec: CollectionSpec, q: ItemQuery) -> tuple[int, list[dict[str, Any]]]:
    """Number of matching features and the requested page of them as GeoJSON Features."""
    count, rows_q = statements(src, spec, q)
    with src.engine.begin() as conn:
        plan_for_the_box(conn)
        matched = conn.execute(count).scalar_one()
        rows = conn.execute(rows_q).mappings().all()
    return int(matched), [as_feature(r) for r in rows]


def plan_for_the_box(conn: Connection) -> None:
    """Plan this transaction's statements for their own box, cheaply.

    JIT off: the costs of ST_Intersects make the planner JIT-compile bbox queries, which costs
    far more (100-500 ms) than these index-driven, millisecond queries can ever gain from it.
    Custom plans only: psycopg prepares a statement run five times on a connection, and
    PostgreSQL may then take a generic plan, which rebuilds the reprojected box for every row
    it filters (1-3 s a page on 50,000 flats instead of tens of milliseconds).
    """
    conn.execute(
        text(
            "SELECT set_config('jit', 'off', true),"
            " set_config('plan_cache_mode', 'force_custom_plan', true)"
        )
    )


def one(src: Source, spec: CollectionSpec, fid: str | int, srid: int) -> dict[str, Any] | None:
    """One feature by id in ``srid``, or None."""
    items = spec.build(src).subquery("items")
    with src.engine.connect() as conn:
        row = conn.execute(feature_select(items, srid).where(items.c.fid == fid)).mappings().first()
    return as_feature(row) if row else None


def outward(box: Any) -> list[float]:
    """A min/max box rounded outwards to 6 decimals (about 10 cm), so it still holds the data."""
    x1, y1, x2, y2 = (float(v) * 1e6 for v in box)
    return [math.floor(x1) / 1e6, math.floor(y1) / 1e6, math.ceil(x2) / 1e6, math.ceil(y2) / 1e6]


def extent(src: Source, spec: CollectionSpec) -> dict[str, Any]:
    """Spatial extent in CRS84 (bounding box of the stored extent) and the temporal interval."""
    items = spec.build(src).subquery("items")
    box = cast(func.ST_Extent(items.c.geom), Geometry)
    srid = storage_crs(src.engine).srid
    wgs = func.ST_Transform(func.ST_Segmentize(func.ST_SetSRID(box, srid), 100.0), WGS84_SRID)
    cols = [func.ST_XMin(wgs), func.ST_YMin(wgs), func.ST_XMax(wgs), func.ST_YMax(wgs)]
    if spec.temporal:
        cols += [func.min(items.c[spec.temporal]), func.max(items.c[spec.temporal])]
    with src.engine.connect() as conn:
        row = conn.execute(select(*cols)).one()
    out: dict[str, Any] = {}
    if row[0] is not None:
        out["spatial"] = {
            "bbox": [outward(row[:4])],
            "crs": CRS84,
        }
    if spec.temporal and row[4] is not None:
        out["temporal"] = {"interval": [[jsonable(row[4]), jsonable(row[5])]], "trs": GREGORIAN}
    return out
