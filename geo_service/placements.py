"""Placement requests of the housing office: rank or score flats for a household, audited."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert

from geo_service.auth.keys import KeyInfo
from geo_service.db import models
from geo_service.db.engine import single_statements
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.scoring.ranking import Ranker
from geo_service.scoring.results import RankedFlat, Ranking
from geo_service.state import Current


def _row(
    action: str,
    key: KeyInfo,
    profile: ScoringProfile,
    ranker: Ranker,
    request: dict[str, Any],
    detail: dict[str, Any],
) -> dict[str, Any]:
    """The audit entry (columns of ``audit_log``) of a read-only placement request."""
    return {
        "action": action,
        "role": key.role,
        "api_key_id": key.id,
        "profile_version": profile.version,
        "data_timestamp": ranker.data_timestamp,
        "request": request,
        "detail": detail,
    }


def _audit(engine: Engine, row: dict[str, Any], current: Current | None) -> None:
    """Write ``row`` committed (durably) before the answer is returned: by a server's group
    writer, or as a single INSERT without BEGIN/COMMIT round trips."""
    if current is not None and current.audit is not None:
        current.audit.write(row)
        return
    with single_statements(engine) as conn:
        conn.execute(insert(models.audit_log), row)


def _ranker_and_held(
    engine: Engine, profile: ScoringProfile, current: Current | None
) -> tuple[Ranker, set[str]]:
    """The ranker and held flats: from a server's caches, or read now (CLI, notebooks)."""
    if current is not None:
        return current.ranker_and_held(profile)
    return RankerCache(1).ranker(engine, profile), held_flats(engine)


@dataclass(frozen=True)
class RankQuery:
    """What a ranking request asks for, besides the household."""

    limit: int = 10
    districts: list[str] | None = None
    override_cap: bool = False


def ranked(
    ranker: Ranker,
    held: set[str],
    profile: ScoringProfile,
    household: Household,
    key: KeyInfo,
    query: RankQuery,
) -> tuple[Ranking, dict[str, Any]]:
    """The ranking with explanations, and its audit entry (not yet written)."""
    ranking = ranker.rank(household, query.limit, query.districts, query.override_cap, held=held)
    request = {
        "household": household.model_dump(mode="json"),
        "limit": query.limit,
        "districts": query.districts,
        "override_cap": query.override_cap,
    }
    detail: dict[str, Any] = {"results": [r.flat_id for r in ranking.results]}
    if query.override_cap:
        detail["note"] = "district cap overridden on request"
    return ranking, _row("rank", key, profile, ranker, request, detail)


def rank_for(
    engine: Engine,
    profile: ScoringProfile,
    household: Household,
    key: KeyInfo,
    query: RankQuery | None = None,
    current: Current | None = None,
) -> Ranking:
    """Ranked flats with explanations and why others were left out; the request is written to
    the audit log (committed before the answer is returned). ``current``: a server's caches."""
    ranker, held = _ranker_and_held(engine, profile, current)
    ranking, row = ranked(ranker, held, profile, household, key, query or RankQuery())
    _audit(engine, row, current)
    return ranking


async def rank_async(
    current: Current, profile: ScoringProfile, household: Household, key: KeyInfo, query: RankQuery
) -> Ranking:
    """``rank_for`` on a server's event loop: the ranking runs in the loop (pure computation,
    no thread trip), the caches are refreshed in a worker thread only when they must read the
    database, and the audit entry's commit is awaited without holding a thread."""
    ranker, held = await current.ranker_and_held_async(profile)
    ranking, row = ranked(ranker, held, profile, household, key, query)
    if current.audit is None:
        await asyncio.to_thread(_audit, current.cache.engine, row, None)
    else:
        await current.audit.write_async(row)
    return ranking


def score_for(
    engine: Engine,
    profile: ScoringProfile,
    household: Household,
    flat_id: str,
    key: KeyInfo,
    current: Current | None = None,
) -> RankedFlat:
    """The explained score of one flat for a household (audited like a ranking)."""
    ranker, held = _ranker_and_held(engine, profile, current)
    result = ranker.score_flat(flat_id, household, held=held)
    request = {"household": household.model_dump(mode="json"), "flat_id": flat_id}
    detail = {"placement_score": result.placement_score}
    _audit(engine, _row("score", key, profile, ranker, request, detail), current)
    return result
