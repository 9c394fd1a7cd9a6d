"""Which newly placed household each bridge builder accompanies: only volunteers who share a
language with the household qualify; as many households as possible get one, then the total
distance (volunteer's home to the flat) is smallest, within every volunteer's capacity. Solved
with the allocation's solver (HiGHS, lexicographic), each volunteer expanded into capacity
slots; every assignment and every household left without one is explained."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from pydantic import Field
from scipy.spatial.distance import cdist
from sqlalchemy import Connection, Engine, func, select

from geo_service.allocation.solver import solve_optimal
from geo_service.db import models
from geo_service.db.engine import connected
from geo_service.i18n import _, current_language
from geo_service.maps.labels import labels_for
from geo_service.scoring.results import Result


class Home(Result):
    """A newly placed household: its reservation, flat, district and languages (no names)."""

    reservation_id: str
    flat_id: str
    district_code: str | None
    languages: list[str]


class BridgeAssignment(Result):
    """One recommended pairing, explained."""

    household: Home
    volunteer_id: str
    language: str = Field(description="The language they share.")
    distance_m: float = Field(description="Straight line from the volunteer's home to the flat.")
    explanation: str


class WithoutBridge(Result):
    """A household no volunteer can accompany, and why."""

    household: Home
    reason: str


class BridgeRecommendation(Result):
    """Recommended bridge builders for the households placed since a date."""

    since: datetime
    households: int
    volunteers: int
    capacity: int
    matched: int
    total_distance_m: float
    assignments: list[BridgeAssignment]
    without: list[WithoutBridge]
    solver: str = "HiGHS (scipy.optimize.milp): first most households matched, then least distance"


def newly_placed(bind: Engine | Connection, since: datetime) -> tuple[list[Home], np.ndarray]:
    """Households whose reservation was confirmed since ``since`` (and still is), with their
    flats' coordinates (storage CRS, m)."""
    r, f = models.reservations, models.flats
    query = (
        select(
            r.c.id,
            r.c.flat_id,
            r.c.district_code,
            r.c.household,
            func.ST_X(f.c.geom),
            func.ST_Y(f.c.geom),
        )
        .join(f, f.c.id == r.c.flat_id)
        .where(r.c.status == "confirmed", r.c.confirmed_at >= since)
        .order_by(r.c.confirmed_at, r.c.id)
    )
    with connected(bind) as conn:
        rows = conn.execute(query).all()
    homes = [
        Home(
            reservation_id=str(row[0]),
            flat_id=row[1],
            district_code=row[2],
            languages=list((row[3] or {}).get("languages") or []),
        )
        for row in rows
    ]
    return homes, np.array([row[4:] for row in rows], dtype=float).reshape(-1, 2)


def active_volunteers(bind: Engine | Connection) -> tuple[list[dict], np.ndarray]:
    """Active volunteers (id, languages, capacity) and their homes (storage CRS, m)."""
    v = models.volunteers
    with connected(bind) as conn:
        rows = conn.execute(
            select(v.c.id, v.c.languages, v.c.capacity, func.ST_X(v.c.geom), func.ST_Y(v.c.geom))
            .where(v.c.active)
            .order_by(v.c.id)
        ).all()
    people = [{"id": r[0], "languages": list(r[1]), "capacity": int(r[2])} for r in rows]
    return people, np.array([r[3:] for r in rows], dtype=float).reshape(-1, 2)


def shared_language(household: list[str], volunteer: list[str]) -> str | None:
    """The household's first language the volunteer speaks (households list theirs in order)."""
    return next((lang for lang in household if lang in volunteer), None)


def match_matrix(
    homes: list[list[str]], hxy: np.ndarray, people: list[dict], vxy: np.ndarray
) -> np.ndarray:
    """Distances (m) of the qualifying pairs (a shared language), NaN elsewhere."""
    dist = cdist(hxy, vxy) if len(hxy) and len(vxy) else np.zeros((len(hxy), len(vxy)))
    speaks = np.array(
        [[shared_language(h, p["languages"]) is not None for p in people] for h in homes],
        dtype=bool,
    ).reshape(len(homes), len(people))
    return np.where(speaks, dist, np.nan)


def assign(distances: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """The volunteer (column) of each household (row), -1 for none: most households matched,
    then least total distance, each volunteer within capacity (HiGHS over capacity slots)."""
    n_h, n_v = distances.shape
    if n_h == 0 or n_v == 0 or capacity.sum() == 0:
        return np.full(n_h, -1)
    owner = np.repeat(np.arange(n_v), capacity)  # slot -> volunteer
    scores = -distances[:, owner] / 1000.0  # km, so the objective stays well scaled
    solution = solve_optimal(scores, owner, capacity.astype(float), placed_first=True)
    return np.where(solution.flat_of >= 0, owner[np.maximum(solution.flat_of, 0)], -1)


def recommend(bind: Engine | Connection, since: datetime) -> BridgeRecommendation:
    """Recommended pairings for the households placed since ``since``, with reasons."""
    homes, hxy = newly_placed(bind, since)
    people, vxy = active_volunteers(bind)
    distances = match_matrix([h.languages for h in homes], hxy, people, vxy)
    capacity = np.array([p["capacity"] for p in people], dtype=int)
    chosen = assign(distances, capacity)
    lab = labels_for(current_language())
    load = np.bincount(chosen[chosen >= 0], minlength=len(people))
    assignments, without = [], []
    for i, home in enumerate(homes):
        j = int(chosen[i])
        if j >= 0:
            lang = shared_language(home.languages, people[j]["languages"])
            assert lang is not None
            d = float(distances[i, j])
            assignments.append(
                BridgeAssignment(
                    household=home,
                    volunteer_id=people[j]["id"],
                    language=lang,
                    distance_m=round(d, 1),
                    explanation=_(
                        "speaks {language} like the household; lives {distance} (straight "
                        "line) from the flat; with it accompanies {load} of {capacity} possible "
                        "households"
                    ).format(
                        language=lab.language_name(lang),
                        distance=lab.metres(d),
                        load=load[j],
                        capacity=people[j]["capacity"],
                    ),
                )
            )
            continue
        names = ", ".join(lab.language_name(c) for c in home.languages) or _("not stated")
        speakers = np.isfinite(distances[i]).any() if len(people) else False
        reason = (
            _(
                "every bridge builder speaking {languages} already accompanies as many "
                "households as they can"
            ).format(languages=names)
            if speakers
            else _("no bridge builder speaks {languages}").format(languages=names)
        )
        without.append(WithoutBridge(household=home, reason=reason))
    return BridgeRecommendation(
        since=since,
        households=len(homes),
        volunteers=len(people),
        capacity=int(capacity.sum()),
        matched=len(assignments),
        total_distance_m=round(sum(a.distance_m for a in assignments), 1),
        assignments=assignments,
        without=without,
    )
