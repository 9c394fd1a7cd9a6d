"""Personal accounts and the one browser session: the `user` commands, argon2 hashes, the
German login form, an HttpOnly SameSite cookie, form tokens, the throttle, disabled accounts,
the idle timeout, logout, and the maps on the same session (or an API key for machines)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import Engine, text

from geo_service.api.app import create_app
from geo_service.auth.keys import create_key
from geo_service.auth.users import create_user, disable_user
from geo_service.config import Settings
from tests.web.conftest import Person, token_of


def geo(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the real CLI against ``url`` (German by default), ``stdin`` as its input."""
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "DATABASE_URL": url, "COLUMNS": "200", "GEO_SERVICE_LANGUAGE": "de"},
        timeout=120,
        check=False,
    )


def audited(engine: Engine, action: str, login: str) -> int:
    """How many audit entries of ``action`` name ``login``."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM audit_log WHERE action = :a AND "
                    "(detail->>'login' = :l OR api_key_id = 'user:' || :l)"
                ),
                {"a": action, "l": login},
            ).scalar_one()
        )


def test_user_commands(sample_database_url: str, sample_engine: Engine) -> None:
    """`user create --password-stdin` makes an argon2id hash (never the password); `list`
    shows logins without hashes; a short password, a partner without organisation and a
    taken login are one German line each; `password` and `disable` work and are audited."""
    made = geo(
        sample_database_url,
        *("user", "create", "--login", "berta", "--role", "partner"),
        *("--organisation", "Caritas", "--password-stdin"),
        stdin="ein-langes-passwort\n",
    )
    assert made.returncode == 0, made.stderr
    with sample_engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE login = 'berta'")).one()
    assert stored[0].startswith("$argon2id$") and "ein-langes-passwort" not in stored[0]
    listed = json.loads(geo(sample_database_url, "user", "list", "--json").stdout)
    row = next(u for u in listed if u["login"] == "berta")
    assert row["organisation"] == "caritas" and row["state"] == "active"
    assert "hash" not in json.dumps(listed)
    short = geo(
        sample_database_url,
        *("user", "create", "--login", "kurz", "--role", "viewer", "--password-stdin"),
        stdin="kurz\n",
    )
    assert short.returncode != 0 and "mindestens 12 Zeichen" in short.stderr
    lonely = geo(
        sample_database_url,
        *("user", "create", "--login", "einsam", "--role", "partner", "--password-stdin"),
        stdin="ein-langes-passwort\n",
    )
    assert lonely.returncode != 0 and "--organisation" in lonely.stderr
    again = geo(
        sample_database_url,
        *("user", "create", "--login", "berta", "--role", "viewer", "--password-stdin"),
        stdin="ein-langes-passwort\n",
    )
    assert again.returncode != 0 and "vergeben" in again.stderr
    changed = geo(
        sample_database_url,
        *("user", "password", "berta", "--password-stdin"),
        stdin="ein-anderes-passwort\n",
    )
    assert changed.returncode == 0, changed.stderr
    assert geo(sample_database_url, "user", "disable", "berta").returncode == 0
    listed = json.loads(geo(sample_database_url, "user", "list", "--all", "--json").stdout)
    assert next(u for u in listed if u["login"] == "berta")["state"] == "disabled"
    for action in ("user_created", "user_password_set", "user_disabled"):
        assert audited(sample_engine, action, "berta") == 1


def test_login_sets_a_private_cookie_and_goes_back(
    server: str, passwords: dict[str, str], sample_engine: Engine
) -> None:
    """The German form logs in; the cookie is HttpOnly and SameSite, the browser goes on to
    the page it asked for (only pages of this server), and the login is audited."""
    asked = httpx.get(f"{server}/maps/", headers={"Accept": "text/html"})
    assert asked.status_code == 303 and asked.headers["location"] == "/login?next=%2Fmaps%2F"
    form = httpx.get(f"{server}/login")
    assert form.status_code == 200 and 'lang="de"' in form.text
    assert (
        "Anmelden" in form.text and 'name="login"' in form.text and 'name="password"' in form.text
    )
    p = Person(server)
    answer = p.login("clerk", passwords["clerk"], next_page="/maps/")
    assert answer.status_code == 303 and answer.headers["location"] == "/maps/"
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("gs_session=")
    ).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert audited(sample_engine, "login", "clerk") >= 1
    elsewhere = Person(server).login("clerk", passwords["clerk"], next_page="//evil.example/")
    assert elsewhere.headers["location"] == "/"
    p.close()


def test_wrong_password_is_refused_in_german_and_audited(
    server: str, sample_engine: Engine
) -> None:
    """A wrong password and an unknown login get the same German answer (401), no cookie,
    and an audit entry each."""
    before = audited(sample_engine, "login_failed", "planner")
    p = Person(server)
    wrong = p.login("planner", "nicht-das-passwort")
    unknown = p.login("niemand", "nicht-das-passwort")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "Anmeldename oder Passwort stimmt nicht" in answer.text
        assert "gs_session=" not in answer.headers.get("set-cookie", "")
    assert audited(sample_engine, "login_failed", "planner") == before + 1
    assert audited(sample_engine, "login_failed", "niemand") == 1


def test_login_form_needs_its_token(server: str, passwords: dict[str, str]) -> None:
    """A login posted without the form's token (from another site) starts no session."""
    answer = httpx.post(f"{server}/login", data={"login": "clerk", "password": passwords["clerk"]})
    assert answer.status_code == 400 and "gs_session=" not in answer.headers.get("set-cookie", "")


