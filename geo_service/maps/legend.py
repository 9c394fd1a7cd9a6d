"""Colour classes and legends: ColorBrewer palettes (colour-blind safe), classes from
mapclassify for continuous data, one legend (title, unit, year) per layer."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from branca.utilities import color_brewer

from geo_service.maps.labels import Labels

MISSING = "#bdbdbd"
# Sequential ColorBrewer schemes, light to dark; all readable with colour-vision deficiency.
GOOD = "YlGnBu"  # dark blue: more of something good (scores)
BURDEN = "YlOrRd"  # dark red: more burden (status class 4, indicators with direction +1)
USE = "PuRd"  # capacity used
GAPS = "OrRd"  # coverage gaps
RANK = "#54278f"


def palette(name: str, k: int) -> list[str]:
    """``k`` colours of a ColorBrewer scheme, light to dark."""
    return list(color_brewer(name, max(k, 3)))[-k:] if k < 3 else list(color_brewer(name, k))


@dataclass(frozen=True)
class Legend:
    """What one layer's legend says: title, a line under it (unit, year) and the classes."""

    title: str
    subtitle: str
    items: Sequence[tuple[str, str]]

    def html(self) -> str:
        """The legend block."""
        items = "".join(
            f'<div class="legend-item"><span class="swatch" style="background:{c}"></span>'
            f"{escape(t)}</div>"
            for c, t in self.items
        )
        sub = f'<div class="legend-sub">{escape(self.subtitle)}</div>' if self.subtitle else ""
        if not self.title:
            return f'<div class="legend-block">{items}</div>'
        return (
            f'<div class="legend-block legend-titled">'
            f'<div class="legend-title">{escape(self.title)}</div>{sub}{items}</div>'
        )


@dataclass(frozen=True)
class Classes:
    """Class breaks of a layer and their colours; ``colour`` maps a value to its class."""

    upper: Sequence[float]
    colours: Sequence[str]
    lower: Sequence[float] | None = None  # each class's lowest value, when not the last top

    def colour(self, value: float | None) -> str:
        """The colour of a value's class; grey when missing."""
        if value is None or value != value:
            return MISSING
        i = int(np.searchsorted(np.asarray(self.upper), value, side="left"))
        return self.colours[min(i, len(self.colours) - 1)]

    def items(self, lab: Labels, low: float, fmt: Callable[[float], str]) -> list[tuple[str, str]]:
        """Legend lines "a – b" per class, from ``low`` up ("a" alone for a class of one
        value)."""
        lows = self.lower if self.lower is not None else [low, *self.upper[:-1]]
        return [
            (c, fmt(a) if a == b else f"{fmt(a)} – {fmt(b)}")
            for c, a, b in zip(self.colours, lows, self.upper, strict=True)
        ]


def quantile_classes(values: Sequence[float | None], scheme: str, k: int = 5) -> Classes:
    """Quantile classes (mapclassify) of the present values, at most ``k`` and no more than
    there are distinct values; colours from ``scheme``."""
    v = np.asarray([x for x in values if x is not None and x == x], dtype=float)
    if v.size == 0:
        return Classes([0.0], [MISSING])
    k = max(1, min(k, len(np.unique(v))))
    if k == 1:
        return Classes([float(v.max())], palette(scheme, 3)[-1:])
    import mapclassify  # here, not at import: it costs a server or CLI start 1-2 s

    with warnings.catch_warnings():  # fewer distinct values than classes: it merges them
        warnings.simplefilter("ignore", UserWarning)
        q = mapclassify.Quantiles(v, k=k)
    return Classes([float(b) for b in q.bins], palette(scheme, len(q.bins)))


def count_classes(values: Sequence[float], scheme: str, k: int = 4) -> Classes:
    """Classes of whole counts: 0 alone in the lightest colour, the positive counts in at
    most ``k`` classes with whole bounds (each distinct count its own class when there are
    no more than ``k``, else quantile classes rounded up: "1 – 3", "4 – 9", ...), darker the
    more; colours from ``scheme``."""
    v = np.asarray([x for x in values if x == x], dtype=float)
    positive = np.unique(v[v > 0])
    if len(positive) <= k:
        tops = positive.tolist()
        lower = [0.0, *tops]
    else:
        import mapclassify  # here, not at import (see quantile_classes)

        with warnings.catch_warnings():  # ties: it merges classes
            warnings.simplefilter("ignore", UserWarning)
            bins = mapclassify.Quantiles(v[v > 0], k=k).bins
        tops = sorted({float(np.ceil(b)) for b in bins})
        lower = [0.0, 1.0, *(t + 1 for t in tops[:-1])]
    colours = palette(scheme, max(len(tops) + 1, 3))
    if len(tops) < 2:  # light for none, dark for the one class of gaps
        colours = [colours[0], colours[-1]][: len(tops) + 1]
    return Classes([0.0, *tops], colours, lower)


def fixed_classes(values: Sequence[float], upper: Sequence[float], scheme: str) -> Classes:
    """User-defined class bounds (mapclassify) for data with meaningful thresholds."""
    import mapclassify  # here, not at import (see quantile_classes)

    v = np.asarray(values, dtype=float)
    bins = mapclassify.UserDefined(v[~np.isnan(v)] if v.size else [0.0], bins=list(upper)).bins
    return Classes([float(b) for b in bins], palette(scheme, len(bins)))
