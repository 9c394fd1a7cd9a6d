"""The situation report over real HTTP and the CLI: placements since the date match a recount
in SQL, small counts are suppressed, gaps opened by pausing a category's offers appear as
opened, partners' changes are listed, and the PDF has A4 pages with the German headings."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pypdfium2 as pdfium
import pytest
from sqlalchemy import Engine, event, text

from geo_service.config import get_settings
from geo_service.report.collect import MEETING_TZ
from geo_service.report.service import build_report, render_html
from geo_service.scoring.profile import load_profile
from tests.conftest import run_cli
from tests.workspace.conftest import as_
from tests.workspace.scenario import partners_change_offers, place_households, scenario_keys
from tests.workspace.test_partner_offers import NEW_OFFER

TODAY = date.today().isoformat()


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This module's database: a copy of the sample scored with the shipped profile (the run's
    scored template; no re-score of its own)."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def meeting(sample_engine: Engine, server: str, keys: dict[str, str]) -> dict[str, Any]:
    """Households placed, a first report (the gap baseline), then a whole offer category
    paused and an offer changed by partners."""
    profile = load_profile(get_settings().profile_path)
    office, admin = scenario_keys(sample_engine)
    confirmed = place_households(sample_engine, profile, office)
    first = httpx.get(
        f"{server}/api/v1/reports/situation",
        params={"since": TODAY},
        headers=as_(keys["planner"]),
        timeout=120,
    )
    assert first.status_code == 200, first.text
    with sample_engine.connect() as conn:
        category, ids = conn.execute(
            text(
                "SELECT category, array_agg(id ORDER BY id) FROM offers WHERE status = 'active' "
                "GROUP BY category ORDER BY count(*), category LIMIT 1"
            )
        ).one()
    partners_change_offers(sample_engine, profile, list(ids), admin)
    return {
        "confirmed": confirmed,
        "category": category,
        "paused": list(ids),
        "first": first.json(),
    }


def report(http: httpx.Client, key: str, **params: str) -> httpx.Response:
    """GET the situation report."""
    return http.get(
        "/api/v1/reports/situation",
        params={"since": TODAY, **params},
        headers=as_(key),
        timeout=120,
    )


def hidden_ranges(
    cells: list[dict[str, Any]], total: dict[str, Any], floor: int = 1
) -> list[tuple[int, int]]:
    """What a reader can work out of each hidden cell of a list with its total (exact
    reasoning, independent of the service): "< 3" lies in 1..2, any other hidden cell ("×",
    "unterdrückt") is at least ``floor`` (1: only districts with placements are listed)."""
    if total["value"] is None:
        return [(floor, 10**9)] * sum(c["value"] is None for c in cells)
    rest = total["value"] - sum(c["value"] for c in cells if c["value"] is not None)
    marks = [(1, 2) if c["shown"] == "< 3" else (floor, 10**9) for c in cells if c["value"] is None]
    out = []
    for i, (low, high) in enumerate(marks):
        others = [m for j, m in enumerate(marks) if j != i]
        out.append(
            (
                max(low, rest - sum(h for _, h in others)),
                min(high, rest - sum(lo for lo, _ in others)),
            )
        )
    return out


def test_placements_match_a_recount_and_small_cells_are_suppressed(
    http: httpx.Client, keys: dict[str, str], meeting: dict[str, Any], sample_engine: Engine
) -> None:
    """Per district: the recount of confirmed reservations since today, '< 3' below 3, not at
    all for districts under the minimum population, and exact or '×' (hidden so that no hidden
    count follows from the total) from 3 on; no hidden count can be worked out from the
    published ones and the total, in the JSON and in the bridge section (same households)."""
    body = report(http, keys["planner"]).json()
    with sample_engine.connect() as conn:
        recount = dict(
            conn.execute(
                text(
                    "SELECT r.district_code, count(*) FROM reservations r WHERE r.status = "
                    "'confirmed' AND r.confirmed_at >= date_trunc('day', now() AT TIME ZONE "
                    "'Europe/Berlin') AT TIME ZONE 'Europe/Berlin' GROUP BY 1"
                )
            ).all()
        )
        small = set(
            conn.execute(
                text("SELECT district_code FROM district_status WHERE suppressed")
            ).scalars()
        )
    assert sum(recount.values()) == len(meeting["confirmed"])
    n = len(meeting["confirmed"])
    assert body["placements_total"] in (
        {"value": n, "shown": str(n)},
        {"value": None, "shown": "×"},
    )
    shown = {d["code"]: d["placements"] for d in body["placements"]}
    assert set(shown) == set(recount)
    for code, count in recount.items():
        if code in small:
            assert shown[code] == {"value": None, "shown": "unterdrückt"}
        elif count < 3:
            assert shown[code] == {"value": None, "shown": "< 3"}
        else:
            assert shown[code] in (
                {"value": count, "shown": str(count)},
                {"value": None, "shown": "×"},
            )
    assert any(c["value"] is None for c in shown.values())  # the sample places small counts
    for low, high in hidden_ranges(list(shown.values()), body["placements_total"]):
        assert high > low, (body["placements"], body["placements_total"])
    bridges = body["bridges"]
    if bridges["households"] is not None:
        assert bridges["households"] == body["placements_total"]["value"]
    cells = [{"value": bridges["matched"], "shown": bridges["matched_shown"]}]
    cells += list(bridges["unmatched_by_language"].values())
    households = {"value": bridges["households"], "shown": bridges["households_shown"]}
    for low, high in hidden_ranges(cells, households, floor=0):  # "matched" may be 0
        assert high > low, bridges


def test_gaps_opened_by_pausing_a_category(
    http: httpx.Client, keys: dict[str, str], meeting: dict[str, Any]
) -> None:
    """Pausing every offer of a category opens exactly that category's gaps against the first
    report's snapshot: one per district with placed households and catalogue language."""
    body = report(http, keys["planner"]).json()
    gaps = body["gaps"]
    assert gaps["baseline_at"] is not None and not gaps["baseline_before"]
    opened = {(g["district_code"], g["category"], g["language"]) for g in gaps["opened"]}
    assert opened and {c for _, c, _ in opened} == {meeting["category"]}
    assert gaps["current"] - meeting["first"]["gaps"]["current"] == len(opened) - len(
        gaps["closed"]
    )


