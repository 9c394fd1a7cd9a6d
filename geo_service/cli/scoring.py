"""``geo-service score``, ``geo-service rank`` and ``geo-service districts``."""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from geo_service.cli.app import app
from geo_service.cli.common import (
    category_words,
    console,
    dash,
    print_json,
    say,
    show_table,
    words,
)
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.errors import InputError
from geo_service.i18n import N_, _, formats

if TYPE_CHECKING:
    from geo_service.scoring.profile import ScoringProfile
    from geo_service.scoring.results import Ranking

# the steps of `score` (codes of scoring/pipeline.py) in words
STEPS = {
    "read": N_("reading"),
    "features": N_("features"),
    "districts": N_("districts"),
    "area_scores": N_("area scores"),
    "write": N_("writing"),
    "cleanup": N_("cleaning up"),
}
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON (keys as in the API).")
FACTOR_LEGEND = N_("district factor: 1 below 80 % of the quota, falling to 0 at 100 %")


def seconds(value: float, decimals: int = 1) -> str:
    """A duration in seconds, written the reader's way ("1,5 s")."""
    return _("{n} s").format(n=formats.number(value, decimals))


@app.command()
def score(profile: ProfilePath = None) -> None:
    """(Re)compute flat features, district status and H3 area scores."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from geo_service.db.engine import get_engine, owner_engine
    from geo_service.scoring.pipeline import score_all
    from geo_service.scoring.ranker_disk import keep_current

    prof = profile_from(profile)
    start = time.perf_counter()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(_("reading flats, amenities and offers"), total=len(STEPS))
        labels = iter(
            [
                _("computing features (cKDTree)"),
                _("district index"),
                _("H3 area scores"),
                _("writing flat_features and area_scores (COPY)"),
                _("dropping the replaced tables"),
                _("done"),
            ]
        )
        engine = owner_engine()  # the owner may swap the rewritten tables in (db/bulk.py)
        try:
            summary = score_all(
                engine, prof, step=lambda _: bar.update(task, advance=1, description=next(labels))
            )
        finally:
            engine.dispose()
    total = time.perf_counter() - start
    how = _("swapped in") if summary.method == "swap" else _("replaced in place (not the owner)")
    console.print(
        _(
            "scored {flats} flats ({rows} feature rows), {districts} districts, {cells} H3 cells "
            "in {total} ({steps}); tables {how}; profile {profile}"
        ).format(
            flats=formats.number(summary.flats, 0),
            rows=formats.number(summary.feature_rows, 0),
            districts=summary.districts,
            cells=formats.number(summary.cells, 0),
            total=seconds(total),
            steps=", ".join(
                f"{words(STEPS, k)} {seconds(v, 2)}" for k, v in summary.seconds.items()
            ),
            how=how,
            profile=prof.version[:19],
        )
    )
    keep_current(get_engine(), prof)  # as `rank` reads it: the next rank reads no features


def read_household_arg(value: str) -> str:
    """The household JSON from a file path or the argument itself."""
    path = Path(value)
    if not value.lstrip().startswith("{") and path.exists():
        return path.read_text(encoding="utf-8")
    if not value.lstrip().startswith("{"):
        raise InputError(
            _("household: “{value}” is neither a JSON object nor an existing file").format(
                value=value
            )
        )
    return value


def show_ranking(ranking: Ranking, profile: ScoringProfile) -> None:
    """The ranked flats as a table with a legend (categories by the profile's labels), then
    why little came back."""
    rows = []
    wished = any(r.wish for r in ranking.results)
    for r in ranking.results:
        best = sorted(r.contributions.items(), key=lambda kv: -kv[1])[:3]
        rows.append(
            (
                r.rank,
                f"{r.flat_id}\n{r.address}" if r.address else r.flat_id,
                formats.number(r.placement_score, 1),
                formats.number(r.infrastructure_score, 1),
                formats.number(r.district.factor, 2),
                r.district.name or r.district.code,
                "\n".join(f"{category_words(k, profile)} {formats.number(v, 1)}" for k, v in best),
                *([f"+{formats.number(r.wish.points, 1)}" if r.wish else "-"] if wished else []),
            )
        )
    score, infra = _("score"), _("infra")
    show_table(
        _("Top {n} of {eligible} fitting flats (profile {profile})").format(
            n=len(rows), eligible=ranking.eligible, profile=ranking.profile_version[:15]
        ),
        [
            ("#", "right"),
            (_("flat, address"), "left"),
            (score, "right"),
            (infra, "right"),
            ("B", "right"),
            (_("district"), "left"),
            (_("most points from"), "left"),
            *([(_("wish"), "right")] if wished else []),
        ],
        rows,
        {
            score: _("placement score = {infra} × B (0-100)").format(infra=infra),
            infra: _("infrastructure score: the category points added up (0-100)"),
            "B": _(FACTOR_LEGEND),
            **(
                {
                    _("wish"): _(
                        "points the household's wishes add (bounded; the order is score + wish)"
                    )
                }
                if wished
                else {}
            ),
        },
    )
    for note in ranking.notes:
        say(_("note: {note}").format(note=note))


@app.command()
def rank(
    household: str = typer.Option(..., help="Household profile: JSON text or a JSON file."),
    top: int = typer.Option(10, min=1, max=10_000, help="How many flats to list."),
    district: list[str] = typer.Option(None, help="Only these district codes (repeatable)."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print the whole answer as JSON, as POST /api/v1/placements/rank returns it "
        "(results, considered, excluded, failed_constraints, notes, ...).",
    ),
    profile: ProfilePath = None,
) -> None:
    """Rank available flats for a household, with explanations."""
    gc.disable()  # one short run: no collector passes over the features' many small objects
    from geo_service.db.engine import get_engine
    from geo_service.scoring.household import parse_household
    from geo_service.scoring.pipeline import held_flats
    from geo_service.scoring.ranker_cache import RankerCache

    prof = profile_from(profile)
    hh = parse_household(read_household_arg(household), prof)
    engine = get_engine()
    rankers = RankerCache(1, disk=True)  # the features read once, then kept between runs
    ranking = rankers.ranker(engine, prof).rank(hh, top, district or None, held=held_flats(engine))
    if as_json:
        print_json(ranking)
        return
    show_ranking(ranking, prof)


@app.command("districts")
def districts_cmd(as_json: bool = JSON_OPTION) -> None:
    """Show the district index, classes, capacity and utilisation (small districts suppressed)."""
    from geo_service.db.engine import get_engine
    from geo_service.scoring.districts import list_status
    from geo_service.scoring.results import DistrictList

    with get_engine().connect() as conn:
        rows = list_status(conn, profile_from(None).min_cell)
    if not rows or all(r.profile_version is None for r in rows):
        raise InputError(_("no district status yet: run `geo-service score`"))
    if as_json:
        print_json(DistrictList(items=rows))
        return
    index, klass, cap, use = _("index"), _("class"), _("cap"), _("use")
    show_table(
        _("Districts (illustrative sample data)"),
        [
            (_("code"), "left"),
            (_("name"), "left"),
            (index, "right"),
            (klass, "right"),
            (cap, "right"),
            (_("placed"), "right"),
            (use, "right"),
            ("B", "right"),
        ],
        [
            (
                r.code,
                r.name,
                dash(r.status_index, lambda v: ("+" if v >= 0 else "") + formats.number(v, 2)),
                dash(r.status_class),
                dash(r.capacity),
                dash(r.placements),
                dash(r.utilisation, formats.percent),
                dash(r.factor, lambda v: formats.number(v, 2)),
            )
            for r in rows
        ],
        {
            index: _("status index, z-scores of the indicators (higher = more burden)"),
            klass: _("status class, 1 (high) to 4 (very low)"),
            cap: _("capacity of the planning period"),
            use: _("placements / capacity of the planning period"),
            "B": _(FACTOR_LEGEND),
            "–": _("suppressed: fewer residents than the profile's minimum"),
        },
    )
