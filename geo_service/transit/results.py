"""Typed answers of the transit service (``geo-service transit time --json``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from geo_service.scoring.results import Result


class TransitLeg(Result):
    """One leg of a journey: a walk or a ride (route as riders read it, stop names)."""

    mode: Literal["walk", "transit"]
    route: str | None = Field(None, description="The route ridden (null for a walk).")
    from_stop: str | None = Field(None, description="Stop name (null: the origin).")
    to_stop: str | None = Field(None, description="Stop name (null: the destination).")
    depart: str = Field(description="Local time, ISO 8601.")
    arrive: str = Field(description="Local time, ISO 8601.")
    metres: float | None = Field(None, description="Walking metres (walks only).")


class TransitTime(Result):
    """The earliest arrival from one point to another leaving at a given time; ``minutes``
    counts from that time (waiting at the origin included), null when unreachable."""

    minutes: float | None
    depart: str = Field(description="The time asked for (local, ISO 8601).")
    arrive: str | None = None
    legs: list[TransitLeg] = Field(default_factory=list)
    walking: str = Field(description="'network' (street network) or 'straight' (× detour).")
    summary: str = Field("", description="The journey in words.")
