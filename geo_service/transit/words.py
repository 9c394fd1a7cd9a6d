"""Travel times in words, German first (English on request): "23 Minuten mit Bus 610,
Abfahrt alle 15 Minuten"."""

from __future__ import annotations

from collections.abc import Sequence

from geo_service.transit.results import TransitLeg

TEXTS = {
    "de": {
        "unreachable": "mit Bus und Bahn nicht erreichbar",
        "unreachable_within": "mit Bus und Bahn nicht in {limit} Minuten erreichbar",
        "walk": "{minutes} Minuten zu Fuß",
        "ride": "{minutes} Minuten mit {route}",
        "every": ", Abfahrt alle {headway} Minuten",
        "changes": " ({n} Umstieg)",
        "changes_many": " ({n} Umstiege)",
        "and": " und ",
        "to": " zu {target}",
    },
    "en": {
        "unreachable": "not reachable by public transport",
        "unreachable_within": "not reachable by public transport within {limit} minutes",
        "walk": "{minutes} minutes on foot",
        "ride": "{minutes} minutes by {route}",
        "every": ", departing every {headway} minutes",
        "changes": " ({n} change)",
        "changes_many": " ({n} changes)",
        "and": " and ",
        "to": " to {target}",
    },
}


def _text(language: str) -> dict[str, str]:
    """The texts of ``language`` (German for any other)."""
    return TEXTS.get(language, TEXTS["de"])


def number(value: float, language: str) -> str:
    """Whole minutes as people say them ("23"); a decimal comma in German below 10."""
    if value >= 10 or float(value).is_integer():
        return f"{value:.0f}"
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if language == "de" else shown


def journey_words(minutes: float | None, legs: Sequence[TransitLeg], language: str = "de") -> str:
    """One journey: "23 Minuten mit Bus 610 und Bus 612 (1 Umstieg)"."""
    t = _text(language)
    if minutes is None:
        return t["unreachable"]
    rides = [leg.route for leg in legs if leg.mode == "transit" and leg.route]
    if not rides:
        return t["walk"].format(minutes=number(minutes, language))
    text = t["ride"].format(minutes=number(minutes, language), route=t["and"].join(rides))
    if len(rides) > 1:
        key = "changes" if len(rides) == 2 else "changes_many"
        text += t[key].format(n=len(rides) - 1)
    return text


def access_words(
    minutes: float,
    route: str | None,
    headway_min: float | None,
    limit_min: float,
    language: str = "de",
) -> str:
    """A flat's travel time to a category: "23 Minuten mit Bus 610, Abfahrt alle 15 Minuten",
    "12 Minuten zu Fuß", "mit Bus und Bahn nicht in 60 Minuten erreichbar"."""
    t = _text(language)
    if minutes == float("inf"):
        return t["unreachable_within"].format(limit=number(limit_min, language))
    if not route:
        return t["walk"].format(minutes=number(minutes, language))
    text = t["ride"].format(minutes=number(minutes, language), route=route)
    if headway_min:
        text += t["every"].format(headway=number(headway_min, language))
    return text
