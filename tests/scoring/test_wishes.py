"""Households' wishes on the scored sample: a bounded term that moves a flat up by exactly the
documented points and never past a hard constraint or a district cap; explained in German."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_service.errors import InputError
from geo_service.scoring.household import Household, parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker

LANGUAGES = ["ar", "fa", "uk", "tr", "ru", "de"]
CATEGORIES = ["language_course", "kita", "park_playground", "transit_stop", "counselling"]
# Flachstöckheim's quota is used up in the sample (B = 0); Beinum's kita places are taken
DISTRICTS = ["FLA", "BEI", "LEB", "BAD", "THI", "GEB", "SAL", "LIC"]


@st.composite
def wishing_households(draw: st.DrawFn) -> dict[str, object]:
    """A household with 1-3 wished districts and 0-3 weighted categories."""
    size = draw(st.integers(1, 6))
    kids = draw(st.lists(st.integers(0, 17), max_size=size - 1))
    return {
        "size": size,
        "children_ages": kids,
        "languages": draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2)),
        "needs": draw(st.lists(st.sampled_from(["near_gp", "barrier_free"]), max_size=1)),
        "move_in": "2027-06-01",
        "preferences": {
            "districts": draw(
                st.lists(st.sampled_from(DISTRICTS), min_size=1, max_size=3, unique=True)
            ),
            "categories": draw(
                st.dictionaries(st.sampled_from(CATEGORIES), st.floats(0.1, 3.0), max_size=3)
            ),
        },
    }


def documented(ranker: Ranker, household: Household, rows: np.ndarray) -> np.ndarray:
    """The wish points the profile documents, computed here from the explained category values:
    district points of the wish's place, plus Σ extra weight x value x points per weight, capped."""
    rules = ranker.profile.preference_rules
    prefs = household.preferences
    assert prefs is not None
    ev = ranker.evaluate(household)
    out = np.zeros(len(rows))
    for n, i in enumerate(rows):
        code = ranker.district[i]
        district = (
            rules.district_points[prefs.districts.index(code)] if code in prefs.districts else 0.0
        )
        names = ranker.profile.names()
        extra = sum(
            min(w, rules.max_category_weight)
            * ev.values[i, names.index(c)]
            * rules.category_points_per_weight
            for c, w in prefs.categories.items()
        )
        out[n] = district + min(extra, rules.category_points_max)
    return out


@given(wishing_households())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_wish_moves_a_flat_up_by_the_documented_bounded_points(
    sample_ranker: Ranker, profile: ScoringProfile, data: dict[str, object]
) -> None:
    """Same flats ranked with and without the wishes (none past a hard constraint or a full
    district); each flat's order key rises by exactly the documented points, 0 to the bound."""
    wishing = parse_household(data, profile)
    plain = wishing.model_copy(update={"preferences": None})
    with_wish = sample_ranker.select(wishing, limit=None)
    without = sample_ranker.select(plain, limit=None)
    assert sorted(with_wish.chosen) == sorted(without.chosen)
    ev = with_wish.evaluation
    chosen = np.array(with_wish.chosen, dtype=int)
    if not len(chosen):
        return
    assert ev.passed[chosen].all() and (sample_ranker.factor[chosen] > 0).all()
    placement = ev.scores_of(chosen)[1]
    gain = ev.ranking_of(chosen) - placement
    bound = profile.preference_rules.max_points
    assert ((gain >= -0.011) & (gain <= bound + 0.011)).all()
    assert gain == pytest.approx(documented(sample_ranker, wishing, chosen), abs=0.011)
    key = ev.ranking_of(chosen)
    assert (np.diff(key) <= 1e-9).all()  # ranked by placement + wish
    failing = np.flatnonzero(~ev.passed | (sample_ranker.factor <= 0))
    assert (ev.wish_of(failing) == 0).all()


def test_explanation_says_what_a_wish_counted(
    sample_ranker: Ranker, profile: ScoringProfile
) -> None:
    """A flat in the first wished district: the German sentence names the district, its rank
    and the points; the flat's ranking score is its placement score plus them."""
    household = parse_household(
        {
            "size": 2,
            "languages": ["ar"],
            "move_in": "2027-06-01",
            "preferences": {"districts": ["BAD", "LEB"], "categories": {"park_playground": 2}},
        },
        profile,
    )
    ranking = sample_ranker.rank(household, limit=200)
    bad = next(r for r in ranking.results if r.district.code == "BAD")
    assert bad.wish is not None and bad.wish.district_rank == 1
    assert bad.wish.district_points == profile.preference_rules.district_points[0]
    assert bad.ranking_score == pytest.approx(bad.placement_score + bad.wish.points, abs=0.01)
    assert "Salzgitter-Bad ist Wunschstadtteil 1 (+5,0)" in bad.wish.explanation
    assert bad.wish.explanation.startswith("Wünsche: +")
    # every flat says what the wishes counted there, an unwished district too
    assert all(r.wish is not None and r.wish.explanation for r in ranking.results)
    elsewhere = next(r for r in ranking.results if r.district.code not in ("BAD", "LEB"))
    assert elsewhere.wish is not None
    assert f"{elsewhere.district.name} ist kein Wunschstadtteil (+0,0)" in (
        elsewhere.wish.explanation
    )
    other = sample_ranker.score_flat(
        bad.flat_id, household.model_copy(update={"preferences": None})
    )
    assert other.wish is None and other.ranking_score == other.placement_score


@pytest.mark.parametrize(
    ("preferences", "message"),
    [
        (
            {"districts": ["Lebenstedt"]},
            r"household.preferences.districts: unbekannter Stadtteilcode „Lebenstedt“ \(meinten",
        ),
        ({"districts": ["LEB", "BAD", "THI", "GEB"]}, "höchstens 3 Wunschstadtteile"),
        ({"categories": {"sauna": 1.0}}, "unbekannte Kategorie „sauna“"),
        ({"categories": {"kita": 9.0}}, "über dem Höchstwert 3,0 des Profils"),
        ({"districts": ["LEB", "LEB"]}, "mehrfach gewünscht"),
        ({"colour": "blue"}, "colour ist kein bekanntes Feld"),
    ],
)
def test_bad_wishes_are_clear_errors(
    sample_ranker: Ranker, profile: ScoringProfile, preferences: dict, message: str
) -> None:
    """Unknown districts (with a suggestion), too many, unknown or too heavy categories."""
    data = {"size": 1, "languages": ["ar"], "move_in": "2027-01-01", "preferences": preferences}
    with pytest.raises(InputError, match=message):
        sample_ranker.rank(parse_household(data, profile))
