"""Fairness report: who waits longer or gets worse flats? Per household group of the waiting
list (size band, language, needs) the median days waited, the median placement score, the
share placed, wishes met and overrides, each beside the overall figure as a ratio.

The households are those on the waiting list at some time since the day asked for (withdrawn
ones left out): moved in since then, or still on the list. No household is shown alone: a group
under the profile's ``min_cell`` households is merged (size bands with their neighbour, small
languages or needs into "other"), a group still under it is suppressed, and where one group
of a table that adds up to the total is hidden another is hidden too (``suppressed_cells``);
a figure computed over fewer than ``min_cell`` households is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
from sqlalchemy import Connection, Engine, Integer, and_, func, or_, select

from geo_service.db import models
from geo_service.errors import InputError
from geo_service.i18n import _, current_language, formats, ngettext
from geo_service.maps.labels import labels_for, sheet_languages
from geo_service.report.fairness_results import (
    RATIO_FIGURES,
    FairnessReport,
    FairnessRow,
    FairnessTable,
)
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile
from geo_service.transition.groups import size_band

SIZE_BANDS = ("1", "2", "3", "4", "5", "6+")
OTHER = "other"  # the key of the group that small groups are merged into
OPEN = ("waiting", "offered", "reserved")


@dataclass(frozen=True)
class Case:
    """One household of the report: its profile, when it joined and moved, its flat's score
    and district, and the offers made to it (with an override reason)."""

    household: Household
    entered_on: date
    moved_on: date | None
    score: float | None
    district: str | None
    offers: int
    overrides: int


def read_cases(conn: Connection, since: date, today: date) -> list[Case]:
    """The waiting list's households on the list at some time since ``since`` (moved in since
    then, or still on it; never withdrawn ones), with their offers since then."""
    w, r, a = models.waiting_list, models.reservations, models.audit_log
    entry = a.c.request["entry_id"].astext
    offers = (
        select(
            entry.label("entry_id"),
            func.count().label("offers"),
            func.count().filter(a.c.detail.has_key("override_reason")).label("overrides"),
        )
        .where(a.c.action == "waiting_list.offer", func.date(a.c.at) >= since)
        .group_by(entry)
        .subquery()
    )
    moved = func.date(w.c.moved_at)
    rows = conn.execute(
        select(
            w.c.household,
            w.c.entered_on,
            moved,
            r.c.placement_score,
            r.c.district_code,
            func.coalesce(offers.c.offers, 0),
            func.coalesce(offers.c.overrides, 0).cast(Integer),
        )
        .select_from(w)
        .join(r, and_(r.c.id == w.c.reservation_id, w.c.status == "moved"), isouter=True)
        .join(offers, offers.c.entry_id == func.cast(w.c.id, models.Text), isouter=True)
        .where(
            w.c.entered_on <= today,
            or_(w.c.status.in_(OPEN), and_(w.c.status == "moved", moved >= since)),
        )
        .order_by(w.c.entered_on, w.c.id)
    ).all()
    return [
        Case(Household.model_validate(h), entered, moved_on, score, district, n, o)
        for h, entered, moved_on, score, district, n, o in rows
    ]


def _median(values: list[float], min_cell: int) -> float | None:
    """The median, when at least ``min_cell`` values stand behind it."""
    return round(float(np.median(values)), 1) if len(values) >= min_cell else None


def _share(part: int, whole: int, min_cell: int) -> float | None:
    """part / whole, when ``whole`` is at least ``min_cell``."""
    return round(part / whole, 4) if whole >= min_cell and whole > 0 else None


def figures(cases: list[Case], today: date, min_cell: int) -> dict[str, float | int | None]:
    """Every figure of a group (each over at least ``min_cell`` households, else None)."""
    placed = [c for c in cases if c.moved_on is not None]
    waiting = [c for c in cases if c.moved_on is None]
    wishes = [(c, c.household.preferences.districts) for c in placed if c.household.preferences]
    wished = [(c, w) for c, w in wishes if w]
    met = [c for c, w in wished if c.district in w]
    offers = sum(c.offers for c in cases)
    overrides = sum(c.overrides for c in cases)
    return {
        "households": len(cases),
        "placed": len(placed),
        "share_placed": _share(len(placed), len(cases), min_cell),
        "wait_days_median": _median(
            [(c.moved_on - c.entered_on).days for c in placed if c.moved_on], min_cell
        ),
        "waiting_days_median": _median([(today - c.entered_on).days for c in waiting], min_cell),
        "score_median": _median([c.score for c in placed if c.score is not None], min_cell),
        "wishes_stated": len(wished),
        "wishes_met_share": _share(len(met), len(wished), min_cell),
        "offers": offers,
        "overrides": overrides,
        "override_share": _share(overrides, offers, min_cell),
    }


def suppressed_cells(counts: list[int], min_cell: int, partition: bool) -> dict[int, str]:
    """Which group counts to hide and how they read: every count from 1 to min_cell - 1
    ("< 3"); in a table whose groups add up to the published total (``partition``), a single
    hidden group would follow from the others, so the smallest shown one is hidden too ("×").
    The one place this report suppresses: to be replaced by the project's shared mechanism."""
    hidden = {i: f"< {min_cell}" for i, n in enumerate(counts) if 0 < n < min_cell}
    if partition and len(hidden) == 1:
        shown = [i for i in range(len(counts)) if i not in hidden and counts[i] > 0]
        if shown:
            hidden[min(shown, key=lambda i: (counts[i], i))] = "×"
    return hidden