def test_failed_logins_are_throttled_even_in_parallel(server: str, sample_engine: Engine) -> None:
    """Twelve wrong passwords at once: at most five are checked (the limit), the rest are
    refused in German without checking (429); then even the right password is refused until
    the failures age out; every refusal is audited."""
    with sample_engine.begin() as conn:
        create_user(conn, "gerd", "viewer", "das-richtige-passwort")

    def guess(n: int) -> int:
        return Person(server).login("gerd", f"falsch-{n}").status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(guess, range(12)))
    assert sorted(set(codes)) == [401, 429], codes
    assert codes.count(401) <= 5 and audited(sample_engine, "login_failed", "gerd") <= 5
    right = Person(server).login("gerd", "das-richtige-passwort")
    assert right.status_code == 429 and "Zu viele fehlgeschlagene Anmeldungen" in right.text
    assert audited(sample_engine, "login_throttled", "gerd") == codes.count(429) + 1
    with sample_engine.begin() as conn:  # the window passes
        conn.execute(text("UPDATE login_failures SET at = at - interval '1 hour'"))
    assert Person(server).login("gerd", "das-richtige-passwort").status_code == 303


def test_forms_need_the_session_token(person: Callable[..., Person]) -> None:
    """Logging out (a state-changing form) with a wrong or missing token is refused (403,
    German) and the session lives on; with the page's token it ends."""
    p = person("viewer")
    for token in ("", "falsch"):
        refused = p.http.post("/logout", data={"csrf": token})
        assert refused.status_code == 403 and "Formular" in refused.text
    assert p.http.get("/").status_code == 200 and "Abmelden" in p.http.get("/").text
    done = p.submit("/", "/logout", {})
    assert done.status_code == 303 and done.headers["location"] == "/login?bye=true"
    assert p.http.get("/maps/").status_code == 303


def test_a_copied_cookie_dies_with_the_logout(person: Callable[..., Person], server: str) -> None:
    """After logout the old cookie value is worthless (the session is gone on the server)."""
    p = person("viewer")
    cookie = p.http.cookies["gs_session"]
    p.submit("/", "/logout", {})
    thief = httpx.get(
        f"{server}/maps/", cookies={"gs_session": cookie}, headers={"Accept": "text/html"}
    )
    assert thief.status_code == 303 and thief.headers["location"].startswith("/login")


def test_a_disabled_account_is_out_on_its_next_request(server: str, sample_engine: Engine) -> None:
    """Disabling an account ends its live session at the next request, and it cannot log in."""
    with sample_engine.begin() as conn:
        create_user(conn, "hanna", "viewer", "hannas-passwort-123")
    p = Person(server)
    assert p.login("hanna", "hannas-passwort-123").status_code == 303
    assert p.http.get("/maps/").status_code == 200
    with sample_engine.begin() as conn:
        disable_user(conn, "hanna")
    assert p.http.get("/maps/").status_code == 303
    assert p.login("hanna", "hannas-passwort-123").status_code == 401


@pytest.mark.parametrize("column", ["last_seen_at", "created_at"])
def test_idle_and_old_sessions_end(
    person: Callable[..., Person], sample_engine: Engine, column: str
) -> None:
    """A session idle longer than session_idle_minutes (30), or older than
    session_max_hours (10), sends the browser to the login page."""
    p = person("viewer")
    assert p.http.get("/maps/").status_code == 200
    with sample_engine.begin() as conn:
        conn.execute(text(f"UPDATE web_sessions SET {column} = {column} - interval '11 hours'"))
    answer = p.http.get("/maps/")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fmaps%2F"


def test_maps_take_the_session_or_a_key(
    person: Callable[..., Person], server: str, sample_engine: Engine
) -> None:
    """The maps open with the personal session; the old /maps/login page leads to the one
    login; machines send an API key (header) or log in with it on /maps/login (a session)."""
    assert person("planner").http.get("/maps/districts.html").status_code in (200, 404)
    old = httpx.get(f"{server}/maps/login")
    assert old.status_code == 303 and old.headers["location"] == "/login?next=%2Fmaps%2F"
    with sample_engine.begin() as conn:
        key = create_key(conn, "planner", "GIS")[1]
    assert httpx.get(f"{server}/maps/", headers={"X-API-Key": key}).status_code == 200
    assert httpx.get(f"{server}/maps/", headers={"X-API-Key": "falsch"}).status_code == 401
    with httpx.Client(base_url=server) as machine:
        assert machine.post("/maps/login", data={"key": key}).status_code == 303
        assert machine.get("/maps/").status_code == 200
        assert machine.post("/maps/login", data={"key": "falsch"}).status_code == 401


