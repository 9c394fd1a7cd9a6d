"""Holds outside the recommendations: a clerk may hold or offer a flat that is not among the
household's recommended flats only with an ``override_reason`` (400 without one, in German);
the reason is stored with the hold and audited, and the fairness report counts it."""

from __future__ import annotations

from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranking import Ranker

REASON_MAX = 500  # characters: a short reason, never a name or other personal data


def recommended(
    ranker: Ranker, household: Household, profile: ScoringProfile, held: set[str] | None
) -> set[str]:
    """The household's recommended flats: the best ``overrides.recommended`` of its ranking
    (wishes included), as ``POST /placements/rank`` lists them."""
    n = profile.override_rules.recommended
    chosen = ranker.select(household, limit=n, held=held).chosen
    return {str(ranker.ids[i]) for i in chosen}


def override_reason(
    flat_id: str,
    reason: str | None,
    recommendations: set[str],
    profile: ScoringProfile,
) -> str | None:
    """The reason to store: None when ``flat_id`` is among the recommendations, the clerk's
    reason otherwise; 400 (German) when it is missing."""
    if flat_id in recommendations:
        return None
    text = (reason or "").strip()
    if not text:
        n = profile.override_rules.recommended
        raise InputError(
            _(
                "flat {flat} is not among the {n} flats recommended for this household: say "
                "in override_reason why it is chosen anyway (no names or other personal data)"
            ).format(flat=flat_id, n=n),
            errors=[{"pointer": "/override_reason", "message": _("missing")}],
        )
    return text
