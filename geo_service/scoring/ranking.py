"""Rank flats for one household in memory: features loaded once, numpy per request, explained."""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from geo_service.errors import NotFound, NotScored, ProfileError
from geo_service.i18n import _, current_language
from geo_service.scoring.decay import (
    category_value,
    contributions,
    household_weights,
    round_preserving_sum,
    scores,
)
from geo_service.scoring.district_codes import check_codes
from geo_service.scoring.explain import (
    constraint_name,
    decay_rule,
    district_sentence,
    flat_notes,
    ranking_notes,
    summary,
)
from geo_service.scoring.features import INTERPRETING_ONLY, NO_LANGUAGE
from geo_service.scoring.fit import Constraint, FlatArrays, constraints
from geo_service.scoring.household import Household
from geo_service.scoring.nearest import Nearest, merge_nearest
from geo_service.scoring.places import PlaceCache
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import (
    DistrictFactor,
    Exclusions,
    FullDistrict,
    FullService,
    RankedFlat,
    Ranking,
    WishExplanation,
)
from geo_service.scoring.services import full_services, service_note, services_constraint
from geo_service.scoring.wishes import Wishes, wish_sentence, wishes_of

if TYPE_CHECKING:  # pandas is imported where frames are read: a ranker from disk needs none
    import pandas as pd

# District code -> name, factor, utilisation, suppressed, capacity, placements.
DistrictStatus = dict[str, dict[str, Any]]
# Language sets whose nearest targets and category values a ranker keeps (households speak a
# few languages each; the sets that occur are few, and each costs flats x categories floats).
MAX_LANGUAGE_SETS = 32


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one household over all flats; the scores of all flats only
    when asked for (a ranking scores only the flats passing its filters)."""

    passed: np.ndarray  # every hard constraint holds
    checks: list[Constraint]
    nearest: dict[str, Nearest]
    places: PlaceCache  # the explanations' nearest places, kept per language set
    values: np.ndarray  # (n, categories) category values c, 0-1 (Fortran order)
    weights: np.ndarray  # category weights W for the household
    reserved: np.ndarray  # held or confirmed
    factor: np.ndarray  # district factor B per flat
    wishes: Wishes  # the household's wishes (points per flat before eligibility)

    @cached_property
    def score(self) -> np.ndarray:
        """Infrastructure score S of every flat."""
        return np.round(scores(self.values, self.weights), 2)

    @cached_property
    def placement(self) -> np.ndarray:
        """Placement score S x B of every flat."""
        return np.round(self.score * self.factor, 2)

    def scores_of(self, rows: np.ndarray | list[int]) -> tuple[np.ndarray, np.ndarray]:
        """S and S x B of the flats at ``rows`` (equal to ``score[rows]``, ``placement[rows]``)."""
        score = np.round(scores(self.values[rows], self.weights), 2)
        return score, np.round(score * self.factor[rows], 2)

    def wish_of(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """Points the wishes add at ``rows``: nothing where a hard constraint fails or the
        district is at its cap (B = 0), so a wish never lifts a flat past either."""
        counted = self.passed[rows] & (self.factor[rows] > 0)
        return np.where(counted, np.round(self.wishes.total(rows), 2), 0.0)

    def ranking_of(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """What a ranking orders by at ``rows``: placement score plus the wishes' points."""
        return np.round(self.scores_of(rows)[1] + self.wish_of(rows), 2)

    def points(self, rows: list[int]) -> np.ndarray:
        """The unrounded contribution points of the flats at ``rows`` (categories as
        columns): only the flats explained need them, not all."""
        return contributions(np.ascontiguousarray(self.values[rows]), self.weights)


@dataclass(frozen=True)
class Selection:
    """The flats a ranking keeps (positions, best first) and its counts, not yet explained."""

    evaluation: Evaluation
    chosen: list[int]
    ranking: Ranking


