"""The kinds of rows an import or the sample writes, in words for the person who reads the
line or the error ("Wohnungen", "Orte des Alltags"), instead of their codes."""

from __future__ import annotations

from geo_service.i18n import N_, _

# What each kind counts, in words
KIND_WORDS = {
    "organisations": N_("organisations"),
    "districts": N_("districts"),
    "indicators": N_("indicator rows"),
    "quotas": N_("district quotas"),
    "capacities": N_("service capacities"),
    "offers": N_("offers"),
    "flats": N_("flats"),
    "amenities": N_("everyday places"),
    "network": N_("street segments"),
    "addresses": N_("addresses"),
    "gtfs": N_("timetable rows (GTFS)"),
    "volunteers": N_("bridge builders"),
}


def kind_words(kind: str) -> str:
    """What rows of ``kind`` are, in words ("Wohnungen")."""
    return _(KIND_WORDS.get(kind, kind))
