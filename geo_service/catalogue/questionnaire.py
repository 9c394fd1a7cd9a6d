"""Printable questionnaire of a household's wishes (the profile's ``preferences``) in the seven
sheet languages: which districts it would most like to live in (in order) and what matters most
nearby. Every question also in German, small, for the clerk, who types the answers into the
household profile (the codes stand next to each box); no names anywhere. HTML, or PDF through
Chromium's print (``sheet_pdf``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import Engine, select

from geo_service.db import models
from geo_service.errors import InputError
from geo_service.i18n import SHEET_LANGUAGES, _, pgettext, use_language
from geo_service.i18n.jinja import install
from geo_service.scoring.profile import ScoringProfile

HERE = Path(__file__).parent
RTL = frozenset({"ar", "fa"})
# what a tick means as an extra weight: "important" and "very important"
WEIGHTS = (1.0, 2.0)


def category_names() -> dict[str, str]:
    """The profile's scoring categories as a household reads them, in the current language
    (context "sheet"); a category of another city's profile shows its own label."""
    return {
        "grocery": pgettext("sheet", "Supermarkets and food shops"),
        "kita": pgettext("sheet", "Day care for children (Kita)"),
        "primary_school": pgettext("sheet", "Primary school"),
        "secondary_school": pgettext("sheet", "Secondary school"),
        "gp": pgettext("sheet", "Family doctor"),
        "paediatrician": pgettext("sheet", "Children's doctor"),
        "pharmacy": pgettext("sheet", "Pharmacy"),
        "transit_stop": pgettext("sheet", "Bus or train stop"),
        "park_playground": pgettext("sheet", "Park and playground"),
        "language_course": pgettext("sheet", "Language course"),
        "counselling": pgettext("sheet", "Advice and counselling"),
        "health_service": pgettext("sheet", "Health services"),
        "youth_family": pgettext("sheet", "Youth and family services"),
        "job_support": pgettext("sheet", "Help with work and training"),
        "volunteer_help": pgettext("sheet", "Help from volunteers"),
    }


def questions(n_districts: int) -> dict[str, str]:
    """The questionnaire's texts in the current language (context "sheet")."""
    return {
        "title": pgettext("sheet", "Your wishes for your new home"),
        "intro": pgettext(
            "sheet",
            "Answering is voluntary. Your wishes help us choose among the flats that suit "
            "your household; what your household needs always comes first. Please do not "
            "write any names.",
        ),
        "districts": pgettext(
            "sheet",
            "1. Where would you most like to live? Write 1, 2 or 3 in the boxes of up to {n} "
            "districts (1 = most wished).",
        ).format(n=n_districts),
        "district": pgettext("sheet", "District"),
        "nearby": pgettext(
            "sheet",
            "2. What is especially important to you near your home? Tick one box per line, "
            "or none.",
        ),
        "place": pgettext("sheet", "Near my home"),
        "important": pgettext("sheet", "important"),
        "very_important": pgettext("sheet", "very important"),
        "thanks": pgettext("sheet", "Thank you. Please give this sheet back to your case worker."),
    }


def check_language(lang: str) -> str:
    """``lang`` if the questionnaire is printed in it, else a 400 naming the languages."""
    if lang not in SHEET_LANGUAGES:
        raise InputError(
            _("sheet_language “{lang}”: the questionnaire is printed in {languages}").format(
                lang=lang, languages=", ".join(SHEET_LANGUAGES)
            )
        )
    return lang


def questionnaire(engine: Engine, profile: ScoringProfile, lang: str = "de") -> str:
    """The questionnaire's HTML in ``lang`` (one of the sheet languages), every text also in
    German for the clerk; the districts come from the database, the categories from the
    profile."""
    check_language(lang)
    d = models.districts
    with engine.connect() as conn:
        districts = [(code, name) for code, name in conn.execute(select(d.c.code, d.c.name))]
    districts.sort(key=lambda cn: (cn[1] or cn[0]).casefold())
    rules = profile.preference_rules
    n = len(rules.district_points)
    keys = profile.names()
    with use_language(lang):
        texts, names = questions(n), category_names()
    with use_language("de"):
        german, names_de = questions(n), category_names()
        clerk = clerk_note()
    labels = {c.key: c.label for c in profile.category_list()}
    categories = [(k, names.get(k, labels[k]), names_de.get(k, labels[k])) for k in keys]
    env = install(
        jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            keep_trailing_newline=True,
        )
    )
    return env.get_template("questionnaire.html.j2").render(
        lang=lang,
        rtl=lang in RTL,
        t=texts,
        de=german if lang != "de" else None,
        districts=districts,
        categories=categories,
        weights=[f"{w:g}" for w in WEIGHTS if w <= rules.max_category_weight],
        clerk=clerk,
    )


def clerk_note() -> dict[str, Any]:
    """What the clerk types in, in the current language (German on the sheet)."""
    low, high = (f"{w:g}" for w in WEIGHTS)
    return {
        "title": _("For the case worker"),
        "how": _(
            'Type the answers into the household profile as "preferences": districts = the '
            "codes in the order 1, 2, 3; categories = the category code with {low} "
            "(important) or {high} (very important). No names, no free text."
        ).format(low=low, high=high),
        "example": '"preferences": {"districts": ["LEB", "BAD"], '
        f'"categories": {{"language_course": {high}}}}}',
    }
