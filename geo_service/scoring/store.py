"""PostGIS I/O of the scoring engine: read inputs as arrays, write features with COPY."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, Text, case, cast, func, literal, select

from geo_service.db import bulk, models, pgbinary
from geo_service.scoring.features import Features, TargetSet

FEATURE_COLUMNS = (
    "flat_id",
    "category",
    "language",
    "distances_m",
    "target_ids",
    "target_names",
    "count_full",
    "count_zero",
    "distance_mode",
    "profile_version",
    "snap_m",
    "travel_min",
    "transit_route",
    "transit_headway_min",
)


def _xy(table: Table) -> list[Any]:
    """x and y (metres, storage CRS) of a table's point geometry."""
    return [func.ST_X(table.c.geom).label("x"), func.ST_Y(table.c.geom).label("y")]


def read_flats(conn: Connection) -> pd.DataFrame:
    """All flats with attributes and coordinates, ordered by id."""
    f = models.flats
    cols = [c for c in f.c if c.name not in ("geom", "updated_at")]
    return pd.read_sql(select(*cols, *_xy(f)).order_by(f.c.id), conn)


def read_amenities(conn: Connection) -> pd.DataFrame:
    """Amenities with a readable id (source:source_id), name, category and coordinates."""
    a = models.amenities
    ident = (a.c.source + ":" + a.c.source_id).label("id")
    return pd.read_sql(select(ident, a.c.name, a.c.category, *_xy(a)).order_by(ident), conn)


def read_offers(conn: Connection) -> pd.DataFrame:
    """Active offers with their language lists and coordinates."""
    o, ol = models.offers, models.offer_languages
    langs = (
        select(func.array_agg(ol.c.language))
        .where(ol.c.offer_id == o.c.id)
        .scalar_subquery()
        .label("languages")
    )
    df = pd.read_sql(
        select(o.c.id, o.c.name, o.c.category, o.c.interpreting, langs, *_xy(o))
        .where(models.active_offer())
        .order_by(o.c.id),
        conn,
    )
    df["languages"] = df["languages"].map(lambda v: list(v) if v is not None else [])
    return df


def data_timestamp(conn: Connection) -> datetime | None:
    """When the data last changed: the newest import."""
    return conn.execute(select(func.max(models.imports.c.imported_at))).scalar_one()


def feature_chunks(
    flat_ids: np.ndarray,
    feats: dict[tuple[str, str], Features],
    targets: dict[tuple[str, str], TargetSet],
    mode: str,
    version: str,
    snap_m: np.ndarray,
    flat_xy: np.ndarray,
) -> Iterator[bytes]:
    """The flat_features rows in binary COPY format, one (category, language) key at a time,
    with each flat's distance (m) to the street network (NaN, stored NULL, in straight-line
    mode); a target not found is '' with distance Infinity. Rows of transit categories keep
    the straight-line metres to the place reached in ``distances_m`` and the median travel
    minutes, the first route and its headway in their own columns (NULL for the others)."""
    n = len(flat_ids)
    flats, snap = pgbinary.text(flat_ids), pgbinary.float8(snap_m)
    version_col = pgbinary.constant(version, n)
    nothing = pgbinary.float8(np.full(n, np.nan)), pgbinary.constant(None, n)
    for key, f in feats.items():
        ts = targets[key]
        dist = np.where(f.idx >= 0, f.dist, np.inf)
        transit: tuple[pgbinary.Pieces, ...] = (nothing[0], nothing[1], nothing[0])
        if f.route is not None and f.headway_min is not None:
            found = f.idx >= 0
            near = ts.xy[np.maximum(f.idx, 0)] if len(ts.xy) else np.zeros((*f.idx.shape, 2))
            metres = np.hypot(*(near - flat_xy[:, None, :]).transpose(2, 0, 1))
            dist = np.where(found, np.round(metres, 1), np.inf)
            transit = (
                pgbinary.float8(f.dist[:, 0]),
                pgbinary.text(f.route),
                pgbinary.float8(f.headway_min),
            )
        yield pgbinary.copy_data(
            [
                flats,
                pgbinary.constant(key[0], n),
                pgbinary.constant(key[1], n),
                pgbinary.float8_array(dist),
                pgbinary.text_array(ts.ids, f.idx),
                pgbinary.text_array(ts.names, f.idx),
                pgbinary.int4(f.count_full),
                pgbinary.int4(f.count_zero),
                pgbinary.constant("transit" if f.route is not None else mode, n),
                version_col,
                snap,
                *transit,
            ]
        )


def feature_contents(chunks: Iterable[bytes]) -> bulk.Contents:
    """The new flat_features rows (``feature_chunks``) for ``bulk.replace_tables``."""
    return bulk.Contents("flat_features", FEATURE_COLUMNS, chunks)


