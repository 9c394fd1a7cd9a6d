"""The rank hot path's parts against the real database: audit entries written in groups (by a
thread or on the event loop) are all committed before ``write`` returns (and one bad entry
fails alone), concurrent version reads
see every commit made before they asked (in threads and on the event loop), a key checked once
is admitted without a thread trip until a change (a revocation) moves the version, the ranker
cache is bounded and follows the state version, and a ranking over HTTP answers byte for byte
what the ranker computes in process."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from geo_service.audit_writer import AuditWriter
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.errors import StaleScores
from geo_service.scoring.household import Household, parse_household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile, load_profile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.state import LoopVersionReader, VersionReader, read_version

HH = {"size": 3, "children_ages": [4], "languages": ["ar"], "move_in": "2026-12-01"}


@pytest.fixture(scope="module")
def profile() -> ScoringProfile:
    """The configured profile (the sample is scored with it)."""
    return load_profile(get_settings().profile_path)


def _row(action: str, **detail: object) -> dict[str, object]:
    """An audit row as the placement service writes it."""
    return {
        "action": action,
        "role": "housing_office",
        "api_key_id": None,
        "profile_version": None,
        "data_timestamp": None,
        "request": {},
        "detail": dict(detail),
    }


def _count(engine: Engine, action: str) -> int:
    """Audit entries of ``action``."""
    with engine.connect() as conn:
        a = models.audit_log
        return int(conn.execute(select(func.count()).where(a.c.action == action)).scalar_one())


def test_grouped_audit_entries_are_committed_when_write_returns(api_engine: Engine) -> None:
    """64 concurrent writers: each entry is visible to another connection the moment its
    ``write`` returned, and all 64 are there."""
    writer = AuditWriter(api_engine)
    seen_after_write: list[bool] = []
    lock = threading.Lock()

    def write(i: int) -> None:
        writer.write(_row("hot_path_group", n=i))
        with api_engine.connect() as conn:
            a = models.audit_log
            found = conn.execute(
                select(func.count()).where(
                    a.c.action == "hot_path_group", a.c.detail["n"].as_integer() == i
                )
            ).scalar_one()
        with lock:
            seen_after_write.append(found == 1)

    try:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(write, range(64)))
    finally:
        writer.close()
    assert seen_after_write == [True] * 64
    assert _count(api_engine, "hot_path_group") == 64


def test_a_bad_audit_entry_fails_alone(api_engine: Engine) -> None:
    """An entry the database refuses (NUL in JSON text) raises in its own caller; the entries
    written in the same group are committed."""
    writer = AuditWriter(api_engine)
    good = [writer.submit(_row("hot_path_alone", n=i)) for i in range(5)]
    bad = writer.submit(_row("hot_path_alone", note="\x00"))
    try:
        for done in good:
            done.result(timeout=30)
        with pytest.raises(DBAPIError):
            bad.result(timeout=30)
    finally:
        writer.close()
    assert _count(api_engine, "hot_path_alone") == 5


def test_loop_audit_entries_are_grouped_and_committed_when_write_returns(
    api_engine: Engine,
) -> None:
    """64 concurrent writers on the event loop: each entry is committed when its
    ``write_async`` returned, all 64 are there, and they went in fewer groups than entries
    (a group is one transaction, so its entries share ``at``, the transaction's start)."""
    writer = AuditWriter(api_engine)

    async def write(i: int) -> int:
        await writer.write_async(_row("hot_path_loop_group", n=i))
        with api_engine.connect() as conn:
            a = models.audit_log
            return int(
                conn.execute(
                    select(func.count()).where(
                        a.c.action == "hot_path_loop_group", a.c.detail["n"].as_integer() == i
                    )
                ).scalar_one()
            )

    async def all_of_them() -> list[int]:
        return list(await asyncio.gather(*(write(i) for i in range(64))))

    try:
        assert asyncio.run(all_of_them()) == [1] * 64
    finally:
        writer.close()
    with api_engine.connect() as conn:
        a = models.audit_log
        groups = conn.execute(
            select(func.count(func.distinct(a.c.at))).where(a.c.action == "hot_path_loop_group")
        ).scalar_one()
    assert _count(api_engine, "hot_path_loop_group") == 64
    assert 1 <= groups < 64


def test_a_bad_loop_audit_entry_fails_alone_and_typed(api_engine: Engine) -> None:
    """On the event loop too, an entry the database refuses (NUL in JSON text) raises the
    usual database error in its own caller only; its group's other entries are committed."""
    writer = AuditWriter(api_engine)

    async def write_all() -> list[BaseException | None]:
        rows = [_row("hot_path_loop_alone", n=i) for i in range(5)]
        rows.insert(2, _row("hot_path_loop_alone", note="\x00"))
        return list(
            await asyncio.gather(*(writer.write_async(r) for r in rows), return_exceptions=True)
        )

    try:
        outcomes = asyncio.run(write_all())
    finally:
        writer.close()
    assert [o is None for o in outcomes] == [True, True, False, True, True, True]
    assert isinstance(outcomes[2], DBAPIError)
    assert _count(api_engine, "hot_path_loop_alone") == 5


def test_shared_version_reads_see_every_earlier_commit(api_engine: Engine) -> None:
    """Readers asking at the same time share reads, yet a read that began after a commit
    always returns a version at least that commit's."""
    reader = VersionReader(api_engine)
    try:
        for _ in range(5):
            with api_engine.begin() as conn:
                conn.execute(text("UPDATE district_status SET placements = placements"))
            with api_engine.connect() as conn:
                committed = read_version(conn)
            with ThreadPoolExecutor(8) as pool:
                versions = list(pool.map(lambda _: reader.read(), range(32)))
            assert min(versions) >= committed
    finally:
        reader.close()


def test_loop_version_reads_see_every_earlier_commit(api_engine: Engine) -> None:
    """The event loop's reader shares reads among callers asking at once, yet each sees every
    commit made before it asked; a second event loop (a test client's next) reads on its own."""
    reader = LoopVersionReader(api_engine)

    async def versions() -> list[int]:
        return list(await asyncio.gather(*(reader.read() for _ in range(32))))

    try:
        for _ in range(3):
            with api_engine.begin() as conn:
                conn.execute(text("UPDATE district_status SET placements = placements"))
            with api_engine.connect() as conn:
                committed = read_version(conn)
            assert min(asyncio.run(versions())) >= committed
    finally:
        reader.close()


def test_a_kept_key_ranks_without_a_thread_trip_and_revocation_ends_it(
    api_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key checked once is admitted on the event loop (the state version read there too):
    no worker thread per request; revoking it moves the version, so the next request looks
    it up again and is refused. The household is validated once, with the request body."""
    from fastapi.testclient import TestClient

    from geo_service.api import deps
    from geo_service.api.app import create_app
    from geo_service.auth.keys import create_key, revoke_key

    with api_engine.begin() as conn:
        info, key = create_key(conn, "housing_office", "thread trips")
    trips: list[str] = []
    hop = deps.run_in_threadpool

    async def counted(fn: Any, *args: Any) -> Any:
        trips.append(fn.__name__)
        return await hop(fn, *args)

    monkeypatch.setattr(deps, "run_in_threadpool", counted)
    validations: list[object] = []
    validate = Household.model_validate

    def again(cls: type[Household], data: Any, **kw: Any) -> Household:
        validations.append(data)
        return validate(data, **kw)

    monkeypatch.setattr(Household, "model_validate", classmethod(again))
    body = {"household": HH, "limit": 3}
    with TestClient(create_app(engine=api_engine)) as client:
        for _ in range(3):
            r = client.post("/api/v1/placements/rank", json=body, headers={"X-API-Key": key})
            assert r.status_code == 200, r.text
        assert trips == ["authenticate"]  # the first check only
        assert validations == []  # not again after the body's validation
        with api_engine.begin() as conn:
            revoke_key(conn, info.id)
        r = client.post("/api/v1/placements/rank", json=body, headers={"X-API-Key": key})
        assert r.status_code == 401, r.text
        assert r.headers["content-type"].startswith("application/problem+json")


def test_ranker_cache_is_bounded_and_follows_the_state_version(
    api_engine: Engine, profile: ScoringProfile
) -> None:
    """Twice the same ranker while nothing changes; a new district status after a commit to
    district_status (features kept: the same arrays); at most ``size`` rankers kept."""
    rankers = RankerCache(1)
    first = rankers.ranker(api_engine, profile)
    assert rankers.ranker(api_engine, profile) is first
    code = next(iter(first.districts))
    with api_engine.begin() as conn:
        conn.execute(
            text("UPDATE district_status SET placements = placements + 1 WHERE district_code = :c"),
            {"c": code},
        )
    try:
        after = rankers.ranker(api_engine, profile)
        assert after is not first and after.ids is first.ids
        assert after.districts[code]["placements"] == first.districts[code]["placements"] + 1
    finally:
        with api_engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE district_status SET placements = placements - 1 "
                    "WHERE district_code = :c"
                ),
                {"c": code},
            )
    other = ScoringProfile.model_validate({**profile.model_dump(), "name": "other"})
    with pytest.raises(StaleScores):
        rankers.ranker(api_engine, other)  # loaded (then refused: scored with another one)
    assert len(rankers._entries) == 1  # the first was dropped


def test_http_ranking_is_the_in_process_ranking_byte_for_byte(
    server: str, keys: dict[str, str], api_engine: Engine, profile: ScoringProfile
) -> None:
    """The async route's answer is exactly the JSON of the ranker's own result."""
    body = {"household": HH, "limit": 7}
    r = httpx.post(
        f"{server}/api/v1/placements/rank",
        json=body,
        headers={"X-API-Key": keys["housing_office"]},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    ranking = (
        RankerCache()
        .ranker(api_engine, profile)
        .rank(parse_household(HH, profile), 7, held=held_flats(api_engine))
    )
    ours = json.loads(ranking.model_dump_json())
    theirs = r.json()
    assert theirs == ours
    assert r.content == ranking.model_dump_json().encode()
