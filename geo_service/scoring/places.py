"""The nearest places a flat's explanation lists, per category: they depend only on the flat,
the household's languages and the profile, so a ranker builds them once per flat, language set
and language of the answer (their notes are words) and every later explanation reuses the
(immutable) result models."""

from __future__ import annotations

import threading

import numpy as np
from pydantic import TypeAdapter

from geo_service.i18n import current_language
from geo_service.scoring.decay import decay
from geo_service.scoring.explain import place_note
from geo_service.scoring.nearest import Nearest
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import NearestPlace
from geo_service.transit.words import access_words


class Places(dict[str, list[NearestPlace]]):
    """A flat's nearest places per category (never changed once built), which keeps its JSON
    once encoded: most of a ranking's answer, shared by every household speaking the same
    languages."""

    __slots__ = ("_json",)

    def json(self) -> bytes:
        """These places as JSON, as ``RankedFlat.nearest`` encodes them (encoded once)."""
        try:
            return self._json
        except AttributeError:
            self._json: bytes = _PLACES_JSON.dump_json(self)
            return self._json


_PLACES_JSON = TypeAdapter(dict[str, list[NearestPlace]])

# Flats whose places one language set keeps (a ranking explains its few best flats; a flat's
# places are some 45 small models, so this stays within a few megabytes).
MAX_FLATS = 4096


class PlaceCache:
    """The nearest places of flats (by position) for one language set, built on demand."""

    def __init__(self, profile: ScoringProfile, nearest: dict[str, Nearest]) -> None:
        """Places from ``nearest`` (the language set's targets) under ``profile``."""
        self.profile = profile
        self.nearest = nearest
        self._built: dict[tuple[str, int], Places] = {}
        self._lock = threading.Lock()

    def of(self, rows: list[int]) -> list[Places]:
        """The places of the flats at ``rows`` in the current language (built in one numpy
        pass for those missing)."""
        lang = current_language()
        built = self._built
        missing = [i for i in dict.fromkeys(rows) if (lang, i) not in built]
        if missing:
            fresh = {(lang, i): p for i, p in zip(missing, self._build(missing), strict=True)}
            with self._lock:
                if len(self._built) + len(fresh) > MAX_FLATS:
                    self._built = {}
                self._built.update(fresh)
            built = {**self._built, **fresh}
        return [built[lang, i] for i in rows]

    def _build(self, rows: list[int]) -> list[Places]:
        """Per flat in ``rows``: each category's counted places, nearest first."""
        p = self.profile
        out: list[Places] = [Places() for _ in rows]
        for c in p.names():
            rank_weights = p.categories[c].rank_weights
            full, zero = p.full_m(c), p.zero_m(c)
            n = self.nearest[c]
            if n.detail is not None:
                for r, places in zip(rows, out, strict=True):
                    reached = n.target[r, 0] >= 0 and np.isfinite(n.dist[r, 0])
                    places[c] = (
                        [transit_place(n, r, rank_weights[0], full, zero)] if reached else []
                    )
                continue
            dist = n.dist[rows, : len(rank_weights)]
            shares, names = decay(dist, full, zero).tolist(), n.names[rows].tolist()
            for r, places in enumerate(out):
                places[c] = [
                    NearestPlace(
                        name=str(names[r][j]),
                        distance_m=round(d, 1),
                        rank_weight=w,
                        decay=round(shares[r][j], 3),
                        note=place_note(d, shares[r][j], full, zero),
                    )
                    for j, (d, w) in enumerate(zip(dist[r].tolist(), rank_weights, strict=False))
                    if d != np.inf
                ]
        return out


def transit_place(
    n: Nearest, row: int, rank_weight: float, full: float, zero: float
) -> NearestPlace:
    """The place a transit category reaches first from the flat at ``row``, in minutes and
    words ("23 Minuten mit Bus 610, Abfahrt alle 15 Minuten")."""
    assert n.detail is not None
    minutes = float(n.dist[row, 0])
    route = n.detail["route"][row, 0]
    route = route if isinstance(route, str) and route else None
    headway = float(n.detail["headway"][row, 0])
    headway_min = headway if np.isfinite(headway) else None
    metres = float(n.detail["metres"][row, 0])
    share = float(decay(np.array([minutes]), full, zero)[0])
    return NearestPlace(
        name=str(n.names[row, 0]),
        distance_m=round(metres, 1) if np.isfinite(metres) else -1.0,
        rank_weight=rank_weight,
        decay=round(share, 3),
        note=None if minutes <= full else access_words(minutes, route, headway_min, zero),
        travel_min=round(minutes, 1) if np.isfinite(minutes) else None,
        route=route,
        headway_min=headway_min,
        travel=access_words(minutes, route, headway_min, zero),
    )
