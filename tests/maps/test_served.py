"""The maps served behind the login, over real HTTP: the session, the household form in a
real Chromium, and bad profiles explained in the page's language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser
from sqlalchemy import Engine

from geo_service.api.server import start_server
from geo_service.auth.keys import create_key
from geo_service.auth.users import create_user
from tests.maps.conftest import HOUSEHOLD

REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']https?://""", re.IGNORECASE)
HTML = {"Accept": "text/html"}
PASSWORD = "ein-langes-test-passwort"
TIMEOUT = 60.0  # rendering a household map takes seconds on a loaded 2-core machine


@pytest.fixture(scope="module")
def served(
    rendered: dict[str, Path], sample_engine: Engine, sample_database_url: str
) -> Iterator[tuple[str, str, str]]:
    """The API serving the rendered maps; a viewer's and a housing office's key."""
    with sample_engine.begin() as conn:
        viewer = create_key(conn, "viewer", "map viewer")[1]
        office = create_key(conn, "housing_office", "map office")[1]
    maps_dir = rendered["districts"].parent
    proc, base = start_server(sample_database_url, env={"GEO_SERVICE_MAPS_DIR": str(maps_dir)})
    yield base, viewer, office
    proc.terminate()
    proc.wait(timeout=20)


def test_a_server_without_rendered_maps_serves_their_assets(
    sample_database_url: str, tmp_path: Path
) -> None:
    """`serve` on a maps folder where `maps render` never ran puts the maps' assets there (an
    empty base layer included), so the household map drawn on request loads Leaflet."""
    proc, base = start_server(sample_database_url, env={"GEO_SERVICE_MAPS_DIR": str(tmp_path)})
    try:
        assert (tmp_path / "static" / "leaflet" / "leaflet.js").is_file()
        assert (tmp_path / "static" / "basemap.js").is_file()
        r = httpx.get(f"{base}/maps/static/leaflet/leaflet.js", timeout=TIMEOUT)
        assert r.status_code == 200 and "Leaflet" in r.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_served_maps_need_a_session(served: tuple[str, str, str]) -> None:
    """303 to the login/401 without a session; viewer sees public maps and the base layer;
    the household page needs housing_office; after the logout the maps are closed."""
    base, viewer, office = served
    assert (
        httpx.get(f"{base}/maps/districts.html", headers=HTML, timeout=TIMEOUT).status_code == 303
    )
    assert httpx.get(f"{base}/maps/districts.html", timeout=TIMEOUT).status_code == 401
    bad = httpx.post(f"{base}/maps/login", data={"key": "nope"}, timeout=TIMEOUT)
    assert bad.status_code == 401 and "Unbekannter" in bad.text
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        r = client.post("/maps/login", data={"key": viewer})
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        page = client.get("/maps/districts.html")
        assert page.status_code == 200 and "leaflet" in page.text
        assert client.get("/maps/static/leaflet/leaflet.js").status_code == 200
        assert client.get("/maps/static/basemap.js").text.startswith("window.GEO_BASEMAP = {")
        query = {"household": json.dumps(HOUSEHOLD)}
        assert client.get("/maps/household", params=query).status_code == 403
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/logout").text)
        assert token is not None
        client.post("/logout", data={"csrf": token.group(1)})
        assert client.get("/maps/districts.html").status_code == 401
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        client.post("/maps/login", data={"key": office})
        r = client.get("/maps/household", params={"household": json.dumps(HOUSEHOLD)})
        assert r.status_code == 200 and "rank-marker" in r.text
        assert "household-form" in r.text and not REMOTE.search(r.text)
        form = client.get("/maps/household")
        assert form.status_code == 200 and "household-form" in form.text
        assert 'class="rank-marker"' not in form.text


