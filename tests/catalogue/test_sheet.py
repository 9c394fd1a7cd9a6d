"""Referral sheet: renders in headless Chromium, one A4 page per language (German first, then
the household's), RTL for Arabic, no remote asset, offers within the profile's radius, a mini
map fitted to the flat and its offers."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from geo_service.db.engine import make_engine
from geo_service.maps.labels import sheet_texts as labels

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LANGS = ["de", "en", "ar", "fa", "uk", "ru", "tr"]


def test_labels_cover_every_language_and_key():
    keys = set(labels()["de"])
    assert set(LANGS) <= set(labels())
    for lang in LANGS:
        assert set(labels()[lang]) == keys
        assert set(labels()[lang]["categories"]) == set(labels()["de"]["categories"])
    assert labels()["ar"]["rtl"] and labels()["fa"]["rtl"] and not labels()["de"]["rtl"]


@pytest.fixture(scope="module")
def sheet_html(sample_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Arabic sheet (asked for alone) for the sample's first flat, written by the CLI."""
    out = tmp_path_factory.mktemp("sheet") / "sheet.html"
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    eng = make_engine(sample_database_url)
    with eng.connect() as conn:
        flat = conn.execute(text("SELECT id FROM flats ORDER BY id LIMIT 1")).scalar_one()
    eng.dispose()
    cmd = [
        sys.executable,
        "-m",
        "geo_service",
        "referral-sheet",
        "--flat",
        flat,
        "--language",
        "ar",
        "--language",
        "ku",
        "--sheet-language",
        "ar",
        "--out",
        str(out),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def test_cli_prints_one_a4_page_per_language(sample_database_url: str, tmp_path: Path) -> None:
    """``--out x.pdf`` prints the sheet through Chromium: the German page and the household's
    (Ukrainian) page, each on exactly one A4 page."""
    out = tmp_path / "sheet.pdf"
    env = {**os.environ, "DATABASE_URL": sample_database_url}
    cmd = [sys.executable, "-m", "geo_service", "referral-sheet", "--flat", "F-0412"]
    cmd += ["--language", "uk", "--out", str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    pdf = out.read_bytes()
    assert pdf[:4] == b"%PDF" and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
    assert b"/MediaBox [0 0 594.95996 841.91998]" in pdf or b"595" in pdf


def test_sheet_has_no_remote_asset(sheet_html: Path):
    html = sheet_html.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert "@import" not in html and "url(" not in html
    assert 'dir="rtl"' in html and "<svg" in html


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
def test_sheet_prints_on_one_a4_page_rtl(sheet_html: Path, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS
        )
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(sheet_html.as_uri())
        direction = page.evaluate("getComputedStyle(document.body).direction")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        browser.close()
    assert direction == "rtl"
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"{pages} pages"
    assert io.BytesIO(pdf).read(4) == b"%PDF"


@pytest.fixture(scope="module")
def sample_db(sample_database_url: str):  # type: ignore[no-untyped-def]
    """An engine on this module's sample database."""
    eng = make_engine(sample_database_url)
    yield eng
    eng.dispose()


def test_sheet_says_address_hours_languages_in_words(sample_db) -> None:  # type: ignore[no-untyped-def]
    """The Ukrainian sheet of F-0412: the flat's address, Ukrainian weekday names, languages
    by name with their code, and German offers that are also given in other languages say
    so ("також: …") instead of "German only"."""
    from geo_service.catalogue.sheet import referral_sheet
    from geo_service.maps.labels import labels_for

    html = referral_sheet(sample_db, "F-0412", ["uk"], "uk")
    uk = labels_for("uk")
    with sample_db.connect() as conn:
        address = conn.execute(text("SELECT address FROM flats WHERE id = 'F-0412'")).scalar()
    assert address and address in html
    assert "українська (uk)" in html and "німецька (de)" in html
    assert not re.search(r"<td>\s*(?:[a-z]{2,3}, )*[a-z]{2,3}\s*<", html)  # no bare code list
    assert "Mo-Fr" not in html and ("пн" in html or "вт" in html or "ср" in html)
    assert f"{uk.sheet['also_in']}: " in html
    only = 0
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        if uk.sheet["fallback"] in row:  # "German only" only where it is true
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            assert "німецька (de)" in cells[4] and cells[4].count("(") == 1, row
            only += 1
    assert only + html.count(f"{uk.sheet['also_in']}: ") >= 1


def test_mini_map_has_streets_and_a_scale(sample_db) -> None:  # type: ignore[no-untyped-def]
    """The SVG draws the stored network's streets around the flat and a metric scale bar
    whose length matches its label (the map's metres per pixel from the offers' spread)."""
    from geo_service.catalogue.sheet_map import mini_map
    from geo_service.catalogue.store import point_xy

    origin = point_xy(sample_db, "F-0412")
    near = [(1, origin[0] + 800.0, origin[1]), (2, origin[0], origin[1] - 600.0)]
    m = mini_map(sample_db, origin, near)
    assert m.minor.count("M") > 50  # residential streets within 1 km
    px_per_m = (m.points[0][1] - m.flat[0]) / 800.0
    assert abs(m.scale_px - m.scale_m * px_per_m) < 0.2
    assert 0 < m.scale_px <= m.size / 3
    far = mini_map(sample_db, origin, [(1, origin[0] + 9000.0, origin[1])])
    assert far.minor == "" and far.main.count("M") > 5  # main roads only at that scale


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_nothing_clipped_on_a4(sample_db, lang: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """At A4 width every cell, the title and the map lie inside the page and no text
    overflows its box, in every sheet language."""
    from playwright.sync_api import sync_playwright

    from geo_service.catalogue.sheet import referral_sheet
    from geo_service.maps.screenshots import ARGS as SHOT_ARGS

    page_file = tmp_path / "sheet.html"
    page_file.write_text(referral_sheet(sample_db, "F-0412", ["ar"], lang), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=SHOT_ARGS)
        page = browser.new_page(viewport={"width": 794, "height": 1123})
        page.goto(page_file.as_uri())
        outside = page.evaluate(
            """() => [...document.querySelectorAll('h1, p, td, th, svg, figcaption')]
                 .filter(e => { const r = e.getBoundingClientRect();
                   return r.left < 0 || r.right > 794 || r.top < 0
                          || e.scrollWidth > e.clientWidth + 1; })
                 .map(e => e.tagName + ': ' + e.textContent.slice(0, 40))"""
        )
        height = page.evaluate("document.documentElement.scrollHeight")
        browser.close()
    assert outside == []
    assert height <= 1123 * 1.3  # the PDF scales a long sheet onto its one page


def test_german_first_then_the_households_language(sample_db) -> None:  # type: ignore[no-untyped-def]
    """Without a sheet language the sheet is German, with a second page in the household's
    first language that has labels (Kurdish has none, Arabic has); asked for, one page."""
    from geo_service.catalogue.sheet import referral_sheet

    pages = re.findall(
        r'<section class="sheet-page" lang="(\w+)" dir="(\w+)"',
        html := (referral_sheet(sample_db, "F-0412", ["ku", "ar"])),
    )
    assert pages == [("de", "ltr"), ("ar", "rtl")]
    titles = re.findall(r"<h1>([^<]+)</h1>", html)
    assert titles == ["Hilfe in Ihrer Nähe", labels()["ar"]["title"]]
    german = re.findall(r'lang="(\w+)"', referral_sheet(sample_db, "F-0412", ["de"]))
    assert german == ["de", "de"]  # the document and its one page
    alone = referral_sheet(sample_db, "F-0412", ["ar"], "tr")
    assert re.findall(r'<section class="sheet-page" lang="(\w+)"', alone) == ["tr"]


@pytest.mark.parametrize("flat", ["F-0110", "F-0412", "F-0777"])
def test_only_offers_within_the_radius_are_listed(sample_db, flat: str) -> None:  # type: ignore[no-untyped-def]
    """Every listed offer lies within the profile's radius (5 km; F-0110's Arabic sheet used
    to list offers 10.7 and 12.7 km away), the sheet says the radius in words, and a
    category without an offer that near says so ("kein Angebot im Umkreis von 1 km")."""
    from geo_service.catalogue.sheet import referral_sheet
    from geo_service.config import get_settings
    from geo_service.scoring.profile import load_profile

    radius = load_profile(get_settings().profile_path).catalogue.sheet_radius_m
    assert radius == 5000.0
    html = referral_sheet(sample_db, flat, ["ar"], "de", radius)
    assert "Angebote bis 5 km Luftlinie von der Wohnung" in html
    distances = [
        float(v.replace(".", "").replace(",", ".")) * (1000 if unit == "km" else 1)
        for v, unit in re.findall(r"<td><bdi>([\d.,]+) (k?m)</bdi></td>", html)
    ]
    assert distances and max(distances) <= radius, distances
    near = referral_sheet(sample_db, flat, ["ar"], "de", 1000.0)
    assert "kein Angebot im Umkreis von 1 km" in near


def test_mini_map_fits_the_flat_and_its_offers(sample_db) -> None:  # type: ignore[no-untyped-def]
    """The map is fitted to the flat and the offers (not centred on the flat with half of it
    empty), everything lies inside it and above the scale bar, and the flat is drawn last
    (on top) as a square unlike the offers' numbered circles."""
    from geo_service.catalogue.sheet import referral_sheet
    from geo_service.catalogue.sheet_map import MARGIN_PX, SCALE_STRIP_PX, mini_map
    from geo_service.catalogue.store import point_xy

    origin = point_xy(sample_db, "F-0412")
    m = mini_map(
        sample_db, origin, [(1, origin[0] + 800.0, origin[1]), (2, origin[0], origin[1] - 600.0)]
    )
    xs = [m.flat[0], *(x for _, x, _ in m.points)]
    ys = [m.flat[1], *(y for _, _, y in m.points)]
    inner = m.size - 2 * MARGIN_PX - SCALE_STRIP_PX
    assert all(MARGIN_PX <= x <= m.size - MARGIN_PX for x in xs)
    assert all(MARGIN_PX <= y <= MARGIN_PX + inner for y in ys)  # clear of the scale bar
    assert max(max(xs) - min(xs), max(ys) - min(ys)) >= 0.85 * inner
    html = referral_sheet(sample_db, "F-0412", ["ar"], "de")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.index('<rect class="flat"') > svg.rindex('<circle class="offer"')
