"""Every unplaced household gets its own reason; case references come back and are stored
only as keyed hashes."""

from __future__ import annotations

from sqlalchemy import Engine, text

from geo_service.allocation.service import allocate, record_run
from geo_service.config import get_settings
from geo_service.reservations.service import case_ref_hash
from geo_service.scoring.household import BatchHousehold, parse_household, read_households
from geo_service.scoring.pipeline import load_ranker
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache

BATCHES = get_settings().data_dir / "sample" / "households"
SINGLE = {"size": 1, "languages": ["uk"], "move_in": "2027-06-01"}


def batch(prof: ScoringProfile, *rows: dict[str, object]) -> list[BatchHousehold]:
    """Households with case references."""
    return [parse_household(r, prof, BatchHousehold) for r in rows]


def test_no_fitting_flat_names_the_constraints(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """A move-in date before every flat's availability: no_fitting_flat, counted per rule."""
    hh = batch(prof, {**SINGLE, "move_in": "2001-01-01", "ref": "AZ-OLD"})
    result = allocate(scored, prof, hh, "greedy", rankers=rankers)
    (reason,) = result.unplaced_reasons
    assert (reason.code, reason.ref, reason.fitting_flats) == ("no_fitting_flat", "AZ-OLD", 0)
    assert reason.failed_constraints["available_by_move_in"] > 0
    assert "frei zum Einzug" in reason.reason


def test_all_districts_full_names_them(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """Capacity scaled to 0: fitting flats exist, all in districts without room."""
    hh = batch(prof, {**SINGLE, "ref": "AZ-1"})
    result = allocate(scored, prof, hh, "optimal", capacity_scale=0.0, rankers=rankers)
    (reason,) = result.unplaced_reasons
    assert reason.code == "districts_full" and reason.fitting_flats > 0
    assert reason.districts and set(reason.districts) <= {d.code for d in result.districts}
    assert reason.districts[0] in reason.reason


def test_outranked_households_lost_fitting_flats_to_others(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """Scarce batch: each unplaced household's fitting flats went to others (checked by
    scoring those flats for it) or lie in districts the batch filled."""
    households = read_households(BATCHES / "scarce.json", prof)
    result = allocate(scored, prof, households, rankers=rankers)
    assert result.unplaced_reasons, "the scarce batch leaves households unplaced"
    ranker = load_ranker(scored, prof)
    flat_of = {a.household: a.flat_id for a in result.assignments}
    use = {d.code: d for d in result.districts}
    for reason in result.unplaced_reasons:
        assert reason.code in ("outranked", "districts_full", "no_fitting_flat")
        if reason.code != "outranked":
            continue
        assert reason.taken_by or reason.districts
        for other in reason.taken_by[:3]:
            flat = ranker.score_flat(flat_of[other], households[reason.household])
            assert flat.eligible and flat.district.factor > 0
        for code in reason.districts:
            assert use[code].after >= use[code].capacity or use[code].placed > 0


def test_refs_come_back_and_are_stored_only_hashed(
    scored: Engine, prof: ScoringProfile, rankers: RankerCache
) -> None:
    """Assignments and reasons carry the refs; the database holds only their keyed hashes."""
    hh = batch(
        prof,
        {**SINGLE, "ref": "AZ-2026-7001"},
        {**SINGLE, "languages": ["ar"], "ref": "AZ-2026-7002"},
        {**SINGLE, "move_in": "2001-01-01", "ref": "AZ-2026-7003"},
    )
    result = record_run(
        scored, allocate(scored, prof, hh, "greedy", rankers=rankers), hh, prof, None, True
    )
    assert {a.ref for a in result.assignments} == {"AZ-2026-7001", "AZ-2026-7002"}
    assert [u.ref for u in result.unplaced_reasons] == ["AZ-2026-7003"]
    assert len(result.reservations) == 2
    with scored.connect() as conn:
        dump = " ".join(
            conn.execute(
                text(f"SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t")
            ).scalar_one()
            for table in ("allocations", "reservations", "audit_log")
        )
    assert "AZ-2026-700" not in dump
    for ref in ("AZ-2026-7001", "AZ-2026-7002", "AZ-2026-7003"):
        assert case_ref_hash(ref) in dump