def test_password_change_ends_the_other_sessions(server: str, sample_engine: Engine) -> None:
    """A new password ends every live session of the account."""
    from geo_service.auth.users import set_password

    with sample_engine.begin() as conn:
        create_user(conn, "ida", "viewer", "idas-altes-passwort")
    p = Person(server)
    assert p.login("ida", "idas-altes-passwort").status_code == 303
    with sample_engine.begin() as conn:
        set_password(conn, "ida", "idas-neues-passwort")
    assert p.http.get("/maps/").status_code == 303
    assert token_of(p.http.get("/login").text)


# Path parameters of the HTML routes, by name (others get a value that names nothing)
PARAMS = {"name": "flats", "collection_id": "flats", "code": "01"}


def get_paths() -> list[str]:
    """Every GET route of the app, its path parameters filled in."""
    app = create_app(Settings())
    paths = []
    for route in iter_route_contexts(app.routes):  # routes of included routers too
        if isinstance(route.original_route, APIRoute) and "GET" in (route.methods or ()):
            path = route.path_format
            paths.append(re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PARAMS.get(m[1], "x"), path))
    return paths


def test_every_html_page_sends_the_security_headers(
    person: Callable[..., Person], server: str
) -> None:
    """Walking every GET route of the app as an admin, a partner and a stranger: every HTML
    answer has a Content-Security-Policy without inline script and with frame-ancestors
    'none', nosniff and Referrer-Policy same-origin; Folium's map lists its scripts' hashes."""
    browsers = [person("admin"), person("caritas"), person()]
    html: dict[str, str] = {}
    for path in get_paths():
        for b in browsers:
            answer = b.http.get(path)
            if answer.headers.get("content-type", "").startswith("text/html"):
                html[path] = answer.headers.get("content-security-policy", "")
                assert answer.headers.get("x-content-type-options") == "nosniff", path
                assert answer.headers.get("referrer-policy") == "same-origin", path
    for path, csp in html.items():
        rules = dict(rule.strip().split(" ", 1) for rule in csp.split(";"))
        assert rules["frame-ancestors"] == "'none'", path
        assert "'unsafe-inline'" not in rules["script-src"], path
        assert rules["object-src"] == "'none'" and rules["base-uri"] == "'none'", path
    assert {"/", "/login", "/docs", "/maps/", "/maps/flats.html", "/maps/household"} <= set(html)
    folium = dict(rule.strip().split(" ", 1) for rule in html["/maps/flats.html"].split(";"))
    assert folium["script-src"].count("'sha256-") >= 1
    workspace = dict(rule.strip().split(" ", 1) for rule in html["/"].split(";"))
    assert workspace["style-src"] == "'self'" and workspace["script-src"] == "'self'"


def test_http_basic_takes_a_persons_login_too(server: str, sample_engine: Engine) -> None:
    """GIS clients may send a person's login and password as HTTP Basic (issue 30): the
    account's role applies; a wrong password is 401; a disabled account is refused on its
    very next request; an API key with any user name still works."""
    with sample_engine.begin() as conn:
        create_user(conn, "gis-planer", "planner", "gis-passwort-123")
        key = create_key(conn, "viewer", "QGIS")[1]
    url = f"{server}/api/v1/districts"
    assert httpx.get(url, auth=("gis-planer", "gis-passwort-123")).status_code == 200
    assert (
        httpx.get(f"{server}/ogc/collections", auth=("GIS-Planer", "gis-passwort-123")).status_code
        == 200
    )
    assert httpx.get(url, auth=("gis-planer", "falsch")).status_code == 401
    assert httpx.get(url, auth=("qgis", key)).status_code == 200
    with sample_engine.begin() as conn:
        disable_user(conn, "gis-planer")
    assert httpx.get(url, auth=("gis-planer", "gis-passwort-123")).status_code == 401


def test_the_maps_login_sends_the_security_headers(server: str) -> None:
    """/maps/login (issue 34: it sent none): the redirect to the one login and the refused
    key's German form both carry nosniff and Referrer-Policy; the form a strict CSP."""
    old = httpx.get(f"{server}/maps/login")
    refused = httpx.post(f"{server}/maps/login", data={"key": "falsch"})
    assert old.status_code == 303 and refused.status_code == 401
    for answer in (old, refused):
        assert answer.headers.get("x-content-type-options") == "nosniff"
        assert answer.headers.get("referrer-policy") == "same-origin"
    assert refused.headers["content-type"].startswith("text/html")
    rules = dict(
        r.strip().split(" ", 1) for r in refused.headers["content-security-policy"].split(";")
    )
    assert rules["frame-ancestors"] == "'none'" and rules["script-src"] == "'self'"
    assert "Anmelden" in refused.text
