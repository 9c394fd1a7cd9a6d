"""The score write-back by staging table and swap (db/bulk.py) keeps the table as migrations
made it, changes no result, and shows concurrent readers the old or the new full set."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, text

from geo_service.db import models
from geo_service.db.bulk import drop_replaced, replace_table_contents, replace_tables
from geo_service.db.engine import make_engine
from geo_service.errors import ConfigurationError
from geo_service.scoring import store
from geo_service.scoring.distance import backend_for
from geo_service.scoring.features import compute, target_sets
from geo_service.scoring.pipeline import REPLACED_TABLES, score_all
from geo_service.scoring.profile import ScoringProfile
from geo_service.transit.scoring import transit_for

CATALOG = {
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t ORDER BY 1",
    "grants": "SELECT grantee, privilege_type, is_grantable FROM "
    "information_schema.role_table_grants WHERE table_name = :t ORDER BY 1, 2",
    "triggers": "SELECT tgname, tgtype, tgenabled, tgdeferrable, tginitdeferred, "
    "tgfoid::regproc::text FROM pg_trigger WHERE tgrelid = to_regclass(:t) AND NOT tgisinternal "
    "ORDER BY 1",
    "constraints": "SELECT conname, contype, pg_get_constraintdef(oid), condeferrable "
    "FROM pg_constraint WHERE conrelid = to_regclass(:t) ORDER BY 1",
    "columns": "SELECT column_name, data_type, udt_name, is_nullable, column_default "
    "FROM information_schema.columns WHERE table_name = :t ORDER BY ordinal_position",
    "comments": "SELECT obj_description(to_regclass(:t), 'pg_class'), "
    "array_agg(col_description(to_regclass(:t), attnum) ORDER BY attnum) "
    "FROM pg_attribute WHERE attrelid = to_regclass(:t) AND attnum > 0",
    "owner": "SELECT tableowner FROM pg_tables WHERE tablename = :t",
    "geometry": "SELECT type, srid FROM geometry_columns WHERE f_table_name = :t",
}


def catalog(conn: Connection, table: str) -> dict[str, list[tuple[Any, ...]]]:
    """What PostgreSQL's own views say about ``table``: indexes, grants, triggers, keys,
    columns, comments, owner and geometry type."""
    return {
        name: [tuple(r) for r in conn.execute(text(query), {"t": table})]
        for name, query in CATALOG.items()
    }


def drift(conn: Connection) -> list[str]:
    """Alembic's differences between the models and the database for the swapped tables."""
    diffs = compare_metadata(MigrationContext.configure(conn), models.metadata)
    return sorted(str(d) for d in diffs if any(t in str(d) for t in REPLACED_TABLES))


def leftovers(conn: Connection) -> list[str]:
    """Staging or renamed-aside tables still present."""
    return list(
        conn.execute(
            text(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND (relname LIKE "
                "'%\\_staging' OR relname LIKE '%\\_replaced\\_%')"
            )
        ).scalars()
    )


def features(engine: Engine) -> pd.DataFrame:
    """All stored features in a stable order (arrays as tuples, comparable)."""
    with engine.connect() as conn:
        df = store.read_features(conn)
    for col in ("distances_m", "target_ids", "target_names"):
        df[col] = df[col].map(tuple)
    return df.sort_values(["flat_id", "category", "language"]).reset_index(drop=True)


def state_version(conn: Connection) -> int:
    """The counter the API's caches are keyed by."""
    return int(conn.execute(text("SELECT version FROM state_version")).scalar_one())


@pytest.fixture(scope="module")
def owner_engine(sample_owner_url: str) -> Iterator[Engine]:
    """The scored sample as the schema owner (who may swap tables)."""
    eng = make_engine(sample_owner_url)
    yield eng
    eng.dispose()


def test_swap_keeps_catalog_results_and_bumps_state(
    scored_sample: Engine, owner_engine: Engine, profile: ScoringProfile
) -> None:
    """Scored as the service role, the tables are replaced in place (it may not rename them);
    scored as the owner, both are swapped: indexes, grants, triggers, keys, columns and
    comments equal those of the migrated tables (Alembic sees no new drift), no staging or old
    table is left, the features equal the in-place run's, and state_version moved each time."""
    with owner_engine.begin() as conn:  # a grant beyond the defaults must survive too
        conn.execute(text("GRANT SELECT ON flat_features, area_scores TO PUBLIC"))
    with owner_engine.connect() as conn:
        before = {t: catalog(conn, t) for t in REPLACED_TABLES}
        drift_before, version = drift(conn), state_version(conn)
    assert score_all(scored_sample, profile).method == "in_place"
    in_place = features(scored_sample)
    with owner_engine.connect() as conn:
        assert {t: catalog(conn, t) for t in REPLACED_TABLES} == before
        assert state_version(conn) > version
        version = state_version(conn)
    summary = score_all(owner_engine, profile)
    assert summary.method == "swap"
    with owner_engine.connect() as conn:
        assert {t: catalog(conn, t) for t in REPLACED_TABLES} == before
        assert drift(conn) == drift_before
        assert leftovers(conn) == []
        assert state_version(conn) > version
    assert before["flat_features"]["grants"], "the service role should hold grants"
    assert any("bump_state_version" in t[0] for t in before["area_scores"]["triggers"])
    swapped = features(scored_sample)
    pd.testing.assert_frame_equal(swapped, in_place)


def new_feature_chunks(conn: Connection, profile: ScoringProfile, version: str) -> list[bytes]:
    """The sample's features encoded for COPY, marked with profile version ``version``."""
    backend = backend_for(profile, conn)
    flats = store.read_flats(conn)
    sets = target_sets(store.read_amenities(conn), store.read_offers(conn), profile)
    xy = flats[["x", "y"]].to_numpy(float)
    feats = compute(xy, sets, profile, backend, transit_for(profile, conn))
    ids = flats["id"].to_numpy(object)
    snap = backend.snap_m(xy)
    return list(store.feature_chunks(ids, feats, sets, backend.mode, version, snap, xy))


def snapshot(engine: Engine) -> tuple[int, list[str]]:
    """What a reader sees in one statement: the row count and the profile versions."""
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT count(*), array_agg(DISTINCT profile_version) FROM flat_features")
        ).one()
    return int(row[0]), sorted(row[1] or [])


