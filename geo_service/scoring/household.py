"""The household profile: non-identifying (no names, birth dates or nationality), validated."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, overload

import pandas as pd
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
    where = ".".join(str(p) for p in err["loc"]) or "household"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    return f"household.{where}: {msg}"


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
            raise InputError(f"household: not valid JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(data, dict):
        raise InputError("household: expected a JSON object")
    try:
        household = model.model_validate(data)
    except ValidationError as exc:
        raise InputError(_message(exc)) from None
    unknown = [n for n in household.needs if n not in profile.needs]
    if unknown:
        known = ", ".join(sorted(profile.needs))
        raise InputError(f"household.needs: unknown need {unknown[0]!r} (known: {known})")
    return household


def read_households(path: Path, profile: ScoringProfile) -> list[BatchHousehold]:
    """Households from JSON (a list, or {"households": [...]}) or CSV (';'-separated lists,
    an optional ``ref`` column with case references)."""
    if not path.exists():
        raise InputError(f"households file not found: {path}")
    if path.suffix.lower() == ".csv":
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
                f"{path.name}: not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        rows = doc["households"] if isinstance(doc, dict) and "households" in doc else doc
        if not isinstance(rows, list):
            raise InputError(f"{path.name}: expected a list of households")
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(parse_household(row, profile, BatchHousehold))
        except InputError as exc:
            raise InputError(f"{path.name}, household {i}: {exc.message}") from None
    return out
