"""Choosing the language (Accept-Language, the context of a request), German formats, plural
forms, validation errors in words and the language someone meant ("arabisch")."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geo_service.config import get_settings
from geo_service.i18n import _, current_language, ngettext, use_language, validation
from geo_service.i18n.context import accepted, negotiate
from geo_service.i18n.formats import cldr, day, distance, moment, number, percent
from geo_service.i18n.languages import language_name, language_problem, suggest_language
from geo_service.scoring.household import parse_household
from geo_service.scoring.profile import load_profile


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de", "de"),
        ("en", "en"),
        ("fr", "de"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, de;q=0.8", "de"),
        ("de;q=0, en-US", "en"),
        ("*", "de"),
        ("EN", "en"),
        ("en;q=abc, de", "de"),
    ],
)
def test_accept_language_is_negotiated_over_de_and_en(header: str, language: str) -> None:
    """The best language a client accepts that we have; German when none."""
    assert negotiate(accepted(header), ("de", "en"), "de") == language


def test_each_task_keeps_its_own_language() -> None:
    """Two requests at once in different languages do not see each other's (context
    variables): what a service deep down produces follows its own request."""

    async def answer(lang: str) -> str:
        with use_language(lang):
            await asyncio.sleep(0.01)
            return _("Not found")

    async def both() -> list[str]:
        return list(await asyncio.gather(answer("de"), answer("en")))

    assert asyncio.run(both()) == ["Nicht gefunden", "Not found"]
    assert current_language() == "de"


def test_numbers_and_dates_in_german_and_english() -> None:
    """CLDR's formats: "12,5 km", "44 %", "06.12.2026", decimal commas, grouped thousands."""
    assert (distance(12_500), distance(240), distance(3000)) == ("12,5 km", "240 m", "3 km")
    assert percent(0.44) == "44\xa0%" and percent(0.44, lang="en") == "44%"
    assert number(1234.5) == "1.234,5" and number(1234.5, lang="en") == "1,234.5"
    assert day(date(2026, 12, 6)) == "06.12.2026"
    with use_language("en"):
        assert distance(12_500) == "12.5 km" and day(date(2026, 12, 6)) == "6 Dec 2026"
    noon = datetime(2026, 12, 6, 11, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=1)))
    assert moment(noon) == "06.12.2026, 12:30"
    assert moment(noon, lang="en") == "6 Dec 2026, 12:30"  # as written in Europe, like the maps


def test_plural_forms_follow_the_count() -> None:
    """ngettext picks the form per language (German "1 Eintrag", "2 Einträge")."""
    one = ngettext("must have at least {n} entry", "must have at least {n} entries", 1)
    two = ngettext("must have at least {n} entry", "must have at least {n} entries", 2)
    assert one.format(n=1) == "muss mindestens 1 Eintrag haben"
    assert two.format(n=2) == "muss mindestens 2 Einträge haben"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("arabisch", "ar"), ("Arabic", "ar"), ("ARA", "ar"), ("arab", "ar"), ("persisch", "fa"),
     ("Dari", "prs"), ("ukrainisch", "uk"), ("tigrinya", "ti"), ("AR", "ar"), ("xyz", None)],
)  # fmt: skip
def test_the_language_someone_meant(typed: str, code: str | None) -> None:
    """Names in German or English, other cases, ISO 639-2 and near spellings find the code."""
    assert suggest_language(typed) == code


def test_an_unknown_language_gets_a_suggestion_in_words() -> None:
    """ "arabisch" -> "meinten Sie ar (Arabisch)?" (CLDR's names, in the asker's language)."""
    assert language_problem("arabisch") == (
        "„arabisch“ ist kein Sprachcode; meinten Sie ar (Arabisch)?"
    )
    with use_language("en"):
        assert language_problem("arabisch") == (
            "“arabisch” is not a language code; did you mean ar (Arabic)?"
        )
    assert language_problem("ar") is None
    assert "ISO 639-1" in str(language_problem("qqq"))
    assert language_name("kmr") == "Nordkurdisch (Kurmandschi)"
    assert language_name("ar", "uk") == "арабська"


class Offer(BaseModel):
    """A model with the constraints the API's bodies use."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=3)
    size: int = Field(ge=1)
    kind: str
    tags: list[str] = Field(min_length=1)
    day: date


def errors_of(data: object) -> dict[str, str]:
    """Field -> message of every error ``Offer`` finds in ``data``."""
    with pytest.raises(ValidationError) as caught:
        Offer.model_validate(data)
    return {validation.field(e["loc"]): validation.message(e) for e in caught.value.errors()}


def test_validation_errors_in_german_naming_the_field() -> None:
    """One table turns pydantic's error types into German for a person."""
    assert errors_of({"code": "abcd", "size": "x", "tags": [], "day": "1.2.2026", "extra": 1}) == {
        "code": "darf höchstens 3 Zeichen lang sein",
        "size": "muss eine ganze Zahl sein",
        "kind": "fehlt",
        "tags": "muss mindestens 1 Eintrag haben",
        "day": "muss ein Datum sein (JJJJ-MM-TT, z. B. 2026-12-01)",
        "extra": "ist kein bekanntes Feld",
    }
    with use_language("en"):
        assert errors_of({"code": "a", "size": 0, "kind": "x", "tags": ["t"], "day": 3}) == {
            "size": "must be at least 1",
            "day": "must be a date (YYYY-MM-DD, e.g. 2026-12-01)",
        }


