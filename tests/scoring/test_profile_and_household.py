"""Profile and household validation: clear errors naming the key or field."""

from __future__ import annotations

import copy
import tomllib

import pytest

from geo_service.config import get_settings
from geo_service.errors import InputError, ProfileError
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import ScoringProfile, parse_profile


@pytest.fixture()
def raw() -> dict:
    """The shipped profile as a plain mapping."""
    return tomllib.loads(get_settings().profile_path.read_text(encoding="utf-8"))


def test_version_is_stable_and_content_based(raw: dict, profile: ScoringProfile) -> None:
    """Same content, same hash; a changed figure, another hash."""
    assert parse_profile(copy.deepcopy(raw)).version == profile.version
    raw["categories"]["kita"]["weight"] = 1.5
    assert parse_profile(raw).version != profile.version


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r["categories"]["kita"].pop("weight"), "categories.kita.weight"),
        (lambda r: r["categories"]["gp"].update(zero_m=-5.0), "categories.gp.zero_m"),
        (lambda r: r["decay"].update(full_m=-1.0), "decay.full_m"),
        (lambda r: r.update(colour="blue"), "colour ist kein bekannter Schlüssel"),
        (
            lambda r: r["district"].update(min_pop=3),
            "district.min_pop ist kein bekannter Schlüssel",
        ),
        (lambda r: r["categories"]["kita"].update(full_m=3000.0), "categories.kita: full_m"),
        (
            lambda r: r["needs"]["near_gp"]["multiply"].update(cinema=2.0),
            "unbekannte Kategorie „cinema“",
        ),
    ],
)
def test_profile_errors_name_the_key(raw: dict, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    """Missing weight, negative distance, unknown key ... fail on load naming the key."""
    mutate(raw)
    with pytest.raises(ProfileError, match=expected.replace("(", r"\(").replace(".", r"\.")):
        parse_profile(raw)


GOOD = {
    "size": 4,
    "children_ages": [3, 8],
    "languages": ["ar"],
    "needs": [],
    "move_in": "2026-12-01",
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": "X"}, "household.name ist kein bekanntes Feld"),
        ({"size": 0}, "household.size"),
        ({"children_ages": [-1]}, "household.children_ages"),
        ({"needs": ["sauna"]}, "„sauna“ ist kein bekannter Bedarf"),
        ({"languages": ["Arabic"]}, "„Arabic“ ist kein Sprachcode; meinten Sie ar (Arabisch)?"),
        ({"languages": []}, "household.languages"),
        ({"move_in": "2026-13-01"}, "household.move_in"),
        ({"children_ages": [1, 2, 3, 4]}, "Haushalt: children_ages nennt so viele Kinder"),
    ],
)
def test_bad_household_gives_one_clear_line(
    profile: ScoringProfile, change: dict, expected: str
) -> None:
    """Every bad household input is an InputError with a one-line message naming the field."""
    with pytest.raises(InputError) as info:
        parse_household({**GOOD, **change}, profile)
    assert expected in info.value.message
    assert "\n" not in info.value.message


def test_household_json_text_is_accepted(profile: ScoringProfile) -> None:
    """JSON text parses to the same household as the mapping."""
    import json

    assert parse_household(json.dumps(GOOD), profile) == parse_household(GOOD, profile)
    with pytest.raises(InputError, match="kein gültiges JSON"):
        parse_household("{size: 4", profile)
