"""Answers that explain themselves: why a ranking is empty, what each number means, in words.

The exclusion counts are checked against plain SQL over the flats (an independent count), the
explanations against the profile and the decay formula."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, text

from geo_service.errors import InputError
from geo_service.i18n import use_language
from geo_service.i18n.formats import distance, number, plain
from geo_service.scoring.decay import decay
from geo_service.scoring.explain import constraint_name
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker

FAMILY = {"size": 4, "children_ages": [3, 8], "languages": ["ar"], "move_in": "2026-12-01"}


def sql_count(engine: Engine, where: str, **params: object) -> int:
    """Flats matching a SQL condition, counted by PostgreSQL."""
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM flats WHERE {where}"), params).scalar())


def test_unknown_district_codes_are_a_400_naming_each(
    sample_ranker: Ranker, profile: ScoringProfile
) -> None:
    """A name, a lower-case code and a made-up code: all three named, with suggestions."""
    hh = parse_household(FAMILY, profile)
    with pytest.raises(InputError) as caught:
        sample_ranker.rank(hh, districts=["Lebenstedt", "leb", "XYZ", "THI"])
    err = caught.value
    assert "„Lebenstedt“ (meinten Sie LEB?)" in err.message
    assert "„leb“ (meinten Sie LEB?)" in err.message and "„XYZ“" in err.message
    assert [e["pointer"] for e in err.errors] == ["/districts/0", "/districts/1", "/districts/2"]


def test_exclusions_add_up_and_match_sql(
    sample_ranker: Ranker, profile: ScoringProfile, scored_sample: Engine
) -> None:
    """Outside the requested districts and failing the move-in date, counted as SQL counts."""
    hh = parse_household(FAMILY, profile)
    ranking = sample_ranker.rank(hh, limit=500, districts=["LEB", "THI"])
    assert ranking.eligible + sum(ranking.excluded.model_dump().values()) == ranking.considered
    assert ranking.considered == sql_count(scored_sample, "true")
    outside = sql_count(scored_sample, "district_code NOT IN ('LEB', 'THI')")
    assert ranking.excluded.outside_districts == outside
    late = sql_count(
        scored_sample,
        "district_code IN ('LEB', 'THI') AND available AND available_from > :d",
        d=date(2026, 12, 1),
    )
    assert ranking.failed_constraints["available_by_move_in"] == late
    assert {r.district.code for r in ranking.results} <= {"LEB", "THI"}


def test_a_past_move_in_says_why_nothing_fits(
    sample_ranker: Ranker, profile: ScoringProfile, scored_sample: Engine
) -> None:
    """Before every flat's availability: empty, and the notes say why in words."""
    past = (date.today() - timedelta(days=3650)).isoformat()
    ranking = sample_ranker.rank(parse_household({**FAMILY, "move_in": past}, profile))
    assert ranking.results == [] and ranking.eligible == 0
    assert ranking.failed_constraints["available_by_move_in"] == sql_count(
        scored_sample, "available AND available_from > :d", d=date.fromisoformat(past)
    )
    assert any("liegt in der Vergangenheit" in n for n in ranking.notes)
    assert any(
        n.startswith("Keine Wohnung passt") and "frei zum Einzug" in n for n in ranking.notes
    )
    with use_language("en"):
        english = sample_ranker.rank(parse_household({**FAMILY, "move_in": past}, profile))
    assert any("lies in the past" in n for n in english.notes)
    assert any(n.startswith("No flat fits") and "free by the move-in" in n for n in english.notes)


