"""Referral sheet: renders in headless Chromium, one A4 page, RTL for Arabic, no remote asset."""

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
    """The Arabic sheet for the sample's first flat, written by the CLI."""
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
        "--out",
        str(out),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


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
