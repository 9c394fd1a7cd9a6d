"""Hard constraints of household fit, vectorised over all flats, each with a readable detail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from geo_service.scoring.explain import plural
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


@dataclass(frozen=True)
class Constraint:
    """One hard constraint: a pass mask over flats and a describer for one flat."""

    name: str
    passed: np.ndarray
    describe: Callable[[int], str]


def constraints(f: FlatArrays, household: Household, profile: ScoringProfile) -> list[Constraint]:
    """Evaluate every applicable hard constraint for every flat."""
    b = profile.size_band(household.size)
    move_in = np.datetime64(household.move_in, "D")
    out = [
        Constraint(
            "rooms",
            (f.rooms >= b.rooms_min) & (f.rooms <= b.rooms_max),
            lambda i: f"{plural(f.rooms[i], 'room')}, band {b.rooms_min:g}-{b.rooms_max:g}",
        ),
        Constraint(
            "living_area",
            (f.area >= b.area_min_m2) & (f.area <= b.area_max_m2),
            lambda i: f"{f.area[i]:g} m², band {b.area_min_m2:g}-{b.area_max_m2:g} m²",
        ),
        Constraint(
            "rent_ceiling",
            f.rent <= b.rent_ceiling_eur,
            lambda i: (
                f"{f.rent[i]:.0f} EUR {'<=' if f.rent[i] <= b.rent_ceiling_eur else '>'}"
                f" {b.rent_ceiling_eur:.0f} EUR"
            ),
        ),
        Constraint(
            "available_by_move_in",
            f.available_from <= move_in,
            lambda i: f"available from {f.available_from[i]}, move-in {move_in}",
        ),
    ]
    required = {profile.needs[n].requires for n in household.needs} - {None}
    if "barrier_free" in required:
        out.append(
            Constraint(
                "barrier_free",
                f.barrier_free.astype(bool),
                lambda i: "barrier-free" if f.barrier_free[i] else "not barrier-free",
            )
        )
    if "ground_floor" in required:
        out.append(
            Constraint(
                "ground_floor_or_lift",
                (f.floor <= 0) | f.lift.astype(bool),
                lambda i: f"floor {f.floor[i]}, {'lift' if f.lift[i] else 'no lift'}",
            )
        )
    return out
