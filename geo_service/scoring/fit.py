"""Hard constraints of household fit, vectorised over all flats, each with a readable detail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from geo_service.i18n import _, current_language, ngettext
from geo_service.i18n.formats import day, number
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile


@dataclass(frozen=True)
class FlatArrays:
    """Flat attributes as arrays (one element per flat)."""

    rooms: np.ndarray
    area: np.ndarray
    rent: np.ndarray
    floor: np.ndarray
    lift: np.ndarray
    barrier_free: np.ndarray
    available_from: np.ndarray  # numpy datetime64[D]
    # per size band (rooms, area and rent limits): its rooms, living-area and rent masks,
    # made once (a profile has a few bands; every household of a band shares them)
    bands: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def band_masks(
        self, rooms: tuple[float, float], area: tuple[float, float], rent: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which flats have rooms and living area within the limits and a rent within the
        ceiling (read-only arrays, shared)."""
        key = (*rooms, *area, rent)
        masks = self.bands.get(key)
        if masks is None:
            masks = (
                (self.rooms >= rooms[0]) & (self.rooms <= rooms[1]),
                (self.area >= area[0]) & (self.area <= area[1]),
                self.rent <= rent,
            )
            for mask in masks:
                mask.flags.writeable = False
            self.bands[key] = masks
        return masks


@dataclass(frozen=True)
class Constraint:
    """One hard constraint: a pass mask over flats and a describer for one flat."""

    name: str
    passed: np.ndarray
    describe: Callable[[int], str]


def all_of(masks: list[np.ndarray]) -> np.ndarray:
    """True where every one of ``masks`` is (a new array; at least one mask)."""
    out = masks[0].copy()
    for mask in masks[1:]:
        out &= mask
    return out


def constraints(f: FlatArrays, household: Household, profile: ScoringProfile) -> list[Constraint]:
    """Evaluate every applicable hard constraint for every flat (details in the current
    language, each worded once per value and language: explanations repeat them)."""
    b = profile.size_band(household.size)
    move_in = np.datetime64(household.move_in, "D")
    lang = current_language()
    rooms, area, rent = f.band_masks(
        (b.rooms_min, b.rooms_max), (b.area_min_m2, b.area_max_m2), b.rent_ceiling_eur
    )
    out = [
        Constraint(
            "rooms",
            rooms,
            lambda i: _rooms(float(f.rooms[i]), b.rooms_min, b.rooms_max, lang),
        ),
        Constraint(
            "living_area",
            area,
            lambda i: _area(float(f.area[i]), b.area_min_m2, b.area_max_m2, lang),
        ),
        Constraint(
            "rent_ceiling",
            rent,
            lambda i: _rent(float(f.rent[i]), b.rent_ceiling_eur, lang),
        ),
        Constraint(
            "available_by_move_in",
            f.available_from <= move_in,
            lambda i: _available(f.available_from[i], household.move_in, lang),
        ),
    ]
    required = {profile.needs[n].requires for n in household.needs} - {None}
    if "barrier_free" in required:
        out.append(
            Constraint(
                "barrier_free",
                f.barrier_free.astype(bool),
                lambda i: _("barrier-free") if f.barrier_free[i] else _("not barrier-free"),
            )
        )
    if "ground_floor" in required:
        out.append(
            Constraint(
                "ground_floor_or_lift",
                (f.floor <= 0) | f.lift.astype(bool),
                lambda i: _floor(int(f.floor[i]), bool(f.lift[i]), lang),
            )
        )
    return out


def _amount(value: float) -> str:
    """A number without needless decimals ("3", "2,5")."""
    return number(value, 0 if float(value).is_integer() else 1)


@lru_cache(maxsize=4096)
def _rooms(rooms: float, low: float, high: float, lang: str) -> str:
    """The rooms against the household's band: "1 Zimmer, erlaubt 1–2" (``lang`` keys the
    cache: it is the current language)."""
    n = _amount(rooms)
    text = ngettext("{n} room", "{n} rooms", 1 if rooms == 1 else 2).format(n=n)
    return _("{rooms}, allowed {low}–{high}").format(
        rooms=text, low=_amount(low), high=_amount(high)
    )


@lru_cache(maxsize=4096)
def _area(area: float, low: float, high: float, lang: str) -> str:
    """The living area against the band: "65,2 m², erlaubt 45–75 m²"."""
    return _("{area} m², allowed {low}–{high} m²").format(
        area=_amount(area), low=_amount(low), high=_amount(high)
    )


@lru_cache(maxsize=4096)
def _rent(rent: float, ceiling: float, lang: str) -> str:
    """The rent against the ceiling: "Miete 512 €, Obergrenze 600 €"."""
    return _("rent {rent} €, ceiling {ceiling} €").format(
        rent=number(rent, 0), ceiling=number(ceiling, 0)
    )


@lru_cache(maxsize=4096)
def _available(available: np.datetime64, move_in: date, lang: str) -> str:
    """When the flat is free against the move-in date (``available`` as the flats' array
    holds it: converted only when not worded yet)."""
    return _("free from {available}, move-in from {move_in}").format(
        available=day(available.astype(object)), move_in=day(move_in)
    )


@lru_cache(maxsize=64)
def _floor(floor: int, lift: bool, lang: str) -> str:
    """The floor and the lift in words ("Erdgeschoss", "2. Stock, kein Aufzug")."""
    where = _("ground floor") if floor <= 0 else _("floor {n}").format(n=floor)
    return (
        _("{floor}, lift").format(floor=where)
        if lift
        else _("{floor}, no lift").format(floor=where)
    )
