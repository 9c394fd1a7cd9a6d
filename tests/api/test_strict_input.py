"""Hostile and sloppy input over real HTTP: no coercion across JSON types, closed vocabularies
answered with the allowed values, 413 for oversized bodies however they are sent, and a login
page that prints no text from the URL."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

HH = {"size": 2, "children_ages": [4], "languages": ["ar"], "needs": [], "move_in": "2027-03-31"}


TITLE_400 = "Ungültige Anfrage"  # was "Invalid input" beside "Invalid request"


def with_household(**changes: Any) -> dict[str, Any]:
    """HH with some fields replaced."""
    return {**HH, **changes}


# (path, body, JSON pointer named in the error)
WRONG_TYPES = [
    ("/api/v1/placements/rank", {"household": with_household(size=True)}, "/household/size"),
    ("/api/v1/placements/rank", {"household": with_household(size="4")}, "/household/size"),
    ("/api/v1/placements/rank", {"household": with_household(size=2.0)}, "/household/size"),
    ("/api/v1/placements/rank", {"household": with_household(move_in=0)}, "/household/move_in"),
    (
        "/api/v1/placements/rank",
        {"household": with_household(move_in="2027-03-31T00:00:00")},
        "/household/move_in",
    ),
    (
        "/api/v1/placements/rank",
        {"household": with_household(children_ages=["4"])},
        "/household/children_ages/0",
    ),
    (
        "/api/v1/placements/rank",
        {"household": with_household(languages="ar")},
        "/household/languages",
    ),
    ("/api/v1/placements/rank", {"household": HH, "limit": "1"}, "/limit"),
    ("/api/v1/placements/rank", {"household": HH, "limit": 1.5}, "/limit"),
    ("/api/v1/placements/rank", {"household": HH, "override_cap": 0}, "/override_cap"),
    ("/api/v1/placements/rank", {"household": HH, "override_cap": "true"}, "/override_cap"),
    ("/api/v1/allocations", {"households": [HH], "capacity_scale": False}, "/capacity_scale"),
    ("/api/v1/allocations", {"households": [HH], "capacity_scale": "1"}, "/capacity_scale"),
    ("/api/v1/allocations", {"households": [HH], "reserve": 1}, "/reserve"),
    ("/api/v1/allocations", {"households": HH}, "/households"),
    ("/api/v1/flats/F-0001/reservations", {"household": HH, "case_ref": 4711}, "/case_ref"),
]
# (method, path, body, words in the answer: the offending value and the allowed ones)
UNKNOWN_VOCABULARY = [
    (
        "POST",
        "/api/v1/placements/rank",
        {"household": with_household(languages=["xx"])},
        ["„xx“", "ISO 639-1", "prs"],
    ),
    (
        "POST",
        "/api/v1/placements/rank",
        {"household": with_household(languages=["arabic"])},
        ["„arabic“", "meinten Sie ar (Arabisch)?"],
    ),
    (
        "POST",
        "/api/v1/placements/rank",
        {"household": with_household(needs=["sauna"])},
        ["„sauna“", "barrier_free"],
    ),
    ("GET", "/api/v1/offers?language=xx", None, ["„xx“", "ISO 639-1"]),
    ("GET", "/api/v1/offers?category=yoga", None, ["„yoga“", "counselling"]),
    (
        "GET",
        "/api/v1/catalogue/coverage?language=ar&category=yoga",
        None,
        ["„yoga“", "language_course"],
    ),
    ("GET", "/api/v1/catalogue/coverage?language=xx&category=counselling", None, ["„xx“"]),
    (
        "GET",
        "/api/v1/catalogue/referral-sheet?flat=F-0001&language=ar&sheet_language=xx",
        None,
        ["„xx“", "de, en"],
    ),
    (
        "GET",
        "/api/v1/catalogue/referral-sheet?flat=F-0001&language=ar&sheet_language=fr",
        None,
        ["„fr“", "uk"],
    ),
    ("GET", "/api/v1/flats?district=Lebenstedt", None, ["„Lebenstedt“", "LEB"]),
    (
        "POST",
        "/api/v1/allocations",
        {"households": [HH], "exclude_districts": ["leb"]},
        ["„leb“", "LEB"],
    ),
    ("GET", "/api/v1/audit?until=0.5", None, ["until", "ISO 8601"]),
    ("GET", "/api/v1/audit?since=1700000000", None, ["since", "ISO 8601"]),
]


def post(server: str, key: str, method: str, path: str, body: object) -> httpx.Response:
    """One request as ``key``."""
    return httpx.request(method, server + path, json=body, headers={"X-API-Key": key}, timeout=60)


@pytest.mark.parametrize(("path", "body", "pointer"), WRONG_TYPES)
def test_wrong_json_types_are_400(
    server: str, keys: dict[str, str], path: str, body: object, pointer: str
) -> None:
    """A value of the wrong JSON type is refused naming its place, never converted."""
    r = post(server, keys["admin"], "POST", path, body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert pointer in [e["pointer"] for e in r.json()["errors"]], r.json()
    assert r.json()["title"] == TITLE_400  # one title per status, whoever refused it


@pytest.mark.parametrize(("method", "path", "body", "words"), UNKNOWN_VOCABULARY)
def test_unknown_vocabulary_is_400_naming_the_allowed_values(
    server: str, keys: dict[str, str], method: str, path: str, body: object, words: list[str]
) -> None:
    """Languages outside ISO 639, unknown categories, needs, sheet languages and district codes
    are 400 problems saying what is allowed; time filters must be ISO 8601."""
    r = post(server, keys["admin"], method, path, body)
    assert r.status_code == 400, r.text
    problem = r.json()
    assert problem["title"] == TITLE_400, problem  # the service's refusals as the schema's
    text = problem["detail"] + json.dumps(problem.get("errors", []))
    for word in words:
        assert word in text, (word, problem)


def test_well_typed_requests_still_work(server: str, keys: dict[str, str]) -> None:
    """The strict models accept what the contract shows: an integer capacity_scale, ISO dates,
    ISO 639-3 codes, date-only audit filters."""
    key = keys["admin"]
    ok = [
        post(server, key, "POST", "/api/v1/placements/rank", {"household": HH, "limit": 3}),
        post(
            server,
            key,
            "POST",
            "/api/v1/placements/rank",
            {"household": with_household(languages=["prs", "ckb"])},
        ),
        post(
            server,
            key,
            "POST",
            "/api/v1/allocations",
            {"households": [HH], "method": "greedy", "capacity_scale": 1},
        ),
        post(server, key, "GET", "/api/v1/audit?since=2020-01-01&until=2100-01-01T00:00:00Z", None),
        post(server, key, "GET", "/api/v1/flats?district=LEB&limit=2", None),
        post(server, key, "GET", "/api/v1/offers?language=ar&category=counselling", None),
    ]
    assert [r.status_code for r in ok] == [200] * len(ok), [r.text for r in ok]


# Every date or date-time input of the API, with a number where the date goes.
NUMBERS_AS_DATES = {
    "GET /api/v1/reports/situation query:since": ("GET", "/api/v1/reports/situation?since=0"),
    "GET /api/v1/reports/fairness query:since": ("GET", "/api/v1/reports/fairness?since=0"),
    "GET /maps/report query:since": ("GET", "/maps/report?since=0"),
    "GET /api/v1/volunteers/recommendation query:since": (
        "GET",
        "/api/v1/volunteers/recommendation?since=0",
    ),
    "GET /api/v1/reservations query:expires_before": (
        "GET",
        "/api/v1/reservations?expires_before=0.5",
    ),
    "GET /api/v1/audit query:since": ("GET", "/api/v1/audit?since=0"),
    "GET /api/v1/audit query:until": ("GET", "/api/v1/audit?until=1700000000"),
    "Household.move_in": ("POST", "/api/v1/placements/rank"),
    "BatchHousehold.move_in": ("POST", "/api/v1/allocations"),
    "NewEntry.entered_on": ("POST", "/api/v1/waiting-list"),
}
BODIES: dict[str, object] = {
    "Household.move_in": {"household": with_household(move_in=0)},
    "BatchHousehold.move_in": {"households": [with_household(move_in=1.5)]},
    "NewEntry.entered_on": {"household": HH, "case_ref": "AZ-DATE-0", "entered_on": 0},
}


def date_inputs() -> set[str]:
    """Every query parameter and request-body property of the OpenAPI document typed as a date
    or date-time (the models a request body reaches, not the answers)."""
    from geo_service.api.app import create_app

    doc = create_app().openapi()
    schemas = doc["components"]["schemas"]
    found: set[str] = set()

    def dated(node: Any) -> bool:
        if not isinstance(node, dict):
            return False
        if node.get("format") in ("date", "date-time"):
            return True
        return any(dated(sub) for sub in node.get("anyOf", []))

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"].rsplit("/", 1)[-1]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    todo: list[str] = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                if dated(p.get("schema")):
                    found.add(f"{method.upper()} {path} {p['in']}:{p['name']}")
            todo += list(refs(op.get("requestBody", {})))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for prop, sub in schemas[name].get("properties", {}).items():
            if dated(sub):
                found.add(f"{name}.{prop}")
        todo += list(refs(schemas[name]))
    return found


def test_every_date_input_is_tried_with_a_number() -> None:
    """A new date parameter must join NUMBERS_AS_DATES (and so the strict date type)."""
    assert date_inputs() == set(NUMBERS_AS_DATES)


@pytest.mark.parametrize("where", sorted(NUMBERS_AS_DATES))
def test_numbers_are_never_dates(server: str, keys: dict[str, str], where: str) -> None:
    """``since=0`` or ``expires_before=0.5`` was read as Unix time (1970-01-01): now 400."""
    method, path = NUMBERS_AS_DATES[where]
    r = post(server, keys["admin"], method, path, BODIES.get(where))
    assert r.status_code == 400, (where, r.text)
    assert "TT.MM.JJJJ" in r.text or "ISO 8601" in r.text, r.text


def test_german_dates_are_dates(server: str, keys: dict[str, str]) -> None:
    """TT.MM.JJJJ is read as the same day as YYYY-MM-DD wherever a person enters a date."""
    key = keys["admin"]

    def same(method: str, iso: str, german: str, body: Any = None, german_body: Any = None) -> None:
        a = post(server, key, method, iso, body)
        b = post(server, key, method, german, german_body if german_body is not None else body)
        assert a.status_code == b.status_code == 200, (a.text, b.text)
        drop = ("generated_at", "computed_at")
        assert {k: v for k, v in a.json().items() if k not in drop} == {
            k: v for k, v in b.json().items() if k not in drop
        }

    same(
        "GET",
        "/api/v1/volunteers/recommendation?since=2026-11-01",
        "/api/v1/volunteers/recommendation?since=1.11.2026",
    )
    same(
        "GET",
        "/api/v1/reservations?expires_before=2030-01-01",
        "/api/v1/reservations?expires_before=01.01.2030",
    )
    rank = "/api/v1/placements/rank"
    same(
        "POST",
        rank,
        rank,
        {"household": HH, "limit": 3},
        {"household": with_household(move_in="31.03.2027"), "limit": 3},
    )
    entry = post(
        server,
        key,
        "POST",
        "/api/v1/waiting-list",
        {
            "household": with_household(move_in="1.4.2027"),
            "case_ref": "AZ-DATE-1",
            "entered_on": "02.11.2026",
        },
    )
    assert entry.status_code == 201, entry.text
    assert entry.json()["entered_on"] == "2026-11-02"
    assert entry.json()["household"]["move_in"] == "2027-04-01"
    bad = post(server, key, "POST", rank, {"household": with_household(move_in="31.02.2027")})
    assert bad.status_code == 400 and "kein Tag des Kalenders" in bad.text


def chunked(server: str, path: str, key: str, size: int) -> tuple[int, dict[str, str], bytes]:
    """POST ``size`` bytes of JSON with Transfer-Encoding: chunked over a raw socket (no
    Content-Length); return status, headers and body."""
    parts = urlsplit(server)
    body = b'{"household": ' + json.dumps(HH).encode() + b', "pad": "' + b"x" * size + b'"}'
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nX-API-Key: {key}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(head)
        try:
            for start in range(0, len(body), 64 * 1024):
                chunk = body[start : start + 64 * 1024]
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed
        answer = b""
        while data := sock.recv(65536):
            answer += data
    status_line, _, rest = answer.partition(b"\r\n")
    raw_headers, _, payload = rest.partition(b"\r\n\r\n")
    headers = {
        k.strip().lower(): v.strip()
        for k, v in (line.decode().split(":", 1) for line in raw_headers.split(b"\r\n") if line)
    }
    return int(status_line.split()[1]), headers, payload


def test_chunked_body_over_the_limit_is_413(server: str, keys: dict[str, str]) -> None:
    """Without Content-Length a body over 1 MiB is 413 problem+json too (not a parse error)."""
    status, headers, payload = chunked(
        server, "/api/v1/placements/rank", keys["housing_office"], 2 * 1024 * 1024
    )
    assert status == 413, payload[:300]
    assert headers["content-type"].startswith("application/problem+json")
    assert "größer als".encode() in payload


def test_small_chunked_body_is_read_whole(server: str, keys: dict[str, str]) -> None:
    """A chunked body under the limit reaches the route intact (here: 400 for the unknown
    field 'pad', which proves the JSON was parsed)."""
    status, _, payload = chunked(server, "/api/v1/placements/rank", keys["housing_office"], 10)
    assert status == 400 and b"/pad" in payload, payload[:300]


HTML = {"Accept": "text/html"}


@pytest.fixture()
def no_redirects() -> Iterator[httpx.Client]:
    """A client that shows redirects instead of following them."""
    with httpx.Client(follow_redirects=False, timeout=30) as c:
        yield c


def test_login_page_prints_no_text_from_the_url(server: str, no_redirects: httpx.Client) -> None:
    """The login page takes no message from the URL (an unknown parameter is refused without
    echoing its value); a failed key login says why in German."""
    spoof = "Ihr Konto ist gesperrt. Rufen Sie 0800-123 an"
    page = no_redirects.get(f"{server}/login", params={"error": spoof}, headers=HTML)
    assert page.status_code == 400
    assert "0800-123" not in page.text and "gesperrt. Rufen" not in page.text
    old = no_redirects.get(f"{server}/maps/login", params={"error": spoof})
    assert old.status_code == 303 and "0800" not in old.headers["location"]
    failed = no_redirects.post(f"{server}/maps/login", data={"key": "gs_wrong"})
    assert failed.status_code == 401 and "Unbekannter" in failed.text
