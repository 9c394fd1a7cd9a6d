"""The household profile: non-identifying (no names, birth dates or nationality), validated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, TypeVar, overload

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from geo_service.codes import CODE_LIST_MAX, CODE_MAX, LANGUAGE_PATTERN, Code
from geo_service.dates import StrictDate
from geo_service.errors import InputError
from geo_service.i18n import _, formats, validation
from geo_service.i18n.languages import language_problem
from geo_service.scoring.profile import ScoringProfile

# The household of the OpenAPI examples (request bodies that carry a household).
HOUSEHOLD_EXAMPLE: dict[str, Any] = {
    "size": 4,
    "children_ages": [3, 8],
    "languages": ["ar", "ku"],
    "needs": [],
    "move_in": "2026-12-01",
}


class Preferences(BaseModel):
    """A household's wishes (optional; no personal data): district codes in the order wished
    and extra weight on scoring categories. They count as a bounded term after the needs and
    the hard constraints (profile ``[preferences]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    districts: list[Annotated[str, Field(min_length=1, max_length=CODE_MAX)]] = Field(
        default=[], max_length=10, description="District codes, the most wished first."
    )
    categories: dict[Annotated[str, Field(max_length=64)], Annotated[float, Field(gt=0)]] = Field(
        default={},
        max_length=30,
        description='Scoring category -> extra weight (e.g. {"language_course": 2.0}).',
    )

    @field_validator("districts")
    @classmethod
    def _once(cls, codes: list[str]) -> list[str]:
        """Each district wished once."""
        if len(set(codes)) < len(codes):
            raise ValueError(_("a district is wished more than once"))
        return codes


class Household(BaseModel):
    """Size, children's ages, languages (ISO 639), needs (profile vocabulary), move-in date.

    Strict: JSON types are never converted (``"size": "4"``, ``"size": true`` and
    ``"move_in": 0`` are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    size: int = Field(ge=1, le=20, description="All persons in the household.")
    children_ages: list[Annotated[int, Field(ge=0, le=17)]] = Field(
        default=[], max_length=19, description="Ages of minors (0-17)."
    )
    languages: list[Annotated[str, Field(json_schema_extra={"pattern": LANGUAGE_PATTERN})]] = Field(
        min_length=1, max_length=10, description="ISO 639-1 codes (or accepted ISO 639-3 codes)."
    )
    needs: list[Code] = Field(
        default=[],
        max_length=CODE_LIST_MAX,
        description="Closed vocabulary of the scoring profile.",
    )
    move_in: StrictDate = Field(
        strict=False,  # the text of a date is converted (a number never is: see dates.py)
        description="Earliest move-in date (YYYY-MM-DD or TT.MM.JJJJ).",
    )
    preferences: Preferences | None = Field(
        None, description="Optional wishes: districts in order, extra weight on categories."
    )

    @field_validator("languages")
    @classmethod
    def _languages(cls, langs: list[str]) -> list[str]:
        """Known ISO 639 codes, each once."""
        for code in langs:
            problem = language_problem(code)
            if problem:
                raise ValueError(problem)
        return sorted(set(langs))

    @model_validator(mode="after")
    def _children_fit(self) -> Household:
        """There must be at least one adult."""
        if len(self.children_ages) >= self.size:
            raise ValueError(_("children_ages lists as many minors as the household has persons"))
        return self


class BatchHousehold(Household):
    """A household of an allocation batch: the profile plus an optional opaque case reference."""

    ref: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Opaque case reference (e.g. a file number, never a name): returned with "
        "the result, stored only as a keyed hash.",
    )

    def profile(self) -> Household:
        """The non-identifying profile without the reference."""
        return Household.model_validate(self.model_dump(exclude={"ref"}))


H = TypeVar("H", bound=Household)


def _message(exc: ValidationError) -> str:
    """One line naming the field and the problem."""
    err = exc.errors()[0]
    if not err["loc"]:
        return _("household: {message}").format(message=validation.message(err))
    return validation.describe(err, validation.field(("household", *err["loc"])))


@overload
def parse_household(data: Any, profile: ScoringProfile) -> Household: ...


@overload
def parse_household(data: Any, profile: ScoringProfile, model: type[H]) -> H: ...


def parse_household(
    data: Any, profile: ScoringProfile, model: type[Household] = Household
) -> Household:
    """Validate a household from a dict or JSON text; needs checked against the profile."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(
                _("household: not valid JSON (at character {position})").format(position=exc.pos)
            ) from None
    if not isinstance(data, dict):
        raise InputError(_("household must be a JSON object"))
    try:
        household = model.model_validate(data)
    except ValidationError as exc:
        raise InputError(_message(exc)) from None
    return check_household(household, profile)


