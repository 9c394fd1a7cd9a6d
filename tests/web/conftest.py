"""Workspace fixtures: the scored sample with its waiting list, one personal login per role
(and a partner of each of two organisations), a real uvicorn server, and browsers-as-clients
(httpx with a cookie jar) that log in through the German form."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from geo_service.api.server import start_server
from geo_service.auth.users import create_user
from geo_service.config import Settings
from geo_service.maps import builders, data
from geo_service.maps.assets import vendor
from geo_service.maps.render import STATIC, html_of
from geo_service.scoring.profile import load_profile
from geo_service.transition.sample import load_sample_waiting_list

# login -> (role, organisation)
PEOPLE = {
    "clerk": ("housing_office", None),
    "clerk2": ("housing_office", None),
    "planner": ("planner", None),
    "viewer": ("viewer", None),
    "admin": ("admin", None),
    "caritas": ("partner", "caritas"),
    "awo": ("partner", "awo"),
}
TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This package's modules start from a copy of the scored sample."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def passwords(sample_engine: Engine) -> dict[str, str]:
    """A fresh password per person of ``PEOPLE``, their logins created; the sample's
    ILLUSTRATIVE waiting list loaded."""
    load_sample_waiting_list(sample_engine, load_profile(Settings().profile_path))
    out = {}
    with sample_engine.begin() as conn:
        for login, (role, org) in PEOPLE.items():
            out[login] = secrets.token_urlsafe(12)
            create_user(conn, login, role, out[login], org)
    return out


@pytest.fixture(scope="module")
def maps_dir(sample_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A maps folder holding the public flats map (Folium, inline scripts) and its assets."""
    out = tmp_path_factory.mktemp("maps")
    vendor(out / STATIC)
    with sample_engine.connect() as conn:
        m = builders.flats_map(
            data.flats(conn), data.districts(conn, load_profile(Settings().profile_path).min_cell)
        )
    (out / "flats.html").write_text(html_of(m, STATIC), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def server(passwords: dict[str, str], sample_database_url: str, maps_dir: Path) -> Iterator[str]:
    """Base URL of a real uvicorn server on the module's database, serving ``maps_dir``."""
    proc, base = start_server(sample_database_url, env={"GEO_SERVICE_MAPS_DIR": str(maps_dir)})
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def token_of(html: str) -> str:
    """The form token of a page."""
    found = TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


class Person:
    """A browser as an HTTP client: a cookie jar, German pages, forms with their token."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(
            base_url=base, timeout=60, headers={"Accept": "text/html"}, follow_redirects=False
        )

    def login(self, login: str, password: str, next_page: str = "") -> httpx.Response:
        """Fill in the login form and send it."""
        form = self.http.get("/login")
        data = {"csrf": token_of(form.text), "login": login, "password": password}
        if next_page:
            data["next"] = next_page
        return self.http.post("/login", data=data)

    def submit(self, page: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Open ``page``, then send one of its forms to ``action`` with its token."""
        token = token_of(self.http.get(page).text)
        return self.http.post(action, data={"csrf": token, **data})

    def close(self) -> None:
        """Close the connection."""
        self.http.close()


@pytest.fixture()
def person(server: str, passwords: dict[str, str]) -> Iterator[Callable[..., Person]]:
    """A factory of browsers, logged in as the given login (None: logged out)."""
    made: list[Person] = []

    def make(login: str | None = None) -> Person:
        p = Person(server)
        made.append(p)
        if login is not None:
            answer = p.login(login, passwords[login])
            assert answer.status_code == 303, answer.text
        return p

    yield make
    for p in made:
        p.close()