def test_concurrent_reader_sees_old_or_new_full_set(
    scored_sample: Engine, owner_engine: Engine, profile: ScoringProfile
) -> None:
    """Two connections: while rows are copied the reader is not blocked and sees the old full
    set; after the swap it waits for the commit, then sees the new full set; never a mix or
    a partial table."""
    total, old = snapshot(scored_sample)
    assert total > 0
    with owner_engine.connect() as conn:
        chunks = new_feature_chunks(conn, profile, "swap-test")
    during_copy: list[tuple[int, list[str]]] = []

    def copying() -> Iterator[bytes]:
        for i, chunk in enumerate(chunks):
            yield chunk
            if i == len(chunks) // 2:  # half the new rows are in the staging table
                during_copy.append(snapshot(scored_sample))

    seen: list[tuple[int, list[str]]] = []
    with owner_engine.begin() as conn:
        assert replace_tables(conn, [store.feature_contents(copying())]) == "swap"
        reader = threading.Thread(target=lambda: seen.append(snapshot(scored_sample)))
        reader.start()
        time.sleep(1.0)
        assert seen == [], "a reader must wait for the swap to commit, not see it half done"
    reader.join(timeout=30)
    assert during_copy == [(total, old)]
    assert seen == [(total, ["swap-test"])]
    assert snapshot(scored_sample) == (total, ["swap-test"])
    assert len(drop_replaced(owner_engine, ["flat_features"])) == 1


def test_swap_refuses_what_it_would_lose(owner_engine: Engine) -> None:
    """A view on the table would be lost by the swap: refused with a clear error, nothing
    changed (the transaction, view included, rolls back)."""
    with pytest.raises(ConfigurationError, match="views or rules"), owner_engine.begin() as conn:
        conn.execute(text("CREATE VIEW cells_seen AS SELECT h3_index FROM area_scores"))
        replace_table_contents(conn, "area_scores", ["h3_index"], [])
    with owner_engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('cells_seen')")).scalar() is None
        assert leftovers(conn) == []


def test_score_beside_readers_of_both_tables(
    scored_sample: Engine, owner_engine: Engine, profile: ScoringProfile
) -> None:
    """Readers that hold one swapped table and then read the other (both orders, one request
    after another) while `score` swaps both: no deadlock, no error, every read a full set; the
    replaced tables are dropped once the readers are gone."""
    with scored_sample.connect() as conn:
        full = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in REPLACED_TABLES
        }
    stop, errors, reads = threading.Event(), [], []

    def read(first: str, second: str) -> None:
        while not stop.is_set():
            try:
                with scored_sample.connect() as conn:  # one transaction holds the first table
                    a = conn.execute(text(f"SELECT count(*) FROM {first}")).scalar()
                    time.sleep(0.05)
                    b = conn.execute(text(f"SELECT count(*) FROM {second}")).scalar()
                reads.append(((first, a), (second, b)))
                time.sleep(0.1)  # between requests
            except Exception as exc:  # any failure of a reader is the finding
                errors.append(exc)

    readers = [
        threading.Thread(target=read, args=order)
        for order in (REPLACED_TABLES, REPLACED_TABLES[::-1]) * 2
    ]
    for r in readers:
        r.start()
    try:
        summary = score_all(owner_engine, profile)
    finally:
        stop.set()
        for r in readers:
            r.join(timeout=30)
    assert summary.method == "swap"
    assert errors == [], [str(e.orig.diag.message_detail) for e in errors[:2]]
    assert reads and all(full[t] == n for pair in reads for t, n in pair)
    drop_replaced(owner_engine, REPLACED_TABLES)
    with owner_engine.connect() as conn:
        assert leftovers(conn) == []
