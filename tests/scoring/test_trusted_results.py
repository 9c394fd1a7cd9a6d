"""The ranking builds its explained flats without validating its own data again
(``Result.trusted``): their JSON is byte for byte what validating the same data gives, for
households with and without wishes, with service places full, with flats held, in German and
in English, and so are the answer's bytes with the nearest places spliced in from their kept
JSON (``ranking_json``); every trusted build in the package names its model's fields, all and
in order (checked in the source: the build itself does not check them)."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest
from pydantic import BaseModel

import geo_service
from geo_service.i18n.context import use_language
from geo_service.scoring import results
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker
from geo_service.scoring.ranking_json import ranking_json
from geo_service.scoring.results import Ranking

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


def trusted_builds(root: Path) -> list[tuple[str, str, ast.expr]]:
    """Every ``Model.trusted(...)`` call under ``root``: (where, model name, its argument)."""
    calls = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "trusted"
            ):
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                model = node.func.value
                name = model.id if isinstance(model, ast.Name) else ast.unparse(model)
                assert len(node.args) == 1 and not node.keywords, where
                calls.append((where, name, node.args[0]))
    return calls


def test_every_trusted_build_names_the_model_fields_in_order() -> None:
    """``Result.trusted`` does not check its dict (that cost half of a build): every call in
    the package passes a dict literal whose keys are the model's fields, all, in order."""
    calls = trusted_builds(Path(geo_service.__file__).parent)
    assert len(calls) >= 3  # the category, the constraint and the ranked flat
    for where, name, arg in calls:
        model = getattr(results, name, None)
        assert isinstance(model, type) and issubclass(model, results.Result), where
        assert isinstance(arg, ast.Dict), f"{where}: {name}.trusted needs a dict literal"
        keys = [k.value if isinstance(k, ast.Constant) else None for k in arg.keys]
        assert keys == list(model.model_fields), f"{where}: not {name}'s fields in order"
