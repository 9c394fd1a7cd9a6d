"""The ranking builds its explained flats without validating its own data again
(``Result.trusted``): their JSON is byte for byte what validating the same data gives, for
households with and without wishes, with service places full, with flats held, in German and
in English, and so are the answer's bytes with the nearest places spliced in from their kept
JSON (``ranking_json``); a trusted build with a field missing or out of order is refused."""

from __future__ import annotations

import warnings

import pytest
from pydantic import BaseModel

from geo_service.i18n.context import use_language
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker
from geo_service.scoring.ranking_json import ranking_json
from geo_service.scoring.results import ConstraintResult, Ranking

HOUSEHOLDS = {
    "plain": {"size": 2, "children_ages": [], "languages": ["de"], "move_in": "2026-12-01"},
    # Beinum's kita places are taken in the sample: the services constraint fails there
    "toddler": {"size": 3, "children_ages": [2], "languages": ["ar"], "move_in": "2027-06-01"},
    "wishes": {
        "size": 4,
        "children_ages": [3, 8],
        "languages": ["uk", "fa"],
        "needs": ["near_gp"],
        "move_in": "2027-06-01",
        "preferences": {
            "districts": ["FLA", "BEI", "LEB"],
            "categories": {"kita": 2.0, "park_playground": 0.5},
        },
    },
}


def _validated_json(model: BaseModel) -> str:
    """``model``'s JSON after validating its data the plain way."""
    return type(model).model_validate(model.model_dump()).model_dump_json()


@pytest.mark.parametrize("language", ["de", "en"])
def test_trusted_flats_encode_as_validated_ones(
    sample_ranker: Ranker, profile: ScoringProfile, language: str
) -> None:
    """Rankings (the best flats, some of them held in a second ranking) and single flats
    that fail a constraint or sit in a full district: same bytes as the validated models,
    and no serialisation warning (a field of another type than declared would give one)."""
    best = sample_ranker.rank(parse_household(HOUSEHOLDS["plain"], profile)).results
    held_ids = {r.flat_id for r in best[:3]}
    beinum = next(
        str(f) for f, c in zip(sample_ranker.ids, sample_ranker.district, strict=True) if c == "BEI"
    )
    answers: list[BaseModel] = []
    with use_language(language), warnings.catch_warnings():
        warnings.simplefilter("error")
        for data in HOUSEHOLDS.values():
            household = parse_household(data, profile)
            answers.append(sample_ranker.rank(household, limit=25))
            answers.append(sample_ranker.rank(household, limit=25, held=held_ids))
            for flat in (beinum, *held_ids):
                answers.append(sample_ranker.score_flat(flat, household, held=held_ids))
        encoded = [(a.model_dump_json(), _validated_json(a)) for a in answers]
        spliced = [ranking_json(a) for a in answers if isinstance(a, Ranking)]
    rankings = [a for a in answers if isinstance(a, Ranking)]
    assert any(r.full_services for r in rankings) and any(r.excluded.held for r in rankings)
    assert any(f.wish for r in rankings for f in r.results)
    assert any(not c.passed for a in answers if not isinstance(a, Ranking) for c in a.constraints)
    for fast, plain in encoded:
        assert fast == plain
    plain_rankings = [
        plain for a, (_, plain) in zip(answers, encoded, strict=True) if isinstance(a, Ranking)
    ]
    assert spliced == [p.encode() for p in plain_rankings]


def test_a_trusted_build_needs_every_field_in_order() -> None:
    """A field missing or out of the model's order is a ValueError, not a wrong answer."""
    assert ConstraintResult.trusted({"name": "free", "passed": True, "detail": "x"}).passed
    with pytest.raises(ValueError, match="ConstraintResult"):
        ConstraintResult.trusted({"name": "free", "passed": True})
    with pytest.raises(ValueError, match="ConstraintResult"):
        ConstraintResult.trusted({"passed": True, "name": "free", "detail": "x"})