class Ranker:
    """Flats, their stored features and district status as arrays, ready to rank."""

    def __init__(
        self,
        profile: ScoringProfile,
        flats: pd.DataFrame,
        features: pd.DataFrame,
        status: DistrictStatus,
        data_timestamp: datetime | None,
    ) -> None:
        """Index everything by flat position; ``flats`` must be sorted by id."""
        import pandas as pd

        self.profile = profile
        self.data_timestamp = data_timestamp.isoformat() if data_timestamp else None
        self.ids = flats["id"].to_numpy(object)
        self.position = {fid: i for i, fid in enumerate(self.ids)}
        # each flat's place among the ids in Python's string order: ties are broken by id
        # with integers (the database's collation may order the ids otherwise)
        self.id_order = np.empty(len(self.ids), dtype=np.int64)
        self.id_order[np.argsort(self.ids, kind="stable")] = np.arange(len(self.ids))
        self.arrays = FlatArrays(
            flats["rooms"].to_numpy(float),
            flats["living_area_m2"].to_numpy(float),
            flats["rent_gross_cold_eur"].to_numpy(float),
            flats["floor"].to_numpy(int),
            flats["lift"].to_numpy(bool),
            flats["barrier_free"].to_numpy(bool),
            pd.to_datetime(flats["available_from"]).to_numpy().astype("datetime64[D]"),
        )
        self.on_offer = flats["available"].to_numpy(bool)
        address = flats.get("address", pd.Series(None, index=flats.index, dtype=object))
        self.addresses = address.astype(object).where(address.notna(), None).to_numpy(object)
        self.district = flats["district_code"].to_numpy(object)
        self.district_index, codes = pd.factorize(flats["district_code"])
        self.district_codes = np.asarray(codes, dtype=object)
        self._set_status(status)
        # transit categories name their mode per category; the ranking's mode is the walk's
        self.modes = set(features["distance_mode"]) - {"transit"} or {profile.distance_mode}
        self.distance_mode = ",".join(sorted(self.modes))
        self._rules: dict[tuple[str, str], str] = {}  # (language, category): rule in words
        # the profile versions the stored features were computed with (one after a full run)
        self.feature_versions: set[str] = set(features.get("profile_version", ()))
        snap = features.groupby("flat_id")["snap_m"].first() if "snap_m" in features else {}
        self.snap_m = flats["id"].map(snap).to_numpy(float)  # NaN: straight line
        self.unreachable = self.snap_m > profile.network_rules.snap_limit_m
        self.sets = self._index_features(features)
        self._by_languages: OrderedDict[tuple[str, ...], tuple[PlaceCache, np.ndarray]]
        self._by_languages = OrderedDict()

    def _set_status(self, status: DistrictStatus) -> None:
        """District names, factors and utilisation, and each flat's factor B."""
        self.districts = status
        self._district_parts: dict[tuple[str, str], DistrictFactor] = {}
        per_code = np.array(
            [status.get(c, {}).get("factor", 0.0) for c in self.district_codes] + [0.0]
        )
        self.factor = per_code[self.district_index]  # index -1 (no district) takes the 0.0

    def with_status(self, status: DistrictStatus) -> Ranker:
        """A copy sharing the feature arrays, with a fresh district status."""
        twin = copy.copy(self)
        twin._set_status(status)
        return twin

    def with_profile(self, profile: ScoringProfile) -> Ranker:
        """A copy sharing the feature arrays, scored with ``profile`` (e.g. other decay metres);
        it must keep the categories and ``k_nearest`` the features were computed for."""
        if profile.names() != self.profile.names() or profile.k_nearest != self.profile.k_nearest:
            raise ProfileError(_("a re-scoring profile must keep the categories and k_nearest"))
        twin = copy.copy(self)
        twin.profile = profile
        twin._by_languages = OrderedDict()  # the values depend on the profile's decay metres
        twin._district_parts = {}  # the district sentences on its district rules
        twin._rules = {}
        return twin

    def _index_features(self, features: pd.DataFrame) -> dict[tuple[str, str], Nearest]:
        """Arrays (flats x k) per (category, language) from the flat_features rows."""
        k = self.profile.k_nearest
        numbers = {
            t: i
            for i, t in enumerate(sorted({t for ts in features["target_ids"] for t in ts if t}))
        }
        out = {}
        for (cat, lang), g in features.groupby(["category", "language"], sort=False):
            rows = g["flat_id"].map(self.position).to_numpy()
            dist = np.full((len(self.ids), k), np.inf)
            target = np.full((len(self.ids), k), -1, dtype=np.int64)
            names = np.full((len(self.ids), k), "", dtype=object)
            dist[rows] = np.array(g["distances_m"].tolist(), dtype=float)[:, :k]
            target[rows] = np.array(
                [[numbers.get(t, -1) for t in ts[:k]] for ts in g["target_ids"]]
            )
            names[rows] = np.array([ns[:k] for ns in g["target_names"]], dtype=object)
            detail = None
            if self.profile.is_transit(str(cat)) and "travel_min" in g:
                detail = {
                    "metres": dist.copy(),
                    "route": np.full((len(self.ids), k), None, dtype=object),
                    "headway": np.full((len(self.ids), k), np.nan),
                }
                dist[:, 1:] = np.inf
                dist[rows, 0] = g["travel_min"].to_numpy(float)
                detail["route"][rows, 0] = g["transit_route"].to_numpy(object)
                detail["headway"][rows, 0] = g["transit_headway_min"].to_numpy(float)
            out[(str(cat), str(lang))] = Nearest(dist, target, names, detail)
        return out

    def _nearest(self, category: str, languages: list[str]) -> Nearest:
        """Nearest targets of a category as counted for a household speaking ``languages``."""
        if self.profile.categories[category].kind == "amenity":
            keys = [NO_LANGUAGE]
        else:
            keys = sorted(
                {lg if (category, lg) in self.sets else INTERPRETING_ONLY for lg in languages}
            )
        parts = [self.sets[(category, key)] for key in keys if (category, key) in self.sets]
        if not parts:
            raise NotScored(
                _("no features for “{category}” yet: run `geo-service score` first").format(
                    category=category
                )
            )
        return merge_nearest(parts, self.profile.k_nearest)

    def _per_languages(self, languages: list[str]) -> tuple[PlaceCache, np.ndarray]:
        """Nearest targets per category and the (flats x categories) category values for a
        household speaking ``languages``: computed once per language set and kept (bounded),
        so a request only weighs them."""
        key = tuple(sorted(set(languages)))
        hit = self._by_languages.get(key)
        if hit is None:
            p = self.profile
            nearest = {c: self._nearest(c, list(key)) for c in p.names()}
            values = np.asfortranarray(
                np.column_stack(
                    [
                        category_value(
                            nearest[c].dist, p.categories[c].rank_weights, p.full_m(c), p.zero_m(c)
                        )
                        for c in p.names()
                    ]
                )
            )  # a column per category: scores are summed column by column
            hit = (PlaceCache(p, nearest), values)
            self._by_languages[key] = hit
            while len(self._by_languages) > MAX_LANGUAGE_SETS:
                self._by_languages.popitem(last=False)
        return hit

    def reserved_mask(self, held: set[str] | None) -> np.ndarray:
        """True at the positions of the ``held`` flats (ids not loaded are ignored)."""
        reserved = np.zeros(len(self.ids), dtype=bool)
        rows = [self.position[f] for f in held or () if f in self.position]
        reserved[rows] = True
        return reserved

    def evaluate(self, household: Household, held: set[str] | None = None) -> Evaluation:
        """Scores, placement scores and constraint results of every flat for ``household``."""
        p = self.profile
        if household.preferences is not None:
            check_codes(
                household.preferences.districts,
                self.districts,
                self.district_codes,
                "household.preferences.districts",
            )
        places, values = self._per_languages(household.languages)
        weights = household_weights(p, household)
        reserved = self.reserved_mask(held)
        free = self.on_offer & ~reserved
        checks = [
            Constraint("free", free, lambda i: _availability(free[i], reserved[i])),
            *constraints(self.arrays, household, p),
        ]
        services = services_constraint(
            p, household, self.districts, list(self.district_codes), self.district_index
        )
        if services is not None:
            checks.append(services)
        passed = np.logical_and.reduce([c.passed for c in checks])
        wishes = wishes_of(household, p, self.district, values)
        return Evaluation(
            passed, checks, places.nearest, places, values, weights, reserved, self.factor, wishes
        )

    def _categories(
        self, ev: Evaluation, rows: list[int]
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Per flat position in ``rows``: the nearest places counted (kept per language set)
        and each category's explanation as plain data (one numpy pass per category for all
        rows; validated into the result model once per flat)."""
        p, lang = self.profile, current_language()
        pts = round_preserving_sum(ev.points(rows)).tolist()
        values = ev.values[rows].tolist()
        total = float(ev.weights.sum())
        out: list[tuple[dict[str, Any], dict[str, Any]]] = [
            (dict(places), {}) for places in ev.places.of(rows)
        ]
        for k, c in enumerate(p.names()):
            weight = float(ev.weights[k])
            same = {  # what every flat's explanation of the category shares
                "weight": round(weight, 3),
                "max_points": round(100.0 * weight / total, 2) if total > 0 else 0.0,
                "full_m": p.full_m(c),
                "zero_m": p.zero_m(c),
                "rule": self._rules.get((lang, c))
                or self._rules.setdefault((lang, c), decay_rule(p, c)),
                "unit": p.unit(c),
            }
            for r, (_places, categories) in enumerate(out):
                categories[c] = {**same, "points": pts[r][k], "value": round(values[r][k], 3)}
        return out

    def explain(self, ev: Evaluation, i: int, rank: int | None) -> RankedFlat:
        """The ranked-flat output shape for flat position ``i``, explained in numbers and words."""
        return self.explain_many(ev, [i], [rank])[0]

    def explain_many(
        self, ev: Evaluation, rows: list[int], ranks: Sequence[int | None]
    ) -> list[RankedFlat]:
        """The explained flats at positions ``rows`` with their ``ranks``."""
        score, placement = ev.scores_of(rows)
        return [
            self._flat(ev, i, rank, scored, nearest, categories)
            for i, rank, scored, (nearest, categories) in zip(
                rows,
                ranks,
                zip(score.tolist(), placement.tolist(), strict=True),
                self._categories(ev, rows),
                strict=True,
            )
        ]

    def _flat(
        self,
        ev: Evaluation,
        i: int,
        rank: int | None,
        scored: tuple[float, float],
        nearest: dict[str, Any],
        categories: dict[str, Any],
    ) -> RankedFlat:
        """One explained flat from its scores (S, S x B) and category explanations."""
        district = self._district(self.district[i])
        eligible = bool(ev.passed[i])
        score, placement = scored[0], scored[1] if eligible else 0.0
        wish = float(ev.wish_of([i])[0])
        checks = [(c.name, bool(c.passed[i]), c.describe(i)) for c in ev.checks]
        failed = [
            f"{constraint_name(name)} ({detail})" for name, passed, detail in checks if not passed
        ]
        return RankedFlat.model_validate(
            {
                "flat_id": str(self.ids[i]),
                "address": self.addresses[i],
                "rank": rank,
                "placement_score": placement,
                "infrastructure_score": score,
                "district": district,
                "contributions": {c: e["points"] for c, e in categories.items()},
                "nearest": nearest,
                "categories": categories,
                "constraints": [
                    {"name": name, "passed": passed, "detail": detail}
                    for name, passed, detail in checks
                ],
                "eligible": eligible,
                "summary": summary(placement, score, district.factor, eligible),
                "notes": flat_notes(
                    failed,
                    district.factor,
                    bool(self.unreachable[i]),
                    district.name or district.code,
                ),
                "ranking_score": round(placement + wish, 2),
                "wish": self._wish(ev, i, wish, eligible, district),
                "distance_mode": self.distance_mode,
                "snap_m": None if np.isnan(self.snap_m[i]) else round(float(self.snap_m[i]), 1),
                "unreachable": bool(self.unreachable[i]),
                "profile_version": self.profile.version,
                "data_timestamp": self.data_timestamp,
            }
        )

    def _wish(
        self, ev: Evaluation, i: int, points: float, eligible: bool, district: DistrictFactor
    ) -> WishExplanation | None:
        """How much the household's wishes counted at flat ``i`` (None: it stated none)."""
        wishes = ev.wishes
        if not wishes.stated:
            return None
        counted = eligible and district.factor > 0
        rank = int(wishes.district_rank[i])
        labels = {c.key: c.label for c in self.profile.category_list()}
        return WishExplanation(
            points=points,
            max_points=wishes.rules.max_points,
            district_rank=rank or None,
            district_points=float(wishes.district[i]) if counted else 0.0,
            categories=wishes.category_parts(i) if counted else {},
            explanation=wish_sentence(
                wishes, i, counted, district.name or district.code or "-", labels, eligible
            ),
        )

    def _district(self, code: str) -> DistrictFactor:
        """The district part of an explanation: one per district, status and language, shared."""
        key = (current_language(), code)
        hit = self._district_parts.get(key)
        if hit is None:
            info = {"code": code, **self.districts.get(code, {})}
            hit = DistrictFactor(
                code=code,
                name=info.get("name"),
                factor=round(float(info.get("factor", 0.0)), 4),
                utilisation=round(float(info.get("utilisation", 0.0)), 4),
                capacity=info.get("capacity"),
                placements=info.get("placements"),
                explanation=district_sentence(info, self.profile),
            )
            self._district_parts[key] = hit
        return hit

    def check_districts(self, codes: list[str] | None) -> None:
        """400 naming every unknown district code of a request."""
        check_codes(codes, self.districts, self.district_codes)

    def select(
        self,
        household: Household,
        limit: int | None = 10,
        districts: list[str] | None = None,
        override_cap: bool = False,
        held: set[str] | None = None,
    ) -> Selection:
        """The top flats passing every filter (best placement first, ties by flat id) and the
        ranking's counts of the flats left out by reason, not yet explained."""
        self.check_districts(districts)
        ev = self.evaluate(household, held)
        n = len(self.ids)
        fits = np.logical_and.reduce([c.passed for c in ev.checks if c.name != "free"])
        inside = np.isin(self.district, districts) if districts else np.ones(n, dtype=bool)
        full = (self.factor <= 0) & (not override_cap)
        left = np.ones(n, dtype=bool)
        counts = {}
        for reason, out in (
            ("outside_districts", ~inside),
            ("not_on_offer", ~self.on_offer),
            ("held", ev.reserved),
            ("constraint", ~fits),
            ("district_full", full),
        ):
            counts[reason] = int(np.count_nonzero(left & out))
            left &= ~out
        free = inside & self.on_offer & ~ev.reserved
        failed = {
            c.name: int(np.count_nonzero(free & ~c.passed)) for c in ev.checks if c.name != "free"
        }
        full_districts = self._full_districts(free & fits & (self.factor <= 0))
        services = next((c.passed for c in ev.checks if c.name == "services"), None)
        short = self.full_services_of(household, ev, free & (self.factor > 0), services)
        idx = np.flatnonzero(left)
        chosen = top(idx, ev.ranking_of(idx), self.id_order, limit)
        excluded = Exclusions(**counts)
        ranking = Ranking(
            results=[],
            profile_version=self.profile.version,
            data_timestamp=self.data_timestamp,
            considered=n,
            eligible=len(idx),
            excluded=excluded,
            failed_constraints=failed,
            full_districts=full_districts,
            full_services=short,
            notes=ranking_notes(
                returned=len(chosen),
                limit=n if limit is None else limit,
                considered=n,
                excluded=excluded,
                failed=failed,
                full=full_districts,
                move_in=household.move_in,
                today=date.today(),
                override_cap=override_cap,
            )
            + [service_note(s) for s in short],
        )
        return Selection(ev, chosen, ranking)

    def full_services_of(
        self,
        household: Household,
        ev: Evaluation,
        free: np.ndarray,
        services: np.ndarray | None,
    ) -> list[FullService]:
        """The districts whose service places the household needs are taken, among the free
        flats in districts below their cap that fit it but for those places."""
        if services is None:
            return []
        others = [c.passed for c in ev.checks if c.name not in ("free", "services")]
        mask = free & np.logical_and.reduce(others) & ~services
        return full_services(
            self.profile,
            household,
            self.districts,
            list(self.district_codes),
            self.district_index,
            mask,
        )

    def rank(
        self,
        household: Household,
        limit: int = 10,
        districts: list[str] | None = None,
        override_cap: bool = False,
        held: set[str] | None = None,
    ) -> Ranking:
        """Top flats passing every filter, explained, with the flats left out counted by
        reason; unknown district codes are a 400 naming them."""
        sel = self.select(household, limit, districts, override_cap, held)
        ranks = list(range(1, len(sel.chosen) + 1))
        results = self.explain_many(sel.evaluation, sel.chosen, ranks)
        return sel.ranking.model_copy(update={"results": results})

    def table(self, sel: Selection) -> pd.DataFrame:
        """A selection as one row per flat (rank, scores, district, points per category),
        without the words: for analysts ranking thousands of flats at once."""
        import pandas as pd

        ev, rows = sel.evaluation, sel.chosen
        names = self.profile.names()
        points = round_preserving_sum(ev.points(rows)) if rows else np.zeros((0, len(names)))
        score, placement = ev.scores_of(rows)
        info = [self.districts.get(c, {}) for c in self.district[rows]]
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(rows) + 1),
                "flat_id": self.ids[rows].astype(str),
                "address": self.addresses[rows],
                "placement_score": placement,
                "infrastructure_score": score,
                "district_code": self.district[rows],
                "district_name": [i.get("name") for i in info],
                "district_factor": np.round(self.factor[rows], 4),
                "utilisation": [round(float(i.get("utilisation", 0.0)), 4) for i in info],
                **{f"points_{c}": points[:, k] for k, c in enumerate(names)},
                "profile_version": self.profile.version,
            }
        )

    def _full_districts(self, mask: np.ndarray) -> list[FullDistrict]:
        """The districts at their cap among the flats of ``mask``, with how many fit there."""
        codes = self.district_index[mask]
        counts = np.bincount(codes[codes >= 0], minlength=len(self.district_codes))
        found = {str(self.district_codes[i]): int(n) for i, n in enumerate(counts) if n}
        return [
            FullDistrict(
                code=code,
                name=self.districts.get(code, {}).get("name"),
                utilisation=round(float(self.districts.get(code, {}).get("utilisation", 1.0)), 4),
                fitting_flats=count,
            )
            for code, count in sorted(found.items())
        ]

    def address(self, flat_id: str) -> str | None:
        """The address of a loaded flat (None when it has none or is not loaded)."""
        i = self.position.get(flat_id)
        return None if i is None else self.addresses[i]

    def score_flat(
        self, flat_id: str, household: Household, held: set[str] | None = None
    ) -> RankedFlat:
        """The explanation of one flat, whether or not it passes (placement 0 when it fails)."""
        if flat_id not in self.position:
            raise NotFound(_("there is no flat {flat_id}").format(flat_id=flat_id))
        ev = self.evaluate(household, held)
        return self.explain(ev, self.position[flat_id], None)


def _availability(free: bool, reserved: bool) -> str:
    """The 'free' constraint's detail."""
    if free:
        return _("on offer and not reserved")
    if reserved:
        return _("held, placed or offered to a waiting household")
    return _("no longer on offer")


def top(rows: np.ndarray, score: np.ndarray, ids: np.ndarray, limit: int | None) -> list[int]:
    """The ``limit`` best of ``rows`` by ``score`` (one per row; highest first, ties by
    ``ids[row]``, e.g. ``Ranker.id_order``): a partial sort keeps the candidates down to those
    scoring at least the limit-th best (all its ties kept), and only those are sorted."""
    if limit is not None and limit <= 0:
        return []
    if limit is not None and limit < len(rows):
        threshold = np.partition(score, len(score) - limit)[len(score) - limit]
        keep = score >= threshold
        rows, score = rows[keep], score[keep]
    return rows[np.lexsort((ids[rows], -score))[:limit]].tolist()
