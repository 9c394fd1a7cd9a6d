"""Placement requests of the housing office: rank or score flats for a household, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.db.engine import single_statements
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import cached_ranker, held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker
from geo_service.scoring.results import RankedFlat, Ranking
from geo_service.state import Current


def _audit(
    engine: Engine,
    action: str,
    key: KeyInfo,
    profile: ScoringProfile,
    ranker: Ranker,
    request: dict[str, Any],
    detail: dict[str, Any],
) -> None:
    """One audit entry for a read-only placement request: a single INSERT committed (durably)
    before the answer is returned, without BEGIN/COMMIT round trips."""
    with single_statements(engine) as conn:
        record(
            conn,
            action,
            role=key.role,
            key_id=key.id,
            profile_version=profile.version,
            data_timestamp=ranker.data_timestamp,
            request=request,
            detail=detail,
        )


def _ranker_and_held(
    engine: Engine, profile: ScoringProfile, current: Current | None
) -> tuple[Ranker, set[str]]:
    """The ranker and held flats: from a server's caches, or read now (CLI, notebooks)."""
    if current is not None:
        return current.ranker_and_held(profile)
    return cached_ranker(engine, profile), held_flats(engine)


def rank_for(
    engine: Engine,
    profile: ScoringProfile,
    household: Household,
    key: KeyInfo,
    *,
    limit: int = 10,
    districts: list[str] | None = None,
    override_cap: bool = False,
    current: Current | None = None,
) -> Ranking:
    """Ranked flats with explanations and why others were left out; the request is written to
    the audit log (committed before the answer is returned). ``current``: a server's caches."""
    ranker, held = _ranker_and_held(engine, profile, current)
    ranking = ranker.rank(household, limit, districts, override_cap, held=held)
    request = {
        "household": household.model_dump(mode="json"),
        "limit": limit,
        "districts": districts,
        "override_cap": override_cap,
    }
    detail: dict[str, Any] = {"results": [r.flat_id for r in ranking.results]}
    if override_cap:
        detail["note"] = "district cap overridden on request"
    _audit(engine, "rank", key, profile, ranker, request, detail)
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
    _audit(
        engine,
        "score",
        key,
        profile,
        ranker,
        {"household": household.model_dump(mode="json"), "flat_id": flat_id},
        {"placement_score": result.placement_score},
    )
    return result
