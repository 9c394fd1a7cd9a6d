"""The household profile: non-identifying (no names, birth dates or nationality), validated."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geo_service.errors import InputError
from geo_service.scoring.profile import ScoringProfile

LANGUAGE_PATTERN = r"^[a-z]{2,3}$"


class Household(BaseModel):
    """Size, children's ages, languages (ISO 639), needs (profile vocabulary), move-in date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    size: int = Field(ge=1, le=20, description="All persons in the household.")
    children_ages: list[int] = Field(default=[], description="Ages of minors (0-17).")
    languages: list[str] = Field(min_length=1, max_length=10, description="ISO 639-1/-3 codes.")
    needs: list[str] = Field(default=[], description="Closed vocabulary of the scoring profile.")
    move_in: date = Field(description="Earliest move-in date (YYYY-MM-DD).")

    @field_validator("children_ages")
    @classmethod
    def _ages(cls, ages: list[int]) -> list[int]:
        """Children are minors."""
        bad = [a for a in ages if not 0 <= a <= 17]
        if bad:
            raise ValueError(f"child age {bad[0]} is not between 0 and 17")
        return ages

    @field_validator("languages")
    @classmethod
    def _languages(cls, langs: list[str]) -> list[str]:
        """ISO 639-1/-3 codes in lower case."""
        import re

        bad = [x for x in langs if not re.fullmatch(LANGUAGE_PATTERN, x)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an ISO 639 language code (2-3 lower-case letters)")
        return sorted(set(langs))

    @model_validator(mode="after")
    def _children_fit(self) -> Household:
        """There must be at least one adult."""
        if len(self.children_ages) >= self.size:
            raise ValueError("children_ages lists as many minors as the household has persons")
        return self


def _message(exc: ValidationError) -> str:
    """One line naming the field and the problem."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "household"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    return f"household.{where}: {msg}"


def parse_household(data: Any, profile: ScoringProfile) -> Household:
    """Validate a household from a dict or JSON text; needs checked against the profile."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(f"household: not valid JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(data, dict):
        raise InputError("household: expected a JSON object")
    try:
        household = Household.model_validate(data)
    except ValidationError as exc:
        raise InputError(_message(exc)) from None
    unknown = [n for n in household.needs if n not in profile.needs]
    if unknown:
        known = ", ".join(sorted(profile.needs))
        raise InputError(f"household.needs: unknown need {unknown[0]!r} (known: {known})")
    return household
