"""The fairness report as tables on the terminal (German, as the clerks and planners read it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo_service.cli.common import dash, say, show_table

if TYPE_CHECKING:
    from geo_service.report.fairness_results import FairnessReport, FairnessRow

COLUMNS = [
    ("Gruppe", "left"),
    ("Haushalte", "right"),
    ("vermittelt", "right"),
    ("Wartetage", "right"),
    ("Punkte", "right"),
    ("Wunsch erfüllt", "right"),
    ("Abweichungen", "right"),
]
LEGEND = {
    "vermittelt": "Anteil eingezogen (Verhältnis zu allen Haushalten)",
    "Wartetage": "Median bis zum Einzug (Verhältnis)",
    "Punkte": "Median des Platzierungswerts der Wohnung (Verhältnis)",
    "Wunsch erfüllt": "Anteil der Eingezogenen mit Wunschbezirk, die dort wohnen (Verhältnis)",
    "Abweichungen": "Angebote außerhalb der Empfehlungen / alle Angebote (Verhältnis)",
    "–": "weniger als die Mindestzahl an Haushalten (nicht gezeigt)",
}


def _with_ratio(value: float | None, ratio: float | None, fmt: str) -> str:
    """'41 % (0.82)', or '–'."""
    if value is None:
        return "–"
    return fmt.format(value) + (f" ({ratio:.2f})" if ratio is not None else "")


def _cells(r: FairnessRow) -> list[str]:
    """A row of the table."""
    q = r.ratio_to_overall
    name = r.label + (f" ({', '.join(r.merged)})" if r.merged else "")
    return [
        name,
        r.households_shown,
        _with_ratio(r.share_placed, q.get("share_placed"), "{:.0%}"),
        _with_ratio(r.wait_days_median, q.get("wait_days_median"), "{:.0f}"),
        _with_ratio(r.score_median, q.get("score_median"), "{:.1f}"),
        _with_ratio(r.wishes_met_share, q.get("wishes_met_share"), "{:.0%}"),
        _with_ratio(r.override_share, q.get("override_share"), "{:.0%}"),
    ]


def show_fairness(report: FairnessReport) -> None:
    """One table per dimension, the overall row first, then the notes."""
    period = f"{report.since:%d.%m.%Y} bis {report.until:%d.%m.%Y}"
    for table in report.tables:
        show_table(
            f"Fairness nach {table.label}, {period}",
            COLUMNS,
            [_cells(report.overall), *[_cells(r) for r in table.rows]],
        )
    show_table("Erläuterung", [("Spalte", "left"), ("Bedeutung", "left")], list(LEGEND.items()))
    for note in report.notes:
        say(note)
    say(f"Profil {dash(report.profile_version[:19])}")
