"""The printable questionnaire of a household's wishes: in each of the seven sheet languages
(every sheet text translated, German beside it for the clerk, right to left for ar and fa),
every district and category with the code the clerk types in, one A4 page, nothing remote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from geo_service.catalogue.questionnaire import category_names, questionnaire, questions
from geo_service.catalogue.sheet_pdf import print_pdf
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.errors import InputError
from geo_service.i18n import SHEET_LANGUAGES, use_language
from geo_service.maps.screenshots import ARGS, CHROMIUM
from geo_service.scoring.profile import ScoringProfile, load_profile


@pytest.fixture(scope="module")
def profile() -> ScoringProfile:
    """The shipped profile."""
    return load_profile(get_settings().profile_path)


@pytest.fixture(scope="module")
def pages(sample_engine: Engine, profile: ScoringProfile) -> dict[str, str]:
    """The questionnaire in every sheet language."""
    return {lang: questionnaire(sample_engine, profile, lang) for lang in SHEET_LANGUAGES}


@pytest.mark.parametrize("lang", SHEET_LANGUAGES)
def test_every_text_in_its_language_with_german_beside_it(
    pages: dict[str, str], sample_engine: Engine, profile: ScoringProfile, lang: str
) -> None:
    """The title and every question in the sheet language (no English source text left in
    another language), German beside them, every district and category with its code."""
    html = pages[lang]
    with use_language(lang):
        texts, names = questions(3), category_names()
    with use_language("en"):
        english = [*questions(3).values(), *category_names().values()]
    assert f'<html lang="{lang}" dir="{"rtl" if lang in ("ar", "fa") else "ltr"}">' in html
    for text in [texts["title"], texts["important"], *names.values()]:
        assert text.replace("'", "&#39;") in html, text
    if lang != "en":
        assert not [e for e in english if len(e) > 12 and e.replace("'", "&#39;") in html]
    if lang != "de":
        assert "Ihre Wünsche für die neue Wohnung" in html  # the clerk's German
    with sample_engine.connect() as conn:
        districts = conn.execute(select(models.districts.c.code, models.districts.c.name)).all()
    for code, name in districts:
        assert name in html and f'<span class="code">{code}</span>' in html
    for key in profile.names():
        assert f'<span class="code">{key}</span>' in html
    assert "Für die Sachbearbeitung" in html and "&#34;preferences&#34;" in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)


def test_unknown_language_is_a_clear_error(sample_engine: Engine, profile: ScoringProfile) -> None:
    """A language the questionnaire is not printed in: the error names those it is."""
    with pytest.raises(InputError, match="ar, fa"):
        questionnaire(sample_engine, profile, "xx")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
@pytest.mark.parametrize("lang", ["ar", "uk"])
def test_one_a4_page_nothing_outside(pages: dict[str, str], lang: str, tmp_path: Path) -> None:
    """At A4 width nothing lies outside the page or overflows its box; the PDF is one page."""
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "q.html"
    page_file.write_text(pages[lang], encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 794, "height": 1123})
        page.goto(page_file.as_uri())
        outside = page.evaluate(
            """() => [...document.querySelectorAll('h1, h2, p, td, th')]
                 .filter(e => { const r = e.getBoundingClientRect();
                   return r.left < 0 || r.right > 794 || e.scrollWidth > e.clientWidth + 1; })
                 .map(e => e.tagName + ': ' + e.textContent.slice(0, 40))"""
        )
        browser.close()
    assert outside == []
    pdf = print_pdf(pages[lang], one_page=True)
    assert pdf[:4] == b"%PDF" and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
