"""Answers in the language the client asks for, over real HTTP: German by default and for
languages we do not have, English with ``Accept-Language: en``; one title per status; errors
name the field in words."""

from __future__ import annotations

import json
import re

import httpx
import pytest

HH = {"size": 3, "children_ages": [4], "languages": ["ar"], "move_in": "2026-12-01"}


def ask(server: str, key: str, method: str, path: str, language: str | None = None, **kw: object):
    """One request as ``key`` with an optional Accept-Language header."""
    headers = {"X-API-Key": key, **({"Accept-Language": language} if language else {})}
    return httpx.request(method, server + path, headers=headers, timeout=60, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "language", "title", "detail"),
    [
        (None, "de", "Nicht gefunden", "Unter /api/v1/nowhere gibt es nichts"),
        ("de", "de", "Nicht gefunden", "Unter /api/v1/nowhere gibt es nichts"),
        ("en", "en", "Not found", "nothing is at /api/v1/nowhere"),
        ("fr", "de", "Nicht gefunden", "Unter /api/v1/nowhere gibt es nichts"),
        ("en-GB,en;q=0.9", "en", "Not found", "nothing is at /api/v1/nowhere"),
        ("fr-CH, de;q=0.4, en;q=0.7", "en", "Not found", "nothing is at /api/v1/nowhere"),
    ],
)
def test_accept_language_chooses_the_language_of_the_answer(
    server: str, keys: dict[str, str], header: str | None, language: str, title: str, detail: str
) -> None:
    """The best language the client accepts (de or en), German otherwise; the answer says
    which (Content-Language) and that it depends on the header (Vary)."""
    r = ask(server, keys["viewer"], "GET", "/api/v1/nowhere", header)
    assert r.status_code == 404
    assert r.json()["title"] == title and r.json()["detail"].startswith(detail)
    assert r.headers["content-language"] == language
    assert "Accept-Language" in r.headers["vary"]


def test_one_title_per_status(server: str, keys: dict[str, str]) -> None:
    """A body that fails validation and a service's own input error share the 400 title."""
    bad_body = ask(server, keys["housing_office"], "POST", "/api/v1/placements/rank", json={"x": 1})
    bad_query = ask(server, keys["viewer"], "GET", "/api/v1/offers?colour=red")
    bad_need = ask(
        server,
        keys["housing_office"],
        "POST",
        "/api/v1/placements/rank",
        json={"household": {**HH, "needs": ["sauna"]}},
    )
    assert {r.status_code for r in (bad_body, bad_query, bad_need)} == {400}
    assert {r.json()["title"] for r in (bad_body, bad_query, bad_need)} == {"Ungültige Anfrage"}
    english = ask(server, keys["viewer"], "GET", "/api/v1/offers?colour=red", "en")
    assert english.json()["title"] == "Invalid request"


def test_a_missing_body_names_the_required_fields(server: str, keys: dict[str, str]) -> None:
    """No body where one is needed: the answer names the fields it must have (``flat_id``),
    not "/: Field required"."""
    entry = ask(
        server,
        keys["housing_office"],
        "POST",
        "/api/v1/waiting-list",
        json={"household": HH, "case_ref": "LANG-1"},
    ).json()
    path = f"/api/v1/waiting-list/{entry['id']}/offer"
    r = ask(server, keys["housing_office"], "POST", path)
    assert r.status_code == 400
    assert r.json()["detail"] == (
        "der Inhalt der Anfrage fehlt; erwartet wird ein JSON-Objekt mit den Pflichtfeldern flat_id"
    )
    assert r.json()["errors"] == [
        {
            "pointer": "/",
            "message": "fehlt; erwartet wird ein JSON-Objekt mit den Pflichtfeldern flat_id",
        }
    ]
    english = ask(server, keys["housing_office"], "POST", path, "en")
    assert english.json()["detail"] == (
        "the request body is required; send a JSON object with the required fields flat_id"
    )


