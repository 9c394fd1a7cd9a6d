"""Rank flats for one household in memory: the ``Ranker`` holds the flats, their stored
features and the district status as arrays; evaluation, selection and explanation do the rest."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from geo_service.errors import NotFound, ProfileError
from geo_service.i18n import _
from geo_service.scoring import evaluation, explained_flats, selection
from geo_service.scoring.district_codes import check_codes
from geo_service.scoring.evaluation import Evaluation, LanguageSets, index_features
from geo_service.scoring.fit import FlatArrays
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import DistrictFactor, RankedFlat, Ranking

if TYPE_CHECKING:  # pandas is imported where frames are read: a ranker from disk needs none
    import pandas as pd

# District code -> name, factor, utilisation, suppressed, capacity, placements.
DistrictStatus = dict[str, dict[str, Any]]


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
        self.rule_words: dict[tuple[str, str], str] = {}  # (language, category): rule in words
        # the profile versions the stored features were computed with (one after a full run)
        self.feature_versions: set[str] = set(features.get("profile_version", ()))
        snap = features.groupby("flat_id")["snap_m"].first() if "snap_m" in features else {}
        self.snap_m = flats["id"].map(snap).to_numpy(float)  # NaN: straight line
        self.unreachable = self.snap_m > profile.network_rules.snap_limit_m
        self.languages = LanguageSets(index_features(profile, self.position, features))

    def _set_status(self, status: DistrictStatus) -> None:
        """District names, factors and utilisation, and each flat's factor B."""
        self.districts = status
        # (language, code): the district part of explanations, shared
        self.district_parts: dict[tuple[str, str], DistrictFactor] = {}
        per_code = np.array(
            [status.get(c, {}).get("factor", 0.0) for c in self.district_codes] + [0.0]
        )
        self.factor = per_code[self.district_index]  # index -1 (no district) takes the 0.0
        self.capped = self.factor <= 0  # at the cap: nobody more is placed there

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
        # the values depend on the profile's decay metres
        twin.languages = LanguageSets(self.languages.sets)
        twin.district_parts = {}  # the district sentences on its district rules
        twin.rule_words = {}
        return twin

    def reserved_mask(self, held: set[str] | None) -> np.ndarray:
        """True at the positions of the ``held`` flats (ids not loaded are ignored)."""
        reserved = np.zeros(len(self.ids), dtype=bool)
        rows = [self.position[f] for f in held or () if f in self.position]
        reserved[rows] = True
        return reserved

    def check_districts(self, codes: list[str] | None) -> None:
        """400 naming every unknown district code of a request."""
        check_codes(codes, self.districts, self.district_codes)

    # the jobs, each in its own module, as methods (they take the ranker first)
    evaluate = evaluation.evaluate
    select = selection.select
    full_services_of = selection.full_services_of
    table = selection.table
    explain_many = explained_flats.explain_many

    def explain(self, ev: Evaluation, i: int, rank: int | None) -> RankedFlat:
        """The ranked-flat output shape for flat position ``i``, explained in numbers and words."""
        return self.explain_many(ev, [i], [rank])[0]

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
        results = self.explain_many(sel.evaluation, sel.chosen, ranks, sel.scored)
        return sel.ranking.model_copy(update={"results": results})

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