@pytest.mark.parametrize(
    ("household", "german"),
    [
        ({**HOUSEHOLD, "size": 0}, "Personen im Haushalt: muss mindestens 1 sein"),
        ({**HOUSEHOLD, "languages": ["xx1"]}, "„xx1“ ist keine bekannte Sprache"),
        ({**HOUSEHOLD, "languages": []}, "mindestens eine Sprache wählen"),
        ({**HOUSEHOLD, "children_ages": [3, 30]}, "Kinder sind 0 bis 17 Jahre alt"),
        (
            {**HOUSEHOLD, "size": 2, "children_ages": [3, 5]},
            "mindestens eine Person muss erwachsen",
        ),
        ({**HOUSEHOLD, "move_in": "2026-02-31"}, "Einzug ab: muss ein Datum sein"),
        ({**HOUSEHOLD, "needs": ["pool"]}, "„pool“ ist kein bekannter Bedarf"),
        ("{not json", "Haushalt: ungültige Angabe"),
    ],
)
def test_bad_profile_is_explained_in_german(
    served: tuple[str, str, str], household: object, german: str
) -> None:
    """A browser gets the form page (400) saying what is wrong in German, no English problem
    JSON; an API client still gets problem+json."""
    base, _, office = served
    raw = household if isinstance(household, str) else json.dumps(household)
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        client.post("/maps/login", data={"key": office})
        r = client.get("/maps/household", params={"household": raw}, headers=HTML)
        assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
        assert german in r.text
        assert "household." not in r.text and "problem" not in r.text.lower()
        api = client.get("/maps/household", params={"household": raw})
        assert api.status_code == 400
        assert api.headers["content-type"].startswith("application/problem+json")


def test_household_form_renders_the_ranking(served: tuple[str, str, str], browser: Browser) -> None:
    """In Chromium: log in, open the form, enter a household, submit: ten ranked flats,
    the title describing the household in words; the page's policy refuses nothing it
    needs (its inline scripts are listed by hash)."""
    base, _, office = served
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    assert context.request.post(f"{base}/maps/login", form={"key": office}).ok
    page.goto(f"{base}/maps/household")
    assert page.locator(".rank-marker").count() == 0
    said = page.locator(".leaflet-control-layers").inner_text()
    said += page.locator("#map-legend").inner_text()
    assert "noch kein Haushalt eingegeben" in said and "1–0" not in said, said
    page.fill("[name=size]", "3")
    page.fill("[name=children_ages]", "5")
    page.select_option("[name=languages]", ["uk"])
    page.check("input[name=needs][value=near_paediatrician]")
    page.fill("[name=move_in]", "01.04.2027")
    page.click("#household-form button[type=submit]")
    page.wait_for_selector(".rank-marker")
    assert page.locator(".rank-marker").count() == 10
    title = page.locator("#map-title").inner_text()
    assert "3 Personen" in title and "Ukrainisch (uk)" in title and "01.04.2027" in title
    assert "Kinderarzt in der Nähe" in title
    page.fill("[name=children_ages]", "5, 30")
    page.click("#household-form button[type=submit]")
    page.wait_for_selector("#household-error")
    assert "Kinder sind 0 bis 17 Jahre alt" in page.locator("#household-error").inner_text()
    assert page.locator("[name=children_ages]").input_value() == "5, 30"  # kept to correct
    assert refused == []
    context.close()


@pytest.fixture(scope="module")
def planner(sample_engine: Engine) -> str:
    """A planner's key (sees the situation report), and a clerk's personal login."""
    with sample_engine.begin() as conn:
        create_user(conn, "maps-office", "housing_office", PASSWORD)
        return create_key(conn, "planner", "map planner")[1]


def test_index_names_maps_by_their_titles(served: tuple[str, str, str], planner: str) -> None:
    """The index links every page by its German title, the report for planners only."""
    base, viewer, _ = served
    for key, report in ((planner, True), (viewer, False)):
        with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
            client.post("/maps/login", data={"key": key})
            page = client.get("/maps/").text
        links = dict(re.findall(r"<a href='([^']+)'>([^<]+)</a>", page))
        assert links["/maps/districts.html"] == "Stadtteile und Sozialstruktur"
        assert links["/maps/offers.html"] == "Angebotskatalog des Runden Tisches"
        assert ("/maps/report" in links) is report
        assert not [t for t in links.values() if re.fullmatch(r"[a-z_]+", t)], links


