"""PostGIS I/O of the scoring engine: read inputs as arrays, write features with COPY."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, func, select

from geo_service.db import models
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


def _array_literal(values: np.ndarray) -> pd.Series:
    """PostgreSQL array literals of text rows (column-wise, vectorised), elements quoted."""
    out: pd.Series | None = None
    for j in range(values.shape[1]):
        col = pd.Series(values[:, j]).astype(str)
        col = (
            '"'
            + col.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
            + '"'
        )
        out = col if out is None else out + "," + col
    assert out is not None
    return "{" + out + "}"


def feature_frame(
    flat_ids: np.ndarray,
    key: tuple[str, str],
    feats: Features,
    targets: TargetSet,
    mode: str,
    version: str,
    snap_m: np.ndarray,
) -> pd.DataFrame:
    """The flat_features rows of one (category, language) as a frame ready for COPY, with each
    flat's distance (m) to the street network (NaN, stored NULL, in straight-line mode)."""
    found = feats.idx >= 0
    safe = np.where(found, feats.idx, 0)
    ids = np.where(found, targets.ids[safe] if len(targets.ids) else "", "")
    names = np.where(found, targets.names[safe] if len(targets.names) else "", "")
    dist = np.where(found, feats.dist, np.inf)
    return pd.DataFrame(
        {
            "flat_id": flat_ids,
            "category": key[0],
            "language": key[1],
            "distances_m": _array_literal(np.where(np.isinf(dist), "Infinity", dist.astype(str))),
            "target_ids": _array_literal(ids),
            "target_names": _array_literal(names),
            "count_full": feats.count_full,
            "count_zero": feats.count_zero,
            "distance_mode": mode,
            "profile_version": version,
            "snap_m": snap_m,
        }
    )


def write_features(
    conn: Connection, frames: list[pd.DataFrame], progress: Callable[[int], None] | None = None
) -> int:
    """Replace all flat_features rows with ``frames`` (COPY), in the caller's transaction."""
    conn.execute(models.flat_features.delete())
    raw = conn.connection.driver_connection
    assert raw is not None
    cols = ", ".join(FEATURE_COLUMNS)
    total = 0
    with raw.cursor() as cur:
        for frame in frames:
            buf = io.StringIO()
            frame.to_csv(buf, index=False, header=False)
            with cur.copy(
                f"COPY flat_features ({cols}) FROM STDIN "
                "WITH (FORMAT csv, FORCE_NOT_NULL (language))"
            ) as cp:
                cp.write(buf.getvalue())
            total += len(frame)
            if progress:
                progress(len(frame))
    return total


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
