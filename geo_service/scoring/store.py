"""PostGIS I/O of the scoring engine: read inputs as arrays, write features with COPY."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, func, select

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


def read_features(
    conn: Connection, category: str | None = None, language: str | None = None
) -> pd.DataFrame:
    """Stored flat features: all, or those of one category and/or language key."""
    ff = models.flat_features
    query = select(*[ff.c[c] for c in FEATURE_COLUMNS])
    if category is not None:
        query = query.where(ff.c.category == category)
    if language is not None:
        query = query.where(ff.c.language == language)
    return pd.read_sql(query, conn)
