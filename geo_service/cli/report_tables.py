"""The fairness report as tables on the terminal, in the reader's language (German first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo_service.cli.common import dash, say, show_table
from geo_service.i18n import N_, _, formats

if TYPE_CHECKING:
    from geo_service.report.fairness_results import FairnessReport, FairnessRow

COLUMNS = [  # (header, justify, meaning); the headers are translated where shown
    (N_("group"), "left", ""),
    (N_("households"), "right", ""),
    (N_("placed"), "right", N_("share moved in (ratio to all households)")),
    (N_("days waited"), "right", N_("median until moving in (ratio)")),
    (N_("score"), "right", N_("median placement score of the flat (ratio)")),
    (
        N_("wish met"),
        "right",
        N_("share of placed households with wished districts living in one (ratio)"),
    ),
    (N_("overrides"), "right", N_("offers outside the recommendations / all offers (ratio)")),
]


def _with_ratio(value: float | None, ratio: float | None, fmt: str) -> str:
    """'41 % (0,82)', or '–'."""
    if value is None:
        return "–"
    shown = formats.percent(value) if fmt == "%" else formats.number(value, int(fmt))
    return shown + (f" ({formats.number(ratio, 2)})" if ratio is not None else "")


def _cells(r: FairnessRow) -> list[str]:
    """A row of the table."""
    q = r.ratio_to_overall
    name = r.label + (f" ({', '.join(r.merged)})" if r.merged else "")
    return [
        name,
        r.households_shown,
        _with_ratio(r.share_placed, q.get("share_placed"), "%"),
        _with_ratio(r.wait_days_median, q.get("wait_days_median"), "0"),
        _with_ratio(r.score_median, q.get("score_median"), "1"),
        _with_ratio(r.wishes_met_share, q.get("wishes_met_share"), "%"),
        _with_ratio(r.override_share, q.get("override_share"), "%"),
    ]


def legend() -> dict[str, str]:
    """What the columns and the dash mean, translated."""
    out = dict((_(header), _(meaning)) for header, _j, meaning in COLUMNS if meaning)
    out["–"] = _("fewer households than the minimum (not shown)")
    return out


def show_fairness(report: FairnessReport) -> None:
    """One table per dimension, the overall row first, a legend, then the notes."""
    columns = [(_(header), justify) for header, justify, _meaning in COLUMNS]
    for table in report.tables:
        show_table(
            _("Fairness by {dimension}, {first} to {last}").format(
                dimension=table.label,
                first=formats.day(report.since),
                last=formats.day(report.until),
            ),
            columns,
            [_cells(report.overall), *[_cells(r) for r in table.rows]],
            legend(),
        )
    for note in report.notes:
        say(note)
    say(_("profile {version}").format(version=dash(report.profile_version[:19])))
