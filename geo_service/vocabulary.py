"""The closed vocabularies of the service in one answer: categories, needs, languages, roles, ...

``geo-service vocab`` prints it and ``GET /api/v1/vocabularies`` serves it, so a clerk or a
client developer can look up every code a request may use or an answer may contain.
"""

from __future__ import annotations

from typing import get_args

from pydantic import Field
from sqlalchemy import Engine

from geo_service.allocation.results import METHODS, UnplacedCode
from geo_service.catalogue.store import vocabulary as catalogue_vocabulary
from geo_service.db.models import KEY_ROLES
from geo_service.i18n import N_, _, current_language
from geo_service.i18n.formats import plain
from geo_service.ingest.schemas import KINDS
from geo_service.maps.labels import labels_for, sheet_languages
from geo_service.reservations.results import ReleaseReason, Status
from geo_service.scoring.explain import decay_rule
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import Exclusions, Result
from geo_service.transition.terms import DECLINE_REASONS, WAITING_STATUSES, WITHDRAW_REASONS


class CategoryTerm(Result):
    """A scoring category: what counts, how much, and how distance decays."""

    name: str
    kind: str = Field(description="'amenity' (OpenStreetMap) or 'catalogue' (offers).")
    weight: float
    rule: str
    offer_categories: list[str] = Field([], description="Catalogue categories it counts.")


class NeedTerm(Result):
    """A household need of the scoring profile and what it does."""

    name: str
    effect: str


class Term(Result):
    """A code and what it means."""

    name: str
    meaning: str


class Vocabulary(Result):
    """Every closed vocabulary: codes requests may use and answers may contain."""

    profile: str = Field(description="The scoring profile's name and version.")
    categories: list[CategoryTerm]
    offer_categories: list[str] = Field(description="Catalogue categories (profile and data).")
    needs: list[NeedTerm]
    languages: list[str] = Field(description="ISO 639 codes the catalogue's offers speak.")
    sheet_languages: list[str] = Field(description="Languages the referral sheet has labels in.")
    roles: list[str] = Field(description="API key roles, each including the ones before.")
    import_kinds: list[str]
    reservation_statuses: list[str]
    release_reasons: list[str] = Field(description="Why a confirmed placement ends.")
    allocation_methods: list[str]
    unplaced_codes: list[str]
    exclusion_reasons: list[Term]
    waiting_statuses: list[str] = Field(description="A waiting-list entry's status.")
    decline_reasons: list[str] = Field(description="Why an offer or hold fell through.")
    withdraw_reasons: list[str] = Field(description="Why a household left the waiting list.")


# What a need requires of the flat, in words
REQUIREMENTS = {
    "barrier_free": N_("requires a barrier-free flat"),
    "ground_floor": N_("requires a flat on the ground floor or with a lift"),
}


def need_effect(profile: ScoringProfile, name: str) -> str:
    """What a need does, in words ("Hausarztpraxis zählt 2-mal so viel")."""
    need = profile.needs[name]
    lab = labels_for(current_language(), profile)
    parts = [
        _("{category} counts {factor} times as much").format(
            category=lab.category(cat), factor=plain(factor)
        )
        for cat, factor in need.multiply.items()
    ]
    if need.requires:
        required = REQUIREMENTS.get(need.requires)
        parts.insert(0, _(required) if required else need.requires)
    return "; ".join(parts) or _("no effect")


def vocabulary(profile: ScoringProfile, engine: Engine | None = None) -> Vocabulary:
    """The vocabularies of ``profile`` plus the catalogue's categories and languages (read
    from the database when an engine is given)."""
    offer_categories, languages = catalogue_vocabulary(engine) if engine else ([], [])
    mapped = set(profile.offer_category_map())
    return Vocabulary(
        profile=f"{profile.name} ({profile.version[:19]})",
        categories=[
            CategoryTerm(
                name=name,
                kind=cat.kind,
                weight=cat.weight,
                rule=decay_rule(profile, name),
                offer_categories=cat.offer_categories,
            )
            for name, cat in profile.categories.items()
        ],
        offer_categories=sorted(mapped | set(offer_categories)),
        needs=[NeedTerm(name=n, effect=need_effect(profile, n)) for n in profile.needs],
        languages=languages,
        sheet_languages=sheet_languages(),
        roles=list(KEY_ROLES),
        import_kinds=[*KINDS, "network", "addresses"],
        reservation_statuses=list(get_args(Status)),
        release_reasons=list(get_args(ReleaseReason)),
        allocation_methods=list(METHODS),
        unplaced_codes=list(get_args(UnplacedCode)),
        exclusion_reasons=[
            Term(name=name, meaning=field.description or "")
            for name, field in Exclusions.model_fields.items()
        ],
        waiting_statuses=list(WAITING_STATUSES),
        decline_reasons=list(DECLINE_REASONS),
        withdraw_reasons=list(WITHDRAW_REASONS),
    )