def test_full_districts_are_named_and_override_explains_the_zero(
    sample_ranker: Ranker, profile: ScoringProfile
) -> None:
    """Only a full district requested: nothing, counted as district_full and named; with
    override_cap the flats come back with placement 0 and a note saying why."""
    full = [code for code, info in sample_ranker.districts.items() if info["factor"] == 0]
    assert full, "the sample has a district at its cap"
    fitting = None
    for size in (1, 2, 3, 4, 5):
        hh = parse_household({**FAMILY, "size": size, "children_ages": []}, profile)
        ranking = sample_ranker.rank(hh, districts=full)
        if ranking.excluded.district_full:
            fitting = hh
            break
    assert fitting is not None
    assert ranking.results == [] and ranking.full_districts
    names = {d.name for d in ranking.full_districts}
    assert any(name in ranking.notes[-1] for name in names)
    assert "mit erreichter Quote" in ranking.notes[-1]
    forced = sample_ranker.rank(fitting, districts=full, override_cap=True)
    assert forced.results and all(r.placement_score == 0.0 for r in forced.results)
    first = forced.results[0]
    assert any("hat seine Aufnahmequote erreicht" in n for n in first.notes)
    explanation = first.district.explanation
    assert "Aufnahmequote erreicht" in explanation and "der Wert zählt 0" in explanation
    assert "×" not in explanation and "factor" not in explanation
    assert any("Quoten auf Wunsch übergangen" in n for n in forced.notes)


def test_each_category_explains_weight_maximum_and_decay(
    sample_ranker: Ranker, profile: ScoringProfile
) -> None:
    """Maxima add up to 100, points = value × maximum, far places count 0 and say so."""
    best = sample_ranker.rank(parse_household(FAMILY, profile), limit=1).results[0]
    cats = best.categories
    assert sum(c.max_points for c in cats.values()) == pytest.approx(100, abs=0.05)
    for name, c in cats.items():
        assert c.points == best.contributions[name]
        assert c.points == pytest.approx(c.value * c.max_points, abs=0.02)
        if c.unit == "min":  # by public transport: decays over the travel minutes
            assert f"ab {plain(c.zero_m)} Minuten gar nicht mehr" in c.rule
            for place in best.nearest[name]:
                assert place.travel_min is not None and place.travel
                assert place.decay == pytest.approx(
                    float(decay(place.travel_min, c.full_m, c.zero_m)), abs=2e-3
                )
            continue
        assert f"ab {distance(c.zero_m)} gar nicht mehr" in c.rule
        for place in best.nearest[name]:
            assert place.decay == pytest.approx(
                float(decay(place.distance_m, c.full_m, c.zero_m)), abs=1e-3
            )
            if place.distance_m >= c.zero_m:
                assert place.decay == 0 and place.note and "zählt nicht" in place.note
    assert cats["kita"].weight > profile.categories["kita"].weight  # a child under 6
    assert best.summary.startswith(f"Platzierungswert {number(best.placement_score)}:")
    assert "seiner Aufnahmequote erreicht" in best.district.explanation
    with use_language("en"):
        english = sample_ranker.rank(parse_household(FAMILY, profile), limit=1).results[0]
    assert english.summary.startswith(f"Placement score {best.placement_score:.1f}:")
    assert "of its quota" in english.district.explanation
    assert english.categories["kita"].rule.startswith("counts fully up to")


def test_constraint_details_read_well(sample_ranker: Ranker, profile: ScoringProfile) -> None:
    """'1 Zimmer' ('1 room', not '1 rooms'); a failing flat's notes name the failed
    constraint in words."""
    single = parse_household({"size": 1, "languages": ["uk"], "move_in": "2027-06-01"}, profile)
    ev = sample_ranker.evaluate(single)
    one_room = [i for i, r in enumerate(sample_ranker.arrays.rooms) if r == 1]
    if one_room:
        detail = next(c for c in ev.checks if c.name == "rooms").describe(one_room[0])
        assert detail.startswith("1 Zimmer, erlaubt")
        with use_language("en"):
            english = sample_ranker.evaluate(single)
            rooms = next(c for c in english.checks if c.name == "rooms").describe(one_room[0])
        assert rooms.startswith("1 room, allowed")
    failing = int((~ev.passed).nonzero()[0][0])
    explained = sample_ranker.explain(ev, failing, None)
    assert explained.placement_score == 0 and not explained.eligible
    failed = [c.name for c in explained.constraints if not c.passed]
    assert failed and any(constraint_name(failed[0]) in n for n in explained.notes)
