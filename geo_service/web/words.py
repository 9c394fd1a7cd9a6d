"""Codes in words for the pages: offer states and changes, fields, languages, categories,
needs, waiting-list steps, who did something: never a raw code where a person reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from geo_service.db import models
from geo_service.i18n import N_, _, current_language
from geo_service.i18n.languages import language_name
from geo_service.maps.labels import Labels, labels_for
from geo_service.scoring.profile import ScoringProfile

OFFER_STATES = {
    "draft": N_("draft"),
    "active": N_("published"),
    "paused": N_("paused"),
    "retired": N_("ended"),
}
OFFER_CHANGES = {
    "create": N_("created"),
    "update": N_("changed"),
    "pause": N_("paused"),
    "resume": N_("resumed"),
    "publish": N_("published"),
    "retire": N_("ended"),
    "import": N_("imported"),
}
OFFER_FIELDS = {
    "name": N_("Name"),
    "category": N_("Kind of offer"),
    "provider": N_("Provider"),
    "address": N_("Address"),
    "opening_hours": N_("Opening hours"),
    "capacity_per_week": N_("Places per week"),
    "contact_role": N_("Contact (a role, not a name)"),
    "interpreting": N_("Interpreting possible"),
    "languages": N_("Languages"),
    "lon": N_("Location (longitude)"),
    "lat": N_("Location (latitude)"),
    "district_code": N_("District"),
    "status": N_("Status"),
}
WAITING_STATES = {
    "waiting": N_("waiting"),
    "offered": N_("flat offered"),
    "reserved": N_("flat held"),
    "moved": N_("moved in"),
    "withdrawn": N_("left the list"),
}


def waiting_counts(counts: dict[str, int]) -> str:
    """Entries per status in words ("12 wartend, 3 eingezogen")."""
    words = {status: _(word) for status, word in WAITING_STATES.items()}
    return ", ".join(f"{n} {words[status]}" for status, n in counts.items())


def district_names(engine: Engine) -> dict[str, str]:
    """District code -> name."""
    d = models.districts
    with engine.connect() as conn:
        return dict(conn.execute(select(d.c.code, d.c.name)).tuples().all())


def labels(profile: ScoringProfile | None = None) -> Labels:
    """The category and need names in the page's language."""
    return labels_for(current_language(), profile)


def languages(codes: list[str]) -> str:
    """Languages by name, e.g. "Arabisch, Deutsch"."""
    return ", ".join(sorted(language_name(c) for c in codes))


def who(principal: str | None) -> str:
    """Who made a change: a person's login, an API key, or the import."""
    if not principal:
        return _("import or command line")
    if principal.startswith("user:"):
        return principal.removeprefix("user:")
    return _("API key {id}").format(id=principal)


def field_label(name: str) -> str:
    """An offer field's name in words."""
    return _(OFFER_FIELDS[name])


def yes_no(value: bool) -> str:
    """Yes or no."""
    return _("yes") if value else _("no")


def field_value(field: str, value: Any, profile: ScoringProfile) -> str:
    """A stored offer field's value in words (categories, languages, states, yes/no)."""
    if value is None or value == "" or value == []:
        return "–"
    if field == "category":
        return labels(profile).category(str(value))
    if field == "languages":
        return languages(list(value))
    if field == "status":
        return _(OFFER_STATES.get(str(value), str(value)))
    if isinstance(value, bool):
        return yes_no(value)
    return str(value)
