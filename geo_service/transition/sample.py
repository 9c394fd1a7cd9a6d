"""Load the ILLUSTRATIVE sample waiting list through the real service (idempotent)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from geo_service.config import get_settings
from geo_service.errors import GeoServiceError, InputError, NotFound
from geo_service.i18n import _
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache, ranker_of
from geo_service.transition import store
from geo_service.transition.live import free_now
from geo_service.transition.schemas import NewEntry

SAMPLE = Path("sample") / "waiting_list" / "waiting_list.json"
STEPS_TO = {"waiting": 0, "offered": 1, "reserved": 2, "moved": 3, "withdrawn": 0}


def _best_flat(
    engine: Engine, profile: ScoringProfile, household: Any, rankers: RankerCache, skip: int = 0
) -> str | None:
    """The best-ranked free flat for a household past the first ``skip`` ranked ones (None
    when nothing fits)."""
    ranker = ranker_of(rankers, engine, profile)
    free = free_now(engine, ranker, profile)
    for result in ranker.rank(household, limit=skip + 50, held=held_flats(engine)).results[skip:]:
        if free[ranker.position[result.flat_id]]:
            return result.flat_id
    return None


def load_sample_waiting_list(
    engine: Engine, profile: ScoringProfile, path: Path | None = None
) -> dict[str, int]:
    """Add every sample entry not on the list yet and move it to its sample status; return
    how many entries are in each status after loading (entries already there are kept)."""
    path = path or get_settings().data_dir / SAMPLE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            _("{path}: not a sample waiting list ({error})").format(path=path, error=exc)
        ) from None
    key, today = store.cli_caller(), date.today()
    rankers = RankerCache(1)  # this load's rankers, current after each offer and hold
    counts: dict[str, int] = {}
    for item in doc["entries"]:
        try:
            entry = store.lookup(engine, item["case_ref"])
        except NotFound:
            entered = today - timedelta(days=int(item["entered_days_ago"]))
            household = {**item["household"], "move_in": entered.isoformat()}
            new = NewEntry.model_validate(
                {
                    "household": household,
                    "case_ref": item["case_ref"],
                    "entered_on": entered,
                    "accommodation_unit": item["accommodation_unit"],
                    "unit_district": item["unit_district"],
                }
            )
            entry = store.add(engine, new, key, profile)
            reason = item.get("override_reason")
            entry = _advance(engine, profile, entry.id, item["status"], rankers, reason)
        counts[entry.status] = counts.get(entry.status, 0) + 1
    return counts


def _advance(
    engine: Engine,
    profile: ScoringProfile,
    entry_id: str,
    status: str,
    rankers: RankerCache,
    reason: str | None = None,
) -> Any:
    """Take a new entry through offer, reserve and move up to ``status`` (or withdraw it);
    it stays waiting when no free flat fits. With an override ``reason`` the flat offered is
    the best one outside its recommended flats, offered with that reason."""
    key = store.cli_caller()
    if status == "withdrawn":
        return store.withdraw(engine, entry_id, "other", key, profile)
    entry = store.get(engine, entry_id)
    if STEPS_TO[status] == 0:
        return entry
    skip = profile.override_rules.recommended if reason else 0
    planned = store.planning_household(entry.household, profile)
    flat = _best_flat(engine, profile, planned, rankers, skip)
    if flat is None:
        return entry
    try:
        entry = store.offer(
            engine,
            entry_id,
            flat,
            key,
            profile,
            rankers=rankers,
            override=(lambda _: reason) if reason else None,
        )
        if STEPS_TO[status] >= 2:
            entry = store.reserve(engine, entry_id, key, profile, rankers=rankers)
        if STEPS_TO[status] >= 3:
            entry = store.move(engine, entry_id, key, profile)
    except GeoServiceError:  # a district filled up meanwhile: keep the stage reached
        return store.get(engine, entry_id)
    return entry