def test_a_missing_body_names_the_required_fields() -> None:
    """No body: the message says which fields a body must have."""
    error = {"type": "missing", "loc": ("body",), "msg": "Field required"}
    assert validation.field(error["loc"]) == "der Inhalt der Anfrage"
    assert validation.message(error, ["flat_id"]) == (
        "fehlt; erwartet wird ein JSON-Objekt mit den Pflichtfeldern flat_id"
    )


def test_a_household_with_a_language_name_is_told_the_code() -> None:
    """The household validator says what "arabisch" should be."""
    profile = load_profile(get_settings().profile_path)
    body = {"size": 2, "languages": ["arabisch"], "move_in": "2026-12-01"}
    with pytest.raises(Exception, match="meinten Sie ar \\(Arabisch\\)"):
        parse_household(body, profile)


def test_templates_speak_the_current_language() -> None:
    """A Jinja environment through ``i18n.jinja.install`` translates and formats per render."""
    import jinja2

    from geo_service.i18n.jinja import install

    env = install(jinja2.Environment(autoescape=True))
    page = env.from_string('{{ _("Not found") }}: {{ m | distance }}, {{ d | day }}')
    values = {"m": 12_500, "d": date(2026, 12, 6)}
    assert page.render(values) == "Nicht gefunden: 12,5 km, 06.12.2026"
    with use_language("en"):
        assert page.render(values) == "Not found: 12.5 km, 6 Dec 2026"


@pytest.mark.parametrize("lang", ["de", "en", "ar", "fa", "uk", "ru", "tr"])
def test_fast_numbers_are_what_babel_writes(lang: str) -> None:
    """The hot path's number and percent formats equal Babel's (CLDR) in every language."""
    from babel.numbers import format_decimal, format_percent

    locale = cldr(lang)
    for value in (0, 0.5, 7, 44.25, 999.95, 1234.5, 1_234_567.891, -3.5):
        for decimals in (0, 1, 2):
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            assert number(value, decimals, lang) == format_decimal(
                value, format=pattern, locale=locale
            ), (value, decimals)
    for share in (0, 0.005, 0.44, 0.915, 1, 1.5):
        assert percent(share, lang=lang) == format_percent(share, locale=locale), share


def test_pages_take_lang_and_every_answer_says_its_language() -> None:
    """The middleware: ``?lang=`` on a page that declares it (``page_language``) beats
    Accept-Language; other routes reject it (unknown query parameters are 400); every answer
    says Content-Language and Vary."""
    import httpx
    from fastapi import Depends, FastAPI

    from geo_service.api.deps import reject_unknown_query
    from geo_service.api.problems import install
    from geo_service.i18n.http import LanguageMiddleware, page_language

    app = FastAPI(dependencies=[Depends(reject_unknown_query)])
    install(app)
    app.add_middleware(LanguageMiddleware, default="de")

    @app.get("/page")
    async def page(lang: str = Depends(page_language)) -> dict[str, str]:
        return {"lang": lang, "title": _("Not found")}

    @app.get("/data")
    async def data() -> dict[str, str]:
        return {"title": _("Not found")}

    async def calls() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [
                await client.get("/page?lang=en", headers={"Accept-Language": "de"}),
                await client.get("/page", headers={"Accept-Language": "en-GB"}),
                await client.get("/page"),
                await client.get("/page?lang=fr"),
                await client.get("/data?lang=en"),
            ]

    english, negotiated, default, unknown, undeclared = asyncio.run(calls())
    assert english.json() == {"lang": "en", "title": "Not found"}
    assert english.headers["content-language"] == "en" and english.headers["vary"]
    assert negotiated.json() == {"lang": "en", "title": "Not found"}
    assert default.json() == {"lang": "de", "title": "Nicht gefunden"}
    assert unknown.status_code == 400 and "muss einer dieser Werte sein: de, en" in unknown.text
    assert undeclared.status_code == 400 and "unknown query parameter “lang”" in undeclared.text


def test_an_error_without_the_context_its_text_names_still_reads() -> None:
    """A pydantic error whose context lacks the value the table's text names (or an unknown
    type) gives a generic message, never a KeyError (a 500)."""
    assert validation.message({"type": "greater_than_equal", "loc": ("x",), "ctx": {}}) == (
        "ist kein gültiger Wert"
    )
    assert validation.message({"type": "no_such_type", "loc": ("x",)}) == "ist kein gültiger Wert"
