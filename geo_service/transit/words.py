"""Travel times in words through the message catalogue, German by default, English on
request: "23 Minuten mit Bus 610, Abfahrt alle 15 Minuten"."""

from __future__ import annotations

from collections.abc import Sequence

from geo_service.i18n import _, ngettext
from geo_service.i18n.formats import number
from geo_service.transit.results import TransitLeg


def minutes_text(value: float) -> str:
    """Minutes as people say them: whole from 10 on ("23"), one decimal below ("1,4")."""
    return number(value, 0 if value >= 10 or float(value).is_integer() else 1)


def journey_words(minutes: float | None, legs: Sequence[TransitLeg]) -> str:
    """One journey: "23 Minuten mit Bus 610 und Bus 612 (1 Umstieg)"."""
    if minutes is None:
        return _("not reachable by public transport")
    rides = [leg.route for leg in legs if leg.mode == "transit" and leg.route]
    if not rides:
        return _("{minutes} minutes on foot").format(minutes=minutes_text(minutes))
    text = _("{minutes} minutes by {route}").format(
        minutes=minutes_text(minutes), route=_(" and ").join(rides)
    )
    if len(rides) > 1:
        n = len(rides) - 1
        text += ngettext(" ({n} change)", " ({n} changes)", n).format(n=n)
    return text


def access_words(
    minutes: float, route: str | None, headway_min: float | None, limit_min: float
) -> str:
    """A flat's travel time to a category: "23 Minuten mit Bus 610, Abfahrt alle 15 Minuten",
    "12 Minuten zu Fuß", "mit Bus und Bahn nicht in 60 Minuten erreichbar"."""
    if minutes == float("inf"):
        return _("not reachable by public transport within {limit} minutes").format(
            limit=minutes_text(limit_min)
        )
    if not route:
        return _("{minutes} minutes on foot").format(minutes=minutes_text(minutes))
    text = _("{minutes} minutes by {route}").format(minutes=minutes_text(minutes), route=route)
    if headway_min:
        text += _(", departing every {headway} minutes").format(headway=minutes_text(headway_min))
    return text
