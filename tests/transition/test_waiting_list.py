"""The waiting list through the service: the pipeline in order, errors that change nothing,
holds and confirmations of the reservation service, the audit, privacy."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from geo_service.db import models
from geo_service.errors import Conflict, InputError, NotFound
from geo_service.reservations import service as reservations
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.transition import recommend, store
from geo_service.transition.live import pipeline
from geo_service.transition.schemas import NewEntry

KEY = store.cli_caller()
_refs = itertools.count(1)


@pytest.fixture(scope="module")
def rankers() -> RankerCache:
    """The module's rankers, as a server keeps them on ``app.state``: the features are read
    once (nothing here re-imports or re-scores), the district status again after every
    commit (the state version); without it every service call re-read the features."""
    return RankerCache()


def household(**extra: object) -> Household:
    """A small household that fits many sample flats, ready to move now."""
    data = {"size": 1, "languages": ["uk"], "move_in": date.today().isoformat(), **extra}
    return Household.model_validate(data)


def add(engine: Engine, profile: ScoringProfile, **extra: object) -> str:
    """A new entry with a fresh case reference; its id."""
    new = NewEntry(household=household(), case_ref=f"TEST-{next(_refs)}", **extra)  # type: ignore[arg-type]
    return store.add(engine, new, KEY, profile).id


def fitting_flat(engine: Engine, profile: ScoringProfile, rankers: RankerCache) -> str:
    """A free flat that fits the test household and is not offered to anyone."""
    ranker = rankers.ranker(engine, profile)
    hh = store.planning_household(household(), profile)
    with engine.connect() as conn:
        offered = set(conn.execute(select(models.waiting_list.c.flat_id)).scalars())
    for r in ranker.rank(hh, limit=200, held=held_flats(engine)).results:
        if r.flat_id not in offered:
            return r.flat_id
    raise AssertionError("no fitting flat left")


def snapshot(engine: Engine) -> tuple[object, ...]:
    """Everything a failed request must leave untouched."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM waiting_list ORDER BY id")).all()
        res = conn.execute(text("SELECT id, status FROM reservations ORDER BY id")).all()
        audit = conn.execute(select(func.count()).select_from(models.audit_log)).scalar()
    return tuple(rows), tuple(res), audit


def test_the_whole_pipeline(
    api_engine: Engine, fresh_profile: ScoringProfile, rankers: RankerCache
) -> None:
    """waiting -> offered -> reserved -> moved: a hold, then its confirmation, and the
    district counts the placement; every step is audited."""
    entry = add(api_engine, fresh_profile, accommodation_unit="GU Am Stadion", unit_district="LEB")
    flat = fitting_flat(api_engine, fresh_profile, rankers)
    ranker = rankers.ranker(api_engine, fresh_profile)
    district = ranker.district[ranker.position[flat]]
    before = pipeline(api_engine, fresh_profile, rankers=rankers)
    e = store.offer(api_engine, entry, flat, KEY, fresh_profile, rankers=rankers)
    assert (e.status, e.flat_id, e.next_steps) == (
        "offered",
        flat,
        ["reserve", "decline", "withdraw"],
    )
    e = store.reserve(api_engine, entry, KEY, fresh_profile, rankers=rankers)
    assert e.status == "reserved" and e.reservation_id and not e.hold_expired
    assert flat in held_flats(api_engine)
    placements = RankerCache().ranker(api_engine, fresh_profile).districts[district]["placements"]
    e = store.move(api_engine, entry, KEY, fresh_profile)
    assert e.status == "moved" and e.moved_at is not None and e.next_steps == []
    after = RankerCache().ranker(api_engine, fresh_profile).districts[district]["placements"]
    assert after == placements + 1
    rows = {d.code: d for d in pipeline(api_engine, fresh_profile, rankers=rankers).districts}
    assert rows[district].moved == {d.code: d for d in before.districts}[district].moved + 1
    with api_engine.connect() as conn:
        actions = (
            conn.execute(
                select(models.audit_log.c.action).where(
                    models.audit_log.c.request["entry_id"].astext == entry
                )
            )
            .scalars()
            .all()
        )
    assert actions == [
        "waiting_list.add",
        "waiting_list.offer",
        "waiting_list.reserve",
        "waiting_list.move",
    ]


