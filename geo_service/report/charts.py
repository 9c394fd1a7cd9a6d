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
    """Utilisation of each district's capacity as horizontal bars, with the profile's
    thresholds (the district factor falls from ``full`` and reaches 0 at ``zero``);
    suppressed districts are named without a bar."""
    rows = list(reversed(rows))
    fig = _figure(0.14 * len(rows) + 0.9)
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
    bars = ax.barh([r.name for r in rows], values, color=colours, height=0.75)
    for bar, row in zip(bars, rows, strict=True):
        text = "unterdrückt" if row.suppressed else _percent((row.utilisation or 0) * 100)
        ax.text(
            bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=6
        )
    ax.axvline(full * 100, color="#555", linestyle="--", linewidth=0.8)
    ax.axvline(zero * 100, color="#222", linestyle="-", linewidth=0.8)
    top = max([*values, zero * 100]) * 1.15
    ax.set_xlim(0, top)
    above = ax.get_xaxis_transform()  # x in data, y in axes: labels just above the plot
    ax.text(
        full * 100,
        1.005,
        f"Faktor sinkt ab {_percent(full * 100)} ",
        fontsize=6.5,
        va="bottom",
        ha="right",
        transform=above,
    )
    ax.text(
        zero * 100,
        1.005,
        f" Quote voll ({_percent(zero * 100)})",
        fontsize=6.5,
        va="bottom",
        transform=above,
    )
    ax.set_xlabel(
        "Auslastung der Aufnahmekapazität (Belegung ÷ Kapazität laut Quotenplan)", fontsize=8
    )
    ax.tick_params(axis="y", labelsize=6)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.tick_params(axis="x", labelsize=7)
    ax.xaxis.set_major_formatter(lambda v, _: _percent(v))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _data_uri(fig)


def waiting_chart(cells: list[WaitingCell], language_names: dict[str, str]) -> str:
    """Waiting households per language, stacked by household size (suppressed cells count
    as zero and are marked in the table, never estimated)."""
    bands = list(dict.fromkeys(c.size_band for c in cells))
    languages = list(dict.fromkeys(c.language for c in cells))
    fig = _figure(0.28 * len(languages) + 1.2)
    ax = fig.add_subplot()
    left = [0.0] * len(languages)
    palette = ["#8fb9d8", "#4f8fc0", "#2f6690", "#163d5c"]
    for i, band in enumerate(bands):
        widths = [
            float(
                next(
                    (
                        c.households.value or 0
                        for c in cells
                        if c.language == lang and c.size_band == band
                    ),
                    0,
                )
            )
            for lang in languages
        ]
        ax.barh(
            [language_names.get(lang, lang) for lang in languages],
            widths,
            left=left,
            color=palette[i % len(palette)],
            label=f"{band} Pers.",
            height=0.7,
        )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("Wartende Haushalte (kleine Zellen nicht mitgezählt)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, title="Haushaltsgröße", title_fontsize=7, loc="lower right")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _data_uri(fig)