@pytest.mark.parametrize(
    "target", ["/maps/offers.html", "/maps/report?since=2026-01-05", "/maps/household"]
)
def test_login_brings_the_browser_to_the_page_it_asked_for(
    served: tuple[str, str, str], browser: Browser, planner: str, target: str
) -> None:
    """In Chromium: a page asked for without a session goes to the workspace's login, and
    the login goes on to that page, not to the index."""
    base, _, _ = served
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + target)
    assert page.url.startswith(f"{base}/login?next=")
    page.fill("input[name=login]", "maps-office")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url == base + target
    context.close()


@pytest.mark.parametrize(
    "target",
    [
        "https://example.org/maps/",
        "//example.org/maps/",
        "/\\example.org",
        "/maps/../api/v1/audit",
        "/maps/%2e%2e/api/v1/audit",
        "/api/v1/reports/situation",
        "javascript:alert(1)",
        "/maps/x\r\nSet-Cookie: a=b",
    ],
)
def test_login_never_sends_anyone_elsewhere(served: tuple[str, str, str], target: str) -> None:
    """Only a page of this server is a target: anything else ends on the maps' index (and
    is not written into the login form)."""
    base, viewer, _ = served
    here = target == "/api/v1/reports/situation"  # a page of this server (JSON)
    with httpx.Client(base_url=base, timeout=TIMEOUT, follow_redirects=False) as client:
        form = client.get("/login", params={"next": target}).text
        assert ('name="next"' in form) is here
        r = client.post("/maps/login", data={"key": viewer, "next": target})
        assert r.status_code == 303 and r.headers["location"] == (target if here else "/maps/")
        bad = client.post("/maps/login", data={"key": "nope", "next": target})
        assert bad.status_code == 401 and "Unbekannter" in bad.text


def test_report_opens_with_the_maps_session(served: tuple[str, str, str], planner: str) -> None:
    """The situation report's HTML with the browser session of the maps: a form without a
    date, German pages for a future date or a role below planner, the login for no session
    (401 problem+json for API clients)."""
    base, viewer, _ = served
    with httpx.Client(base_url=base, timeout=TIMEOUT, follow_redirects=False) as client:
        r = client.get("/maps/report", params={"since": "2026-01-05"}, headers=HTML)
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=%2Fmaps%2Freport%3Fsince%3D2026-01-05"
        api = client.get("/maps/report", params={"since": "2026-01-05"})
        assert api.status_code == 401
        assert api.headers["content-type"].startswith("application/problem+json")
        client.post("/maps/login", data={"key": planner})
        r = client.get("/maps/report", params={"since": "2026-01-05"}, headers=HTML)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "Lagebericht für den Runden Tisch" in r.text and "seit 05.01.2026" in r.text
        form = client.get("/maps/report", headers=HTML)
        assert form.status_code == 200 and "name='since'" in form.text
        future = client.get("/maps/report", params={"since": "2999-01-01"}, headers=HTML)
        assert future.status_code == 400 and "in der Zukunft" in future.text
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        client.post("/maps/login", data={"key": viewer})
        r = client.get("/maps/report", params={"since": "2026-01-05"}, headers=HTML)
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
        assert "diese Anmeldung darf ihn nicht sehen" in r.text


def test_only_the_pages_files_are_served(served: tuple[str, str, str]) -> None:
    """/docs/static and /maps/static serve what the pages load, not the npm packages' demo
    pages (leaflet.fullscreen's and Swagger UI's index.html, the latter's initializer that
    points at a public example API)."""
    base, viewer, _ = served
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200
        css = client.get("/docs/static/swagger-ui.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        for name in ("index.html", "swagger-initializer.js", "..%2Fpackage.json"):
            assert client.get(f"/docs/static/{name}").status_code == 404, name
        client.post("/maps/login", data={"key": viewer})
        assert client.get("/maps/static/fullscreen/Control.FullScreen.js").status_code == 200
        assert client.get("/maps/static/fullscreen/index.html").status_code == 404