@pytest.mark.parametrize(
    ("steps", "action", "status", "words"),
    [
        ([], "move", 409, "„Einzug bestätigen“ geht nur im Status „reserviert“"),
        ([], "reserve", 409, "„Wohnung reservieren“ geht nur"),
        (["offer"], "move", 409, "„Einzug bestätigen“ geht nur"),
        (["withdraw"], "withdraw", 409, "schon zurückgezogen"),
        (["withdraw"], "offer", 409, "Status „zurückgezogen“: „Wohnung anbieten“ geht nur"),
        ([], "decline", 409, "„ablehnen“ geht nur"),
    ],
)
def test_out_of_order_changes_nothing(
    api_engine: Engine,
    fresh_profile: ScoringProfile,
    rankers: RankerCache,
    steps: list[str],
    action: str,
    status: int,
    words: str,
) -> None:
    """Moved before reserved, withdrawn twice, ...: 409 with what is possible, nothing changed."""
    entry = add(api_engine, fresh_profile)
    flat = fitting_flat(api_engine, fresh_profile, rankers)
    run = {
        "offer": lambda: store.offer(api_engine, entry, flat, KEY, fresh_profile, rankers=rankers),
        "reserve": lambda: store.reserve(api_engine, entry, KEY, fresh_profile, rankers=rankers),
        "move": lambda: store.move(api_engine, entry, KEY, fresh_profile),
        "decline": lambda: store.decline(api_engine, entry, "other", KEY, fresh_profile),
        "withdraw": lambda: store.withdraw(api_engine, entry, "other", KEY, fresh_profile),
    }
    for step in steps:
        run[step]()
    before = snapshot(api_engine)
    with pytest.raises(Conflict, match=re.escape(words)) as err:
        run[action]()
    assert err.value.status == status
    assert snapshot(api_engine) == before


def test_unknown_ids_and_references(
    api_engine: Engine, fresh_profile: ScoringProfile, rankers: RankerCache
) -> None:
    """Unknown entry, malformed id, unknown case reference, unknown flat: 404."""
    entry = add(api_engine, fresh_profile)
    with pytest.raises(NotFound):
        store.get(api_engine, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound):
        store.get(api_engine, "not-a-uuid")
    with pytest.raises(NotFound, match="Aktenzeichen"):
        store.lookup(api_engine, "AZ-nobody")
    before = snapshot(api_engine)
    with pytest.raises(NotFound, match="F-NOPE"):
        store.offer(api_engine, entry, "F-NOPE", KEY, fresh_profile, rankers=rankers)
    assert snapshot(api_engine) == before


def test_offers_that_cannot_be(
    api_engine: Engine, fresh_profile: ScoringProfile, rankers: RankerCache
) -> None:
    """A flat offered to someone else, held by a reservation, or too small: 409."""
    a, b = add(api_engine, fresh_profile), add(api_engine, fresh_profile)
    flat = fitting_flat(api_engine, fresh_profile, rankers)
    store.offer(api_engine, a, flat, KEY, fresh_profile, rankers=rankers)
    with pytest.raises(Conflict, match="einem wartenden Haushalt angeboten"):
        store.offer(api_engine, b, flat, KEY, fresh_profile, rankers=rankers)
    big = Household(size=6, children_ages=[1, 2, 3, 4], languages=["ar"], move_in=date.today())
    c = store.add(
        api_engine, NewEntry(household=big, case_ref=f"TEST-{next(_refs)}"), KEY, fresh_profile
    )
    one_room = fitting_flat(api_engine, fresh_profile, rankers)
    with pytest.raises(Conflict, match="passt nicht"):
        store.offer(api_engine, c.id, one_room, KEY, fresh_profile, rankers=rankers)


def test_decline_and_withdraw_release_the_hold(
    api_engine: Engine, fresh_profile: ScoringProfile, rankers: RankerCache
) -> None:
    """Back to waiting (or out) from reserved: the flat is free again."""
    for action in ("decline", "withdraw"):
        entry = add(api_engine, fresh_profile)
        flat = fitting_flat(api_engine, fresh_profile, rankers)
        store.offer(api_engine, entry, flat, KEY, fresh_profile, rankers=rankers)
        store.reserve(api_engine, entry, KEY, fresh_profile, rankers=rankers)
        e = getattr(store, action)(api_engine, entry, "other", KEY, fresh_profile)
        assert e.status == ("waiting" if action == "decline" else "withdrawn")
        assert e.flat_id is None and e.reservation_id is None
        assert flat not in held_flats(api_engine)


