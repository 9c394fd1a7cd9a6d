"""Roles in words for people ("Wohnungsamt"); the codes stay in keys, URLs and JSON."""

from __future__ import annotations

from geo_service.i18n import N_, _

ROLE_NAMES = {
    "viewer": N_("read-only access"),
    "partner": N_("partner organisation"),
    "planner": N_("planning"),
    "housing_office": N_("housing office"),
    "admin": N_("administration"),
    "cli": N_("command line"),
}


def role_name(role: str) -> str:
    """A role in words ("Wohnungsamt")."""
    return _(ROLE_NAMES.get(role, role))