def check_household(household: H, profile: ScoringProfile) -> H:
    """``household`` (validated already, e.g. as part of a request body) when its needs and
    wishes fit the profile, else an InputError: the checks the model cannot make alone."""
    unknown = [n for n in household.needs if n not in profile.needs]
    if unknown:
        known = ", ".join(sorted(profile.needs))
        raise InputError(
            _("household.needs: unknown need “{need}” (known: {known})").format(
                need=unknown[0], known=known
            )
        )
    if household.preferences is not None:
        check_preferences(household.preferences, profile)
    return household


def check_preferences(preferences: Preferences, profile: ScoringProfile) -> None:
    """InputError when the wishes exceed the profile's bounds: more districts than it has
    points for, an unknown category, or an extra weight above its maximum (district codes are
    checked against the districts by the ranker)."""
    rules = profile.preference_rules
    if len(preferences.districts) > len(rules.district_points):
        raise InputError(
            _("household.preferences.districts: at most {n} wished districts").format(
                n=len(rules.district_points)
            )
        )
    for name, weight in preferences.categories.items():
        if name not in profile.categories:
            raise InputError(
                _(
                    "household.preferences.categories: unknown category “{category}” (known: "
                    "{known})"
                ).format(category=name, known=", ".join(profile.names()))
            )
        if weight > rules.max_category_weight:
            raise InputError(
                _(
                    "household.preferences.categories.{category}: extra weight {weight} is "
                    "above the profile's maximum {most}"
                ).format(
                    category=name,
                    weight=formats.number(weight, 1),
                    most=formats.number(rules.max_category_weight, 1),
                )
            )


def read_households(path: Path, profile: ScoringProfile) -> list[BatchHousehold]:
    """Households from JSON (a list, or {"households": [...]}) or CSV (';'-separated lists,
    an optional ``ref`` column with case references)."""
    if not path.exists():
        raise InputError(_("households file not found: {path}").format(path=path))
    if path.suffix.lower() == ".csv":
        import pandas as pd

        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        rows: list[object] = [
            {
                "size": int(r["size"]) if r["size"].isdigit() else r["size"],
                "children_ages": [int(a) for a in r.get("children_ages", "").split(";") if a],
                "languages": [x for x in r.get("languages", "").split(";") if x],
                "needs": [x for x in r.get("needs", "").split(";") if x],
                "move_in": r["move_in"],
                **({"ref": r["ref"]} if r.get("ref") else {}),
            }
            for r in df.to_dict("records")
        ]
    else:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(
                _("{file}: not valid JSON (line {line})").format(file=path.name, line=exc.lineno)
            ) from None
        rows = doc["households"] if isinstance(doc, dict) and "households" in doc else doc
        if not isinstance(rows, list):
            raise InputError(_("{file}: expected a list of households").format(file=path.name))
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(parse_household(row, profile, BatchHousehold))
        except InputError as exc:
            raise InputError(
                _("{file}, household {i}: {message}").format(
                    file=path.name, i=i, message=exc.message
                )
            ) from None
    return out