def test_a_lapsed_hold_or_a_flat_taken_meanwhile_changes_nothing(
    api_engine: Engine, fresh_profile: ScoringProfile, rankers: RankerCache
) -> None:
    """The transition and its hold or confirmation are one transaction: moving in on a lapsed
    hold, or holding a flat someone reserved directly after the offer lapsed, answers 409 and
    leaves the list, the reservations and the audit log as they were. While the offer is live,
    nobody else can reserve the flat (409 saying to whom and until when)."""
    entry = add(api_engine, fresh_profile)
    flat = fitting_flat(api_engine, fresh_profile, rankers)
    store.offer(api_engine, entry, flat, KEY, fresh_profile, rankers=rankers)
    held = store.reserve(api_engine, entry, KEY, fresh_profile, rankers=rankers)
    with api_engine.begin() as conn:
        conn.execute(
            text("UPDATE reservations SET expires_at = now() - interval '1 minute' WHERE id = :r"),
            {"r": held.reservation_id},
        )
    assert store.get(api_engine, entry).hold_expired
    before = snapshot(api_engine)
    with pytest.raises(Conflict, match="abgelaufen"):
        store.move(api_engine, entry, KEY, fresh_profile)
    assert snapshot(api_engine) == before

    other = add(api_engine, fresh_profile)
    flat = fitting_flat(api_engine, fresh_profile, rankers)
    store.offer(api_engine, other, flat, KEY, fresh_profile, rankers=rankers)
    before = snapshot(api_engine)
    with pytest.raises(
        Conflict, match=f"wartenden Haushalt angeboten \\(Wartelisten-Eintrag {other}"
    ):
        reservations.reserve(
            api_engine, flat, household(), None, KEY, fresh_profile, rankers=rankers
        )
    assert snapshot(api_engine) == before
    with api_engine.begin() as conn:  # the offer lapses: the flat is free for others again
        conn.execute(
            text("UPDATE waiting_list SET offered_at = now() - interval '8 days' WHERE id = :e"),
            {"e": other},
        )
    assert store.get(api_engine, other).offer_expired
    reservations.reserve(api_engine, flat, household(), None, KEY, fresh_profile, rankers=rankers)
    assert store.get(api_engine, other).status == "waiting"  # the lapsed offer ended, audited
    before = snapshot(api_engine)
    with pytest.raises(Conflict, match="Status „wartet“: „Wohnung reservieren“ geht nur"):
        store.reserve(api_engine, other, KEY, fresh_profile, rankers=rankers)
    assert snapshot(api_engine) == before


def test_bad_input(api_engine: Engine, fresh_profile: ScoringProfile) -> None:
    """A case reference twice, a day in the future, an unknown district: clear errors."""
    new = NewEntry(household=household(), case_ref="TEST-TWICE")
    store.add(api_engine, new, KEY, fresh_profile)
    before = snapshot(api_engine)
    with pytest.raises(Conflict, match="schon auf der Warteliste"):
        store.add(api_engine, new, KEY, fresh_profile)
    future = NewEntry(
        household=household(), case_ref="TEST-F", entered_on=date.today() + timedelta(days=3)
    )
    with pytest.raises(InputError, match="in der Zukunft"):
        store.add(api_engine, future, KEY, fresh_profile)
    nowhere = NewEntry(household=household(), case_ref="TEST-N", unit_district="XXX")
    with pytest.raises(InputError, match="unbekannter Stadtteilcode"):
        store.add(api_engine, nowhere, KEY, fresh_profile)
    assert snapshot(api_engine) == before


def test_case_references_are_only_keyed_hashes(
    api_engine: Engine, fresh_profile: ScoringProfile
) -> None:
    """The clear case reference appears nowhere in the database, yet finds its entry."""
    new = NewEntry(household=household(), case_ref="AZ-2026-SECRET-77")
    entry = store.add(api_engine, new, KEY, fresh_profile)
    with api_engine.connect() as conn:
        dump = " ".join(
            row
            for t in ("waiting_list", "audit_log", "reservations")
            for row in conn.execute(text(f"SELECT row_to_json(t)::text FROM {t} t")).scalars()
        )
    assert "AZ-2026-SECRET-77" not in dump
    assert store.lookup(api_engine, "AZ-2026-SECRET-77").id == entry.id


def test_recommendations_follow_the_plan(
    api_engine: Engine, fresh_profile: ScoringProfile, rankers: RankerCache
) -> None:
    """A flat's recommendation ranks fitting waiting households by score plus waiting points
    minus their potential; a household's ranks free flats by score minus potentials; every
    number is explained and the plan's choice is consistent between both views."""
    entries = [add(api_engine, fresh_profile) for _ in range(3)]
    mine = recommend.for_household(api_engine, fresh_profile, entries[0], 5, KEY, rankers=rankers)
    assert mine.flats and mine.verdict in ("offer_now", "wait")
    values = [f.value for f in mine.flats]
    assert values == sorted(values, reverse=True)
    for f in mine.flats:
        assert f.value == pytest.approx(
            f.placement_score - f.district_potential - f.flat_potential, abs=0.02
        )
    flat = mine.flats[0].flat_id
    theirs = recommend.for_flat(api_engine, fresh_profile, flat, 10, KEY, rankers=rankers)
    assert theirs.households and theirs.explanation
    for h in theirs.households:
        assert h.value == pytest.approx(
            h.placement_score + h.waiting_points - h.household_potential, abs=0.02
        )
    planned = [h.entry_id for h in theirs.households if h.planned]
    assert len(planned) <= 1
    pot = recommend.potentials(api_engine, fresh_profile, rankers=rankers)
    assert {d.code for d in pot.districts} >= {"LEB", "BAD"}
    assert all(d.potential >= 0 and d.explanation for d in pot.districts)
    store.offer(api_engine, entries[1], flat, KEY, fresh_profile, rankers=rankers)
    with pytest.raises(Conflict, match="nicht frei"):  # an offered flat gets no recommendation
        recommend.for_flat(api_engine, fresh_profile, flat, 10, KEY, rankers=rankers)
