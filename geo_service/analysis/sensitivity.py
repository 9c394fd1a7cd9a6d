"""Sensitivity of rankings to the scoring profile: decay variants and ranking comparisons."""

from __future__ import annotations

import pandas as pd
from scipy.stats import kendalltau, spearmanr

from geo_service.analysis.source import scoring_profile
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.scoring.profile import ScoringProfile, parse_profile


def decay_variant(
    full_m: float | None = None,
    zero_m: float | None = None,
    categories: list[str] | None = None,
    profile: ScoringProfile | None = None,
) -> ScoringProfile:
    """A copy of the scoring profile with other decay distances, validated like the original.

    Use it with ``rank(..., profile=...)`` to re-score in memory over the stored features
    (nothing in the database changes).

    Parameters
    ----------
    full_m : float, optional
        Metres up to which a place counts fully; default unchanged.
    zero_m : float, optional
        Metres from which a place no longer counts; default unchanged.
    categories : list of str, optional
        Categories to change (e.g. ``["kita"]``); default every category counted in metres,
        overriding their own distances too (transit categories decay in minutes: refused).
    profile : ScoringProfile, optional
        Profile to start from; default the configured one.

    Returns
    -------
    ScoringProfile
        The variant, with its own ``version`` hash.

    Raises
    ------
    InputError
        An unknown category. ProfileError when the variant does not validate (e.g.
        ``full_m >= zero_m``).

    Examples
    --------
    >>> wide = decay_variant(full_m=800, zero_m=3000)
    >>> wide.full_m("kita"), wide.zero_m("kita")
    (800.0, 3000.0)
    """
    base = profile or scoring_profile()
    by_metres = [n for n in base.names() if not base.is_transit(n)]
    names = categories if categories is not None else by_metres
    unknown = [c for c in names if c not in base.categories]
    if unknown:
        raise InputError(
            _("unknown category “{category}” (known: {known})").format(
                category=unknown[0], known=", ".join(base.names())
            )
        )
    timed = [c for c in names if base.is_transit(c)]
    if timed:  # their decay is in minutes (full_min, zero_min), not metres
        raise InputError(
            _("category “{category}” counts by public transport, in minutes").format(
                category=timed[0]
            )
        )
    data = base.model_dump(mode="json")
    for name in names:
        cat = data["categories"][name]
        cat["full_m"] = base.full_m(name) if full_m is None else full_m
        cat["zero_m"] = base.zero_m(name) if zero_m is None else zero_m
    return parse_profile(data, f"{base.name} (decay variant)")


def compare_rankings(base: pd.DataFrame, variant: pd.DataFrame, top: int = 10) -> dict[str, float]:
    """How far two rankings of the same flats agree (e.g. from ``rank(..., top=None)``).

    Parameters
    ----------
    base, variant : pandas.DataFrame
        Rankings with ``flat_id`` and ``rank`` columns (1 = best).
    top : int, default 10
        Size of the head compared by overlap.

    Returns
    -------
    dict
        ``top_overlap``: share of the base's top ``top`` flats also in the variant's top
        ``top`` (0-1); ``spearman`` and ``kendall``: rank correlations over the flats both
        rankings contain; ``common``: how many flats that is.

    Examples
    --------
    >>> a = pd.DataFrame({"flat_id": ["F-1", "F-2", "F-3"], "rank": [1, 2, 3]})
    >>> b = pd.DataFrame({"flat_id": ["F-2", "F-1", "F-3"], "rank": [1, 2, 3]})
    >>> compare_rankings(a, b, top=2)["top_overlap"]
    1.0
    """
    head_a = set(base.nsmallest(top, "rank")["flat_id"])
    head_b = set(variant.nsmallest(top, "rank")["flat_id"])
    both = base[["flat_id", "rank"]].merge(variant[["flat_id", "rank"]], on="flat_id")
    enough = len(both) > 1
    return {
        "top_overlap": len(head_a & head_b) / max(len(head_a), 1),
        "spearman": float(spearmanr(both["rank_x"], both["rank_y"])[0]) if enough else 1.0,
        "kendall": float(kendalltau(both["rank_x"], both["rank_y"])[0]) if enough else 1.0,
        "common": len(both),
    }
