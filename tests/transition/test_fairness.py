"""The fairness report on the sample waiting list: figures recounted in SQL, the CLI and the
API give one answer, small groups merged or suppressed so that no hidden group follows from
the totals (a property over random tables too)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from datetime import date, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from geo_service.report.fairness import build_fairness, merge_bands, suppressed_cells
from geo_service.report.fairness_results import FairnessReport
from geo_service.scoring.profile import ScoringProfile
from geo_service.transition.sample import load_sample_waiting_list

SINCE = date.today() - timedelta(days=365)


@pytest.fixture(scope="module")
def sample_list(api_engine: Engine, sample_profile: ScoringProfile) -> FairnessReport:
    """The sample waiting list loaded through the service, and its fairness report."""
    load_sample_waiting_list(api_engine, sample_profile)
    return build_fairness(api_engine, SINCE, sample_profile)


def test_figures_match_a_recount(api_engine: Engine, sample_list: FairnessReport) -> None:
    """All households, placed, median wait and score, wishes met and overrides: the same as
    counted directly from the waiting list, its reservations and the audit log."""
    with api_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT w.status, w.entered_on, w.moved_at::date, r.placement_score, "
                "r.district_code, w.household->'preferences'->'districts' "
                "FROM waiting_list w LEFT JOIN reservations r ON r.id = w.reservation_id "
                "WHERE w.status <> 'withdrawn'"
            )
        ).all()
        overrides = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'waiting_list.offer' "
                "AND detail ? 'override_reason'"
            )
        ).scalar_one()
    moved = [r for r in rows if r[0] == "moved"]
    wished = [r for r in moved if r[5]]
    top = sample_list.overall
    assert top.households == len(rows) and top.placed == len(moved) >= 20
    assert top.wait_days_median == statistics.median((r[2] - r[1]).days for r in moved)
    assert top.score_median == pytest.approx(statistics.median(r[3] for r in moved), abs=0.05)
    assert top.wishes_stated == len(wished) >= 3
    assert top.wishes_met_share == pytest.approx(
        sum(r[4] in r[5] for r in wished) / len(wished), abs=1e-4
    )
    assert top.overrides == overrides > 0
    assert all(v == 1.0 for v in top.ratio_to_overall.values() if v is not None)
    sizes = next(t for t in sample_list.tables if t.dimension == "size")
    shown = [r for r in sizes.rows if not r.suppressed]
    assert sum(r.households or 0 for r in sizes.rows) <= len(rows)
    for r in shown:
        assert r.placed is not None and r.households is not None
        if r.share_placed is not None and top.share_placed:
            assert r.ratio_to_overall["share_placed"] == pytest.approx(
                r.share_placed / top.share_placed, abs=0.01
            )


def test_no_group_is_shown_below_the_threshold(sample_list: FairnessReport) -> None:
    """Every shown group has at least min_cell households; a table adding up to the total
    hides no group or at least two; a figure over fewer households is null."""
    n = sample_list.min_cell
    for table in sample_list.tables:
        hidden = [r for r in table.rows if r.suppressed]
        for r in table.rows:
            assert r.suppressed or (r.households or 0) >= n
            assert not r.suppressed or (r.households is None and r.share_placed is None)
            if r.placed is not None and r.placed < n:
                assert r.wait_days_median is None and r.score_median is None
        if table.partition:
            assert len(hidden) != 1


def test_cli_and_api_give_the_same_report(
    sample_list: FairnessReport, api_engine: Engine, server: str, keys: dict[str, str]
) -> None:
    """``report fairness --json`` and ``GET /api/v1/reports/fairness`` (planners) agree; a
    viewer is refused, a date in the future or no date is a 400."""
    url = api_engine.url.render_as_string(hide_password=False)
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo_service",
            "report",
            "fairness",
            "--since",
            str(SINCE),
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    path = f"{server}/api/v1/reports/fairness"
    api = httpx.get(path, params={"since": str(SINCE)}, headers={"X-API-Key": keys["planner"]})
    assert api.status_code == 200, api.text
    assert json.loads(cli.stdout) == api.json()
    assert api.json()["tables"][0]["rows"] and "Warteliste" in api.json()["notes"][0]
    viewer = httpx.get(path, params={"since": str(SINCE)}, headers={"X-API-Key": keys["viewer"]})
    assert viewer.status_code == 403
    future = str(date.today() + timedelta(days=2))
    for params in ({"since": future}, {}, {"since": "gestern"}, {"since": str(SINCE), "x": "1"}):
        bad = httpx.get(path, params=params, headers={"X-API-Key": keys["planner"]})
        assert bad.status_code == 400, (params, bad.text)
        assert bad.headers["content-type"].startswith("application/problem+json")


@given(st.lists(st.integers(0, 12), min_size=1, max_size=8), st.integers(2, 5))
@settings(max_examples=200, deadline=None)
def test_no_hidden_group_follows_from_the_total(counts: list[int], min_cell: int) -> None:
    """For random tables that add up to a published total: every small count is hidden, and
    never exactly one count is hidden (it would be the total minus the others)."""
    hidden = suppressed_cells(counts, min_cell, partition=True)
    assert all(i in hidden for i, c in enumerate(counts) if 0 < c < min_cell)
    assert len(hidden) != 1 or sum(1 for c in counts if c > 0) == 1
    bands = merge_bands(dict(zip(["1", "2", "3", "4", "5", "6+"], counts, strict=False)), min_cell)
    sizes = [sum(counts[["1", "2", "3", "4", "5", "6+"].index(b)] for b in g) for g in bands]
    assert len(bands) == 1 or all(s >= min_cell for s in sizes)


def test_questionnaire_over_http(server: str, keys: dict[str, str]) -> None:
    """The questionnaire for the housing office: HTML in the asked language, one A4 PDF; a
    viewer is refused, an unknown language is a 400 naming the ones there are."""
    path = f"{server}/api/v1/placements/questionnaire"
    office = {"X-API-Key": keys["housing_office"]}
    page = httpx.get(path, params={"sheet_language": "tr"}, headers=office)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Yeni eviniz için istekleriniz" in page.text and 'lang="tr"' in page.text
    pdf = httpx.get(
        path, params={"sheet_language": "fa", "format": "pdf"}, headers=office, timeout=120
    )
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert httpx.get(path, headers={"X-API-Key": keys["viewer"]}).status_code == 403
    bad = httpx.get(path, params={"sheet_language": "xx"}, headers=office)
    assert bad.status_code == 400 and "ar, fa" in bad.text


def test_districts_show_their_service_places_over_http(server: str, keys: dict[str, str]) -> None:
    """GET /api/v1/districts lists each district's service places as of the sample's day:
    Gebhardshagen's two kita places, none left in Beinum; the labels are the profile's."""
    r = httpx.get(f"{server}/api/v1/districts", headers={"X-API-Key": keys["viewer"]})
    assert r.status_code == 200
    body = r.json()
    rows = body["items"] if isinstance(body, dict) else body
    by = {d["code"]: {s["kind"]: s for s in d["services"] or []} for d in rows}
    assert by["GEB"]["kita"]["free_places"] == 2 and by["GEB"]["kita"]["label"] == "Kita-Plätze"
    assert by["BEI"]["kita"]["left"] == 0 and by["THI"]["language_course"]["free_places"] == 0
    assert by["LEB"]["language_course"]["as_of"] == "2026-11-01"
