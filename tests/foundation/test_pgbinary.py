"""The binary COPY encoder (db/pgbinary.py) checked by PostgreSQL itself: rows with awkward
values are copied into a table and read back as the server parsed them."""

from __future__ import annotations

import json
import math

import numpy as np
import shapely
from sqlalchemy import Engine, text

from geo_service.db import pgbinary
from geo_service.db.bulk import copy_binary

TEXTS = np.array(["plain", 'quo"te, {brace}', "back\\slash\ttab\nnewline", "", "Ünïcødé ✓"] * 2)
VOCABULARY = np.array(["a,b", "", 'x"y', "ŝ"], dtype=object)


def test_rows_round_trip_through_postgresql(engine: Engine) -> None:
    """Text (each distinct value encoded once; NULL), int4, float8 (NaN as NULL, infinities),
    float8[] and text[] (index -1: ''), EWKB geometry and jsonb come back as encoded."""
    n = len(TEXTS)
    rng = np.random.default_rng(1)
    ints = rng.integers(-(2**31), 2**31 - 1, n)
    floats = rng.normal(0, 1e6, n)
    floats[[1, 2]] = np.nan, -np.inf
    arrays = rng.normal(0, 1e4, (n, 3))
    arrays[0, 2] = np.inf
    idx = rng.integers(-1, len(VOCABULARY), (n, 3))
    nullable = np.array([None if i % 3 == 0 else t for i, t in enumerate(TEXTS)], dtype=object)
    points = shapely.set_srid(shapely.points(rng.normal(0, 1000, (n, 2))), 25832)
    docs = [json.dumps({"k": i, "t": t}) for i, t in enumerate(TEXTS)]
    columns = ["t", "n", "i", "f", "d", "ids", "g", "j"]
    rows = pgbinary.copy_data(
        [
            pgbinary.text(TEXTS),
            pgbinary.text(nullable),
            pgbinary.int4(ints),
            pgbinary.float8(floats),
            pgbinary.float8_array(arrays),
            pgbinary.text_array(VOCABULARY, idx),
            pgbinary.raw(list(shapely.to_wkb(points, include_srid=True))),
            pgbinary.raw(docs, pgbinary.JSONB_VERSION),
        ]
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TEMP TABLE round_trip (t text, n text, i integer, f float8, "
                "d float8[], ids text[], g geometry(Point, 25832), j jsonb, o serial)"
            )
        )
        copy_binary(conn, "round_trip", columns, [rows[: len(rows) // 2], rows[len(rows) // 2 :]])
        back = conn.execute(
            text(
                "SELECT t, n, i, f, d, ids, ST_X(g), ST_Y(g), ST_SRID(g), j FROM round_trip "
                "ORDER BY o"
            )
        ).all()
    assert len(back) == n
    for k, row in enumerate(back):
        assert row[0] == TEXTS[k]
        assert row[1] == nullable[k]
        assert row[2] == ints[k]
        assert row[3] is None if math.isnan(floats[k]) else row[3] == floats[k]
        assert row[4] == arrays[k].tolist()
        assert row[5] == [VOCABULARY[i] if i >= 0 else "" for i in idx[k]]
        assert (row[6], row[7], row[8]) == (
            shapely.get_x(points[k]),
            shapely.get_y(points[k]),
            25832,
        )
        assert row[9] == json.loads(docs[k])
