"""The lean feature read (one row per category and language key, split in Python) returns
exactly what reading the rows one by one returns: every column, arrays included, filtered or
not; a separator in a name, arrays of other lengths and transit columns keep it exact."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, event, select, text

from geo_service.db import models
from geo_service.db.engine import make_engine
from geo_service.scoring import store

KEY = ["flat_id", "category", "language"]


def rows_read(conn_engine: Engine) -> list[int]:
    """The number of rows each flat_features statement on ``conn_engine`` returned."""
    seen: list[int] = []

    @event.listens_for(conn_engine, "after_cursor_execute")
    def note(*args: Any) -> None:
        statement, cursor = args[2], args[1]
        if "FROM flat_features" in statement:
            seen.append(cursor.rowcount)

    return seen


def row_by_row(engine: Engine, where: dict[str, str]) -> pd.DataFrame:
    """The features as the driver reads the rows (the reference)."""
    ff = models.flat_features
    query = select(*[ff.c[c] for c in store.FEATURE_COLUMNS])
    for column, value in where.items():
        query = query.where(ff.c[column] == value)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def comparable(df: pd.DataFrame) -> list[tuple[object, ...]]:
    """The rows in key order, arrays as tuples and missing values as None."""
    df = df.sort_values(KEY).reset_index(drop=True)
    out = df.astype(object).where(df.notna(), None)
    for col in store.ARRAYS:
        out[col] = df[col].map(tuple)
    return list(out.itertuples(index=False, name=None))


def lean(engine: Engine, where: dict[str, str]) -> pd.DataFrame:
    """The features as ``store.read_features`` reads them."""
    with engine.connect() as conn:
        return store.read_features(conn, where.get("category"), where.get("language"))


@pytest.fixture(scope="module")
def owner(sample_owner_url: str, scored_sample: Engine) -> Iterator[Engine]:
    """The scored sample as its owner (who may edit the features)."""
    eng = make_engine(sample_owner_url)
    yield eng
    eng.dispose()


@pytest.mark.parametrize(
    "where", [{}, {"category": "grocery"}, {"language": ""}, {"category": "kita", "language": ""}]
)
def test_the_lean_read_equals_the_rows(scored_sample: Engine, where: dict[str, str]) -> None:
    """Every column of every row, as the rows read one by one give them; one row per key
    crosses the wire, not one per flat and key."""
    reads = rows_read(scored_sample)
    got = lean(scored_sample, where)
    keys = got.groupby(["category", "language"]).ngroups
    assert len(got) > keys > 0 and reads == [keys]
    assert list(got.columns) == list(store.FEATURE_COLUMNS)
    assert comparable(got) == comparable(row_by_row(scored_sample, where))


def test_odd_rows_stay_exact(scored_sample: Engine, owner: Engine) -> None:
    """A separator character in a name (read row by row then), a key whose arrays have other
    lengths (one empty) and transit columns (minutes, route, headway; NULL elsewhere)."""
    with owner.begin() as conn:
        conn.execute(
            text(
                "UPDATE flat_features SET distances_m = '{}', target_ids = '{}', "
                "target_names = '{}' WHERE flat_id = 'F-0001' AND category = 'grocery'"
            )
        )
        conn.execute(
            text(
                "UPDATE flat_features SET distances_m = '{1.5,Infinity}', "
                "target_ids = '{a,\"\"}', target_names = '{x,\"\"}', travel_min = 12.25, "
                "transit_route = 'S1', transit_headway_min = 10 "
                "WHERE flat_id = 'F-0002' AND category = 'grocery'"
            )
        )
    where = {"category": "grocery"}
    assert comparable(lean(scored_sample, where)) == comparable(row_by_row(scored_sample, where))
    with owner.begin() as conn:
        conn.execute(
            text(
                "UPDATE flat_features SET target_names[1] = 'Kita ' || chr(30) || ' Süd' "
                "WHERE flat_id = 'F-0003' AND category = 'kita'"
            )
        )
    assert comparable(lean(scored_sample, {})) == comparable(row_by_row(scored_sample, {}))