def merge_bands(counts: dict[str, int], min_cell: int) -> list[list[str]]:
    """Size bands in order, a band under ``min_cell`` households merged with its smaller
    neighbour until none is (or one group is left)."""
    groups = [[b] for b in SIZE_BANDS if counts.get(b, 0)]

    def n(g: list[str]) -> int:
        return sum(counts.get(b, 0) for b in g)

    while len(groups) > 1:
        small = [i for i, g in enumerate(groups) if n(g) < min_cell]
        if not small:
            break
        i = small[0]
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(groups)]
        j = min(neighbours, key=lambda k: (n(groups[k]), k))
        lo, hi = sorted((i, j))
        groups[lo : hi + 1] = [groups[lo] + groups[hi]]
    return groups


def _band_label(bands: list[str]) -> str:
    """'1 Person', '3 Personen', '3–4 Personen', '5 und mehr Personen'."""
    if bands[-1] == "6+":
        return _("{n} or more persons").format(n=bands[0].rstrip("+"))
    if len(bands) == 1:
        return ngettext("{n} person", "{n} persons", int(bands[0])).format(n=bands[0])
    return _("{first}–{last} persons").format(first=bands[0], last=bands[-1])


Keyed = dict[str, list[int]]  # group key -> the positions of its cases


def _fold_small(groups: Keyed, min_cell: int) -> tuple[Keyed, list[str]]:
    """Groups under ``min_cell`` households folded into one "other" group (a household in
    several of them counted once); the keys folded."""
    small = sorted(k for k, m in groups.items() if len(m) < min_cell)
    if not small:
        return groups, []
    kept = {k: m for k, m in groups.items() if k not in small}
    kept[OTHER] = sorted({i for k in small for i in groups[k]})
    return kept, small


def _table(
    dimension: Literal["size", "language", "needs"],
    title: str,
    groups: list[tuple[str, str, list[int], list[str]]],
    cases: list[Case],
    overall: dict[str, float | int | None],
    today: date,
    min_cell: int,
    partition: bool,
) -> FairnessTable:
    """One table: a row per group (key, label, case positions, groups merged into it)."""
    counts = [len(m) for _, _, m, _ in groups]
    hidden = suppressed_cells(counts, min_cell, partition)
    rows = []
    for i, (key, label, members, merged) in enumerate(groups):
        mine = figures([cases[j] for j in members], today, min_cell)
        rows.append(row(key, label, mine, overall, hidden.get(i), merged))
    return FairnessTable(dimension=dimension, label=title, partition=partition, rows=rows)


