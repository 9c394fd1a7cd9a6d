"""The catalogue's closed vocabularies, checked where requests are parsed (API and CLI alike)."""

from __future__ import annotations

from collections.abc import Iterable

from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.scoring.profile import ScoringProfile


def offer_categories(profile: ScoringProfile) -> list[str]:
    """The offer categories the scoring profile maps (the only ones an import accepts)."""
    return sorted(profile.offer_category_map())


def check_categories(categories: Iterable[str], profile: ScoringProfile) -> list[str]:
    """``categories`` as given, or InputError naming the first unknown one and the known ones."""
    known = offer_categories(profile)
    chosen = list(categories)
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise InputError(
            _("category: unknown offer category “{category}”; known: {known}").format(
                category=unknown[0], known=", ".join(known)
            )
        )
    return chosen
