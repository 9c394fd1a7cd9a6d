"""The report's charts as PNG data URIs (matplotlib, Agg): embedded in the HTML and the PDF,
so the document needs nothing from outside."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

from geo_service.report.results import DistrictUtilisation, WaitingCell

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 160
WIDTH_IN = 7.0  # the A4 text width (about 180 mm)
COLOURS = {"low": "#4c9a6a", "near": "#e0a030", "full": "#c0392b", "none": "#bbbbbb"}


def _figure(height_in: float) -> Figure:
    """A new figure of the text width (no pyplot state: safe in a server's threads)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    fig.set_layout_engine("constrained")
    return fig


def _data_uri(fig: Figure) -> str:
    """The figure as a PNG data URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _percent(value: float) -> str:
    """A percentage the German way: 84 %."""
    return f"{value:.0f} %"


def utilisation_chart(rows: list[DistrictUtilisation], full: float, zero: float) -> str:
    """Utilisation of each district's capacity as columns, with the profile's thresholds
    (the district factor falls from ``full`` and reaches 0 at ``zero``); suppressed districts
    are named with a note instead of a column."""
    fig = _figure(2.9)
    ax = fig.add_subplot()
    values = [(r.utilisation or 0) * 100 for r in rows]
    colours = [
        COLOURS["none"]
        if r.utilisation is None
        else COLOURS["full"]
        if r.utilisation >= zero
        else COLOURS["near"]
        if r.utilisation >= full
        else COLOURS["low"]
        for r in rows
    ]
    x = range(len(rows))
    bars = ax.bar(x, values, color=colours, width=0.75)
    for bar, row in zip(bars, rows, strict=True):
        hidden = row.suppressed or row.small_count
        text = (
            "unterdrückt"
            if row.suppressed
            else "verdeckt (wenige)"
            if row.small_count
            else f"{(row.utilisation or 0) * 100:.0f}"
        )
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 1.5,
            text,
            ha="center",
            va="bottom",
            fontsize=5.5,
            rotation=90 if hidden else 0,
        )
    ax.axhline(full * 100, color="#555", linestyle="--", linewidth=0.8)
    ax.axhline(zero * 100, color="#222", linestyle="-", linewidth=0.8)
    ax.set_ylim(0, max([*values, zero * 100]) * 1.18)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    for level, label, colour in (
        (full, f"Faktor sinkt ab {_percent(full * 100)}", "#333"),
        (zero, f"Quote erreicht ({_percent(zero * 100)})", "#111"),
    ):
        ax.text(-0.45, level * 100 + 1, label, fontsize=6, ha="left", va="bottom", color=colour)
    ax.set_xticks(list(x), [r.name for r in rows], rotation=60, ha="right", fontsize=6.5)
    ax.set_ylabel("Auslastung (Belegung ÷ Kapazität)", fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.yaxis.set_major_formatter(lambda v, _: _percent(v))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _data_uri(fig)


def waiting_chart(cells: list[WaitingCell], language_names: dict[str, str]) -> str:
    """Waiting households per language, stacked by household size; suppressed cells are not
    drawn (never estimated) and a language with some says "+ verdeckte Zellen"."""
    bands = list(dict.fromkeys(c.size_band for c in cells))
    languages = list(dict.fromkeys(c.language for c in cells))
    fig = _figure(0.28 * len(languages) + 1.2)
    ax = fig.add_subplot()
    left = [0.0] * len(languages)
    palette = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]  # 1 .. 6+
    drawn = {(c.language, c.size_band): float(c.households.value or 0) for c in cells}
    for i, band in enumerate(bands):
        widths = [drawn.get((lang, band), 0.0) for lang in languages]
        ax.barh(
            [language_names.get(lang, lang) for lang in languages],
            widths,
            left=left,
            color=palette[i % len(palette)],
            label=f"{band} Pers.",
            height=0.7,
        )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    small = {c.language for c in cells if c.households.value is None}
    for y, lang in enumerate(languages):
        if lang in small:
            ax.text(left[y] + 0.1, y, "+ verdeckte Zellen", va="center", fontsize=6, color="#555")
    ax.invert_yaxis()
    ax.set_xlabel("Wartende Haushalte (verdeckte Zellen nicht mitgezählt)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, title="Haushaltsgröße", title_fontsize=7, loc="lower right")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _data_uri(fig)