@pytest.mark.parametrize(
    ("body", "german", "english"),
    [
        (
            {"household": {**HH, "languages": ["arabisch"]}},
            "„arabisch“ ist kein Sprachcode; meinten Sie ar (Arabisch)?",
            "“arabisch” is not a language code; did you mean ar (Arabic)?",
        ),
        (
            {"household": {**HH, "size": 0}},
            "household.size muss mindestens 1 sein",
            "household.size must be at least 1",
        ),
        (  # 01.12.2026 is a date (TT.MM.JJJJ, as the forms ask for it); "Dezember" is not
            {"household": {**HH, "move_in": "Dezember"}},
            "household.move_in: muss ein Datum sein (TT.MM.JJJJ oder JJJJ-MM-TT, z. B. 01.12.2026",
            "household.move_in: must be a date as YYYY-MM-DD or TT.MM.JJJJ, e.g. 2026-12-01",
        ),
        (
            {"household": HH, "limit": 5, "colour": "red"},
            "colour ist kein bekanntes Feld",
            "colour is not a known field",
        ),
    ],
)
def test_invalid_input_is_explained_in_the_asked_language(
    server: str, keys: dict[str, str], body: dict[str, object], german: str, english: str
) -> None:
    """Validation errors name the field and say what it must be, German or English."""
    de = ask(server, keys["housing_office"], "POST", "/api/v1/placements/rank", json=body)
    en = ask(server, keys["housing_office"], "POST", "/api/v1/placements/rank", "en", json=body)
    assert (de.status_code, en.status_code) == (400, 400)
    assert german in de.json()["detail"] and english in en.json()["detail"]


def test_broken_json_is_explained_with_its_position(server: str, keys: dict[str, str]) -> None:
    """A body that is not JSON: where it breaks, in words."""
    r = httpx.post(
        server + "/api/v1/placements/rank",
        content=b'{"household": {"size": 4,',
        headers={"X-API-Key": keys["housing_office"], "content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 400
    assert r.json()["detail"] == "der Inhalt der Anfrage ist kein gültiges JSON (bei Zeichen 25)"


# Words of the English explanations that no German one contains
ENGLISH = re.compile(
    r"\b(the|of|and|is|are|flat|flats|points|quota|counts|fits|waiting|score|"
    r"reserved|allowed|from|district|not|there|held|nearest|offer|must|least|request)\b",
    re.IGNORECASE,
)
# Keys whose values are words for people (the rest are codes, names, numbers)
WORDS = {"title", "detail", "message", "summary", "notes", "explanation", "rule", "note", "reason"}
FUTURE = "2026-12-01"


def words_of(answer: object, key: str | None = None) -> list[str]:
    """Every text for people in a JSON answer (values of WORDS keys, lists of them included)."""
    if isinstance(answer, dict):
        return [w for k, v in answer.items() for w in words_of(v, k)]
    if isinstance(answer, list):
        return [w for v in answer for w in words_of(v, key)]
    return [answer] if isinstance(answer, str) and key in WORDS else []


def english_in(answer: object) -> list[str]:
    """The English words found in an answer's texts."""
    return sorted({m.group(0).lower() for t in words_of(answer) for m in ENGLISH.finditer(t)})


def test_german_answers_hold_no_english_words(server: str, keys: dict[str, str]) -> None:
    """Rank, score, a 400, a 404, a 409 and a waiting-list recommendation: the German answer's
    texts hold none of the English explanations' words; the English answer does (the check
    can fail)."""
    office = keys["housing_office"]
    family = {"size": 4, "children_ages": [3, 8], "languages": ["ar"], "move_in": FUTURE}
    entry = ask(
        server,
        office,
        "POST",
        "/api/v1/waiting-list",
        json={"household": family, "case_ref": "LANG-2"},
    ).json()
    ranked = ask(
        server, office, "POST", "/api/v1/placements/rank", json={"household": family, "limit": 3}
    )
    flat = ranked.json()["results"][0]["flat_id"]
    calls = {
        "rank": ("POST", "/api/v1/placements/rank", {"household": family, "limit": 3}, 200),
        "score": ("POST", f"/api/v1/flats/{flat}/score", {"household": family}, 200),
        "400": ("POST", "/api/v1/placements/rank", {"household": {**family, "size": 0}}, 400),
        "404": ("POST", "/api/v1/flats/F-NOPE/score", {"household": family}, 404),
        "409": ("POST", f"/api/v1/waiting-list/{entry['id']}/move", None, 409),
        "recommendation": (
            "GET",
            f"/api/v1/waiting-list/{entry['id']}/recommendations",
            None,
            200,
        ),
    }
    for name, (method, path, body, status) in calls.items():
        de = ask(server, office, method, path, json=body)
        en = ask(server, office, method, path, "en", json=body)
        assert (de.status_code, en.status_code) == (status, status), (name, de.text)
        assert words_of(de.json()), name
        assert english_in(de.json()) == [], (name, english_in(de.json()), de.json())
        assert english_in(en.json()), (name, en.json())
    rank = ask(server, office, "POST", "/api/v1/placements/rank", json={"household": family})
    best = rank.json()["results"][0]
    assert best["summary"].startswith("Platzierungswert")
    assert "seiner Aufnahmequote erreicht" in best["district"]["explanation"]
    assert "×" not in json.dumps(rank.json(), ensure_ascii=False)