def row(
    key: str,
    label: str,
    mine: dict[str, float | int | None],
    overall: dict[str, float | int | None],
    hidden: str | None,
    merged: list[str],
) -> FairnessRow:
    """A group's row: its figures and their ratios to the overall ones (all hidden when the
    group is suppressed)."""
    if hidden is not None:
        return FairnessRow(group=key, label=label, households_shown=hidden, suppressed=True)
    ratios = {}
    for name in RATIO_FIGURES:
        a, b = mine[name], overall[name]
        ratios[name] = round(float(a) / float(b), 2) if a is not None and b else None
    return FairnessRow(
        group=key,
        label=label,
        households_shown=str(mine["households"]),
        merged=merged,
        ratio_to_overall=ratios,
        **mine,
    )


def build_fairness(
    engine: Engine, since: date, profile: ScoringProfile, today: date | None = None
) -> FairnessReport:
    """The fairness report of the waiting list since ``since`` (not in the future)."""
    today = today or date.today()
    if since > today:
        raise InputError(f"since: {since.isoformat()} lies in the future")
    min_cell = profile.min_cell
    with engine.connect() as conn:
        cases = read_cases(conn, since, today)
    overall = figures(cases, today, min_cell)
    n = len(cases)
    top = row(
        "all",
        _("all households"),
        overall,
        overall,
        f"< {min_cell}" if 0 < n < min_cell else None,
        [],
    )
    lab = labels_for(current_language() if current_language() in sheet_languages() else "de")
    by_band: Keyed = {}
    by_language: Keyed = {}
    by_needs: Keyed = {}
    for i, c in enumerate(cases):
        by_band.setdefault(size_band(c.household.size), []).append(i)
        for lang in c.household.languages:
            by_language.setdefault(lang, []).append(i)
        by_needs.setdefault("+".join(sorted(c.household.needs)) or "keine", []).append(i)
    bands = merge_bands({b: len(m) for b, m in by_band.items()}, min_cell)
    size_groups = [
        (
            "+".join(g) if len(g) > 1 else g[0],
            _band_label(g),
            sorted(i for b in g for i in by_band[b]),
            g if len(g) > 1 else [],
        )
        for g in bands
    ]
    languages, folded_languages = _fold_small(by_language, min_cell)
    language_groups = [
        (
            k,
            _("other languages") if k == OTHER else lab.language(k),
            m,
            folded_languages if k == OTHER else [],
        )
        for k, m in sorted(languages.items(), key=lambda kv: (kv[0] == OTHER, -len(kv[1]), kv[0]))
    ]
    needs, folded_needs = _fold_small(by_needs, min_cell)

    def need_label(key: str) -> str:
        if key == "keine":
            return _("no special need")
        if key == OTHER:
            return _("other needs")
        return " + ".join(
            profile.needs[k].label or k if k in profile.needs else k for k in key.split("+")
        )

    need_groups = [
        (k, need_label(k), m, folded_needs if k == OTHER else [])
        for k, m in sorted(needs.items(), key=lambda kv: (kv[0] == OTHER, kv[0] != "keine", kv[0]))
    ]
    tables = [
        _table("size", _("household size"), size_groups, cases, overall, today, min_cell, True),
        _table("language", _("language"), language_groups, cases, overall, today, min_cell, False),
        _table("needs", _("special need"), need_groups, cases, overall, today, min_cell, True),
    ]
    return FairnessReport(
        since=since,
        until=today,
        min_cell=min_cell,
        profile_version=profile.version,
        overall=top,
        tables=tables,
        notes=notes(since, min_cell),
    )


def notes(since: date, min_cell: int) -> list[str]:
    """What the report counts and hides, in the reader's language."""
    return [
        _(
            "Households of the waiting list that were on it at some time since {day}: moved "
            "in since then or still waiting (withdrawn ones not counted)."
        ).format(day=formats.day(since)),
        _(
            "Days waited: from joining the list to moving in (placed households) or to today "
            "(still waiting); score: the placement score of the flat moved into; wishes met: "
            "the share of placed households with wished districts that live in one; overrides: "
            "offers outside the recommendations (with a reason)."
        ),
        _(
            "Groups under {n} households are merged (sizes with their neighbour, languages and "
            "needs into “other”) or suppressed (“< {n}”; “×”: hidden so that no group follows "
            "from the total); figures over fewer than {n} households are not shown."
        ).format(n=min_cell),
        _(
            "Households speaking several languages count in each of them; the ratio is the "
            "group's figure divided by that of all households (above 1: more than on average)."
        ),
    ]