ROW, ITEM = "\x1e", "\x1f"  # record and unit separators of the lean feature read
ARRAYS: dict[str, type] = {"distances_m": float, "target_ids": str, "target_names": str}
COUNTS = ("count_full", "count_zero")
NUMBERS = ("snap_m", "travel_min", "transit_headway_min")  # float8, NULL read as NaN


def _joined(expr: Any) -> Any:
    """The values of ``expr`` over a group's rows as one text, ROW between rows. Every
    aggregate of a group is fed the group's rows in one and the same order, so the texts of
    one group line up row by row (an ORDER BY per aggregate would sort each one again)."""
    return func.string_agg(expr, literal(ROW))


def _lean_query(ff: Table) -> Any:
    """Per (category, language): each column of its rows joined into one text (an array's
    elements joined by ITEM, with its length), and whether any text holds a separator."""
    texts: list[Any] = [ff.c.flat_id, ff.c.distance_mode, ff.c.profile_version]
    texts += [func.array_to_string(ff.c[c], "") for c in ("target_ids", "target_names")]
    texts.append(func.coalesce(ff.c.transit_route, ""))
    clash = func.bool_or(func.concat(*texts).op("~")(f"[{ROW}{ITEM}]"))
    parts: list[Any] = [ff.c.category, ff.c.language, clash.label("clash")]
    parts += [_joined(ff.c[c]).label(c) for c in ("flat_id", "distance_mode", "profile_version")]
    for c in ARRAYS:
        parts.append(_joined(func.array_to_string(ff.c[c], ITEM)).label(c))
        parts.append(_joined(cast(func.cardinality(ff.c[c]), Text)).label(f"{c}_n"))
    parts += [_joined(cast(ff.c[c], Text)).label(c) for c in COUNTS]
    parts += [_joined(func.coalesce(cast(ff.c[c], Text), "NaN")).label(c) for c in NUMBERS]
    parts.append(_joined(func.coalesce(ff.c.transit_route, "")).label("transit_route"))
    null = case((ff.c.transit_route.is_(None), "1"), else_="0")
    parts.append(_joined(null).label("transit_route_null"))
    return select(*parts).group_by(ff.c.category, ff.c.language)


def _elements(joined: str, lengths: str, kind: type) -> list[list[Any]]:
    """The per-row element lists of one array column of a group (an empty array is []), as
    ``kind`` (str for text, float for float8)."""
    counts = lengths.split(ROW)
    if len(set(counts)) == 1 and counts[0] != "0":  # every row k long: one split, one reshape
        items: np.ndarray = np.array(joined.replace(ROW, ITEM).split(ITEM), dtype=kind)
        rows: list[list[Any]] = items.reshape(len(counts), int(counts[0])).tolist()
        return rows
    return [
        [kind(v) for v in r.split(ITEM)] if n != "0" else []
        for r, n in zip(joined.split(ROW), counts, strict=True)
    ]


def read_features(
    conn: Connection, category: str | None = None, language: str | None = None
) -> pd.DataFrame:
    """Stored flat features: all, or those of one category and/or language key; one row per
    flat and key (in no particular order), the arrays as lists. Read in one query returning a
    few long texts per key instead of 100,000 rows of three arrays each (seconds of per-value
    conversion in the driver), split here; rows are read one by one only when a text holds a
    separator character."""
    ff = models.flat_features
    query, plain = _lean_query(ff), select(*[ff.c[c] for c in FEATURE_COLUMNS])
    for column, value in (("category", category), ("language", language)):
        if value is not None:
            query, plain = query.where(ff.c[column] == value), plain.where(ff.c[column] == value)
    groups = conn.execute(query).all()
    if not groups or any(g.clash for g in groups):  # none: the plain read's empty columns
        return pd.read_sql(plain, conn)
    cols: dict[str, list[Any]] = {c: [] for c in FEATURE_COLUMNS}
    for g in groups:
        ids = g.flat_id.split(ROW)
        cols["flat_id"] += ids
        cols["category"] += [g.category] * len(ids)
        cols["language"] += [g.language] * len(ids)
        for c in ("distance_mode", "profile_version", *COUNTS, *NUMBERS):
            cols[c] += getattr(g, c).split(ROW)
        for c, kind in ARRAYS.items():
            cols[c] += _elements(getattr(g, c), getattr(g, f"{c}_n"), kind)
        routes = zip(g.transit_route.split(ROW), g.transit_route_null.split(ROW), strict=True)
        cols["transit_route"] += [None if null == "1" else r for r, null in routes]
    frame: dict[str, Any] = dict(cols)
    for c in COUNTS:
        frame[c] = np.array(cols[c], dtype=np.int64)
    for c in NUMBERS:
        frame[c] = np.array(cols[c], dtype=float)
    return pd.DataFrame(frame, columns=list(FEATURE_COLUMNS))