def test_changed_offers_list_partner_changes_first(
    http: httpx.Client, keys: dict[str, str], meeting: dict[str, Any]
) -> None:
    """The paused offers and the changed hours are listed after the sample's import of today
    (partners' changes first); an organisation's draft is not."""
    draft = http.post(
        "/api/v1/offers",
        json={**NEW_OFFER, "status": "draft"},
        headers=as_(keys["partner_awo"]),
    ).json()
    body = report(http, keys["planner"]).json()
    listed = body["changed_offers"]
    changed = {c["offer_id"]: c for c in listed}
    assert {*meeting["paused"], "O-005"} <= set(changed)
    assert draft["id"] not in changed
    assert changed["O-005"]["actions"] == ["import", "update"]
    assert changed["O-005"]["sources"] == ["api", "import"]
    for offer_id in meeting["paused"]:
        assert changed[offer_id]["actions"] == ["import", "pause"]
    by_partners = [c for c in listed if "api" in c["sources"]]
    assert listed[: len(by_partners)] == by_partners


def test_html_and_pdf_are_german_self_contained_and_without_personal_data(
    http: httpx.Client, keys: dict[str, str], meeting: dict[str, Any]
) -> None:
    """The HTML embeds its charts as PNG data and loads nothing; the PDF has A4 pages whose
    text carries every section heading; no flat address or case reference appears."""
    html = report(http, keys["planner"], format="html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    page = html.text
    assert page.count('src="data:image/png;base64,') >= 1
    assert "http://" not in page and "https://" not in page
    assert "Beispieldaten (illustrativ)" in page
    pdf = report(http, keys["planner"], format="pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    doc = pdfium.PdfDocument(io.BytesIO(pdf.content))
    assert len(doc) >= 2
    width, height = doc[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    words = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    for heading in (
        "Lagebericht für den Runden Tisch",
        "Vermittlungen seit",
        "Auslastung gegenüber dem Quotenplan",
        "Versorgungslücken",
        "Mögliche Doppelangebote",
        "Geänderte Angebote",
    ):
        assert heading in words.replace("\r\n", " ").replace("\n", " "), heading
    assert "Beispielstraße" not in page  # offers' and flats' addresses are not in the report


@pytest.mark.parametrize(
    ("caller", "params", "status"),
    [
        (
            "planner",
            {"since": (datetime.now(MEETING_TZ).date() + timedelta(days=1)).isoformat()},
            400,
        ),
        ("planner", {"since": "gestern"}, 400),
        ("planner", {"format": "docx"}, 400),
        ("viewer", {}, 403),
        ("partner_caritas", {}, 403),
        ("housing_office", {}, 200),
    ],
)
def test_bad_requests_and_roles(
    http: httpx.Client, keys: dict[str, str], caller: str, params: dict[str, str], status: int
) -> None:
    """A future date or a malformed one is 400 problem+json; below planner 403."""
    r = report(http, keys[caller], **params)
    assert r.status_code == status, r.text
    if status >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")
    if status == 400 and "since" in params and params["since"] != "gestern":
        assert "liegt in der Zukunft" in r.json()["detail"]


def test_cli_writes_html_and_pdf(
    sample_database_url: str, tmp_path: Path, meeting: dict[str, Any]
) -> None:
    """``geo-service report --since DATE --out FILE`` writes either format; other suffixes
    and future dates exit 2 with a message."""
    for suffix in (".html", ".pdf"):
        out = tmp_path / f"lagebericht{suffix}"
        done = run_cli(sample_database_url, "report", "--since", TODAY, "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 10_000
    assert (tmp_path / "lagebericht.pdf").read_bytes()[:5] == b"%PDF-"
    bad = run_cli(
        sample_database_url, "report", "--since", TODAY, "--out", str(tmp_path / "x.docx")
    )
    assert bad.returncode == 2 and ".html oder .pdf" in bad.stderr
    future = (date.today() + timedelta(days=3)).isoformat()
    late = run_cli(
        sample_database_url, "report", "--since", future, "--out", str(tmp_path / "x.pdf")
    )
    assert late.returncode == 2 and "liegt in der Zukunft" in late.stderr


def test_waiting_households_by_language_and_size_match_a_recount(
    http: httpx.Client, keys: dict[str, str], meeting: dict[str, Any], sample_engine: Engine
) -> None:
    """Once a waiting list is kept, the report counts the households still waiting or offered
    by first language and size band, as a recount in SQL does, small cells as '< 3'."""
    from geo_service.transition.sample import load_sample_waiting_list

    load_sample_waiting_list(sample_engine, load_profile(get_settings().profile_path))
    with sample_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT household->'languages'->>0, least((household->>'size')::int, 6), "
                "count(*) FROM waiting_list WHERE status IN ('waiting', 'offered') GROUP BY 1, 2"
            )
        ).all()
    expected = {(lang, "6+" if size == 6 else str(size)): n for lang, size, n in rows}
    body = report(http, keys["planner"]).json()
    got = {(c["language"], c["size_band"]): c["households"] for c in body["waiting"]}
    assert set(got) == set(expected) and expected
    for cell, n in expected.items():
        assert got[cell] == (
            {"value": n, "shown": str(n)} if n >= 3 else {"value": None, "shown": "< 3"}
        )
    total = sum(expected.values())
    assert body["waiting_total"]["shown"] == (str(total) if total >= 3 else "< 3")
    page = report(http, keys["planner"], format="html").text
    assert "Wartende Haushalte nach Sprache" in page and "Keine Warteliste geführt" not in page


def test_an_empty_database_gets_a_report_that_says_so(engine: Engine) -> None:
    """On a migrated database with nothing loaded yet, each section says in words that there
    is nothing to show (no empty chart axes); the whole report is read on one connection."""
    profile = load_profile(get_settings().profile_path)
    checkouts: list[object] = []

    def count(*_: object) -> None:
        checkouts.append(1)

    event.listen(engine, "checkout", count)
    try:
        page = render_html(build_report(engine, date.today(), profile), profile)
    finally:
        event.remove(engine, "checkout", count)
    assert len(checkouts) == 1  # every section from one connection's snapshot
    assert "Keine Stadtteile erfasst" in page
    assert 'alt="Auslastung je Stadtteil"' not in page
    assert "wurde kein Haushalt in eine Wohnung vermittelt" in page


def test_summary_parts_add_up_and_name_the_first_load(
    http: httpx.Client, keys: dict[str, str], meeting: dict[str, Any]
) -> None:
    """The changed offers split into parts that add up to the whole, in the JSON and in the
    summary box: the offers the sample's import brought in today are "neu importiert", the
    partners' pauses and edits "von Partnern" (it read "110 Angebote geändert (Partner: 0,
    Import: 0)")."""
    body = report(http, keys["planner"]).json()
    n = body["changed_counts"]
    assert n["total"] == len(body["changed_offers"])
    assert n["imported_new"] + n["by_partners"] + n["by_import"] == n["total"]
    assert n["by_partners"] >= len(meeting["paused"]) and n["imported_new"] > 0
    page = report(http, keys["planner"], format="html").text
    box = re.search(r"<b>(\d+)</b><span>Angebote neu oder geändert: ([^<]+)</span>", page)
    assert box, "the summary box names the changed offers"
    parts = [int(x) for x in re.findall(r"(\d+) ", box.group(2))]
    assert len(parts) == 3 and sum(parts) == int(box.group(1)) == n["total"], box.group(0)
    assert f"{n['imported_new']} neu importiert" in box.group(2)


def test_header_names_the_profile_and_keeps_the_hash_for_auditors(
    http: httpx.Client, keys: dict[str, str], meeting: dict[str, Any]
) -> None:
    """The report's header names the scoring profile and when its scores were computed; its
    version hash is only in small print for auditors (and in the JSON)."""
    profile = load_profile(get_settings().profile_path)
    body = report(http, keys["planner"]).json()
    assert body["profile_name"] == profile.name and body["profile_version"] == profile.version
    assert body["scored_at"] is not None
    page = report(http, keys["planner"], format="html").text
    header = page[page.index('<p class="sub">') : page.index("</p>", page.index('class="sub"'))]
    assert f"Bewertungsprofil „{profile.name}“, Werte berechnet am " in header
    assert "sha256" not in header
    small = f'<p class="audit">Zur Prüfung: Version des Bewertungsprofils {profile.version}</p>'
    assert small in page and page.count("sha256") == 1


def test_every_change_counts_in_exactly_one_part() -> None:
    """New by import (unchanged since), created or changed by a partner (also after an
    import), changed by an import only: each kind of history lands in one part."""
    from datetime import UTC, datetime

    from geo_service.report.collect import change_counts
    from geo_service.report.results import OfferChange

    def change(actions: list[str], created: bool, sources: list[str]) -> OfferChange:
        """One changed offer with this history."""
        return OfferChange(
            offer_id="O-1",
            name="n",
            provider="p",
            status="active",
            actions=actions,
            fields=[],
            created=created,
            last_at=datetime.now(UTC),
            sources=sources,
        )

    histories = [
        (["import"], True, ["import"]),  # the first load
        (["import", "update"], True, ["api", "import"]),  # loaded, then a partner's edit
        (["create"], True, ["api"]),  # a partner's new offer
        (["pause"], False, ["api"]),
        (["import"], False, ["import"]),  # an import changed an older offer
    ]
    n = change_counts([change(*h) for h in histories])
    assert (n.total, n.imported_new, n.by_partners, n.by_import) == (5, 1, 3, 1)
