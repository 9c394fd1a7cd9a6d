"""Object-level authorisation, route by route: who may read a draft, create, change, pause,
resume, publish and retire an offer kept by Caritas; every 403 is problem+json and an audit
entry; a partner reaches nothing a viewer cannot (no escalation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.auth.keys import KeyInfo
from geo_service.catalogue.editing import create_offer
from geo_service.ingest.sample import sample_profile
from tests.workspace.conftest import as_
from tests.workspace.test_partner_offers import NEW_OFFER

CALLERS = ("viewer", "planner", "housing_office", "admin", "partner_caritas", "partner_awo")
ADMIN = KeyInfo("fixture", "fixture", "admin")
# route -> (state of the Caritas offer it acts on, method, path template, body)
ROUTES: dict[str, tuple[str, str, str, dict[str, Any] | None]] = {
    "GET draft": ("draft", "GET", "/api/v1/offers/{id}", None),
    "GET draft history": ("draft", "GET", "/api/v1/offers/{id}/history", None),
    "POST offer (own org)": ("-", "POST", "/api/v1/offers", NEW_OFFER),
    "POST offer for caritas": (
        "-",
        "POST",
        "/api/v1/offers",
        {**NEW_OFFER, "organisation": "caritas"},
    ),
    "PATCH": ("active", "PATCH", "/api/v1/offers/{id}", {"opening_hours": "Fr 10-12"}),
    "pause": ("active", "POST", "/api/v1/offers/{id}/pause", None),
    "resume": ("paused", "POST", "/api/v1/offers/{id}/resume", None),
    "publish draft": ("draft", "POST", "/api/v1/offers/{id}/publish", None),
    "retire": ("active", "POST", "/api/v1/offers/{id}/retire", None),
}
C, A = "partner_caritas", "partner_awo"
OWN_OR_ADMIN = {c: (200 if c in (C, "admin") else 403) for c in CALLERS}
DRAFT_READ = {c: (200 if c in (C, "admin") else 404) for c in CALLERS}
EXPECTED: dict[str, dict[str, int]] = {
    "GET draft": DRAFT_READ,
    "GET draft history": DRAFT_READ,
    # an admin must name the organisation (400); a partner's key implies its own
    "POST offer (own org)": {**OWN_OR_ADMIN, C: 201, A: 201, "admin": 400},
    "POST offer for caritas": {**OWN_OR_ADMIN, C: 201, "admin": 201},
    "PATCH": OWN_OR_ADMIN,
    "pause": OWN_OR_ADMIN,
    "resume": OWN_OR_ADMIN,
    "publish draft": {**OWN_OR_ADMIN, A: 404},  # another organisation's draft is not disclosed
    "retire": OWN_OR_ADMIN,
}


@pytest.fixture(scope="module")
def caritas_offer(sample_engine: Engine) -> Callable[[str], str]:
    """A factory of fresh Caritas offers in a given state ('-': none needed)."""

    def make(state: str) -> str:
        if state == "-":
            return ""
        status = "draft" if state == "draft" else "active"
        offer = create_offer(
            sample_engine, dict(NEW_OFFER), ADMIN, sample_profile(), "caritas", status
        )
        if state == "paused":
            from geo_service.catalogue.editing import change_status

            change_status(sample_engine, offer.id, "pause", ADMIN)
        return offer.id

    return make


def refusals(engine: Engine, key_id: str) -> int:
    """Audited refusals of one key."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM audit_log "
                    "WHERE action = 'offer_change_refused' AND api_key_id = :k"
                ),
                {"k": key_id},
            ).scalar_one()
        )


def test_authorisation_matrix(
    http: httpx.Client,
    keys: dict[str, str],
    key_infos: dict[str, tuple[KeyInfo, str]],
    caritas_offer: Callable[[str], str],
    sample_engine: Engine,
) -> None:
    """Every caller on every route on a fresh Caritas offer gets the expected status; each
    403 is problem+json and adds one audit entry for that key."""
    seen: dict[str, dict[str, int]] = {}
    for route, (state, method, path, body) in ROUTES.items():
        for caller in CALLERS:
            offer_id = caritas_offer(state)
            headers = as_(keys[caller])
            if method == "PATCH":
                headers["If-Match"] = '"1"'
            before = refusals(sample_engine, key_infos[caller][0].id)
            r = http.request(method, path.format(id=offer_id), json=body, headers=headers)
            seen.setdefault(route, {})[caller] = r.status_code
            if r.status_code == 403:
                assert r.headers["content-type"].startswith("application/problem+json")
                assert refusals(sample_engine, key_infos[caller][0].id) == before + 1
            assert r.status_code < 500
    width = max(map(len, ROUTES))
    print("\n" + " " * width + "  " + " ".join(f"{c:>15}" for c in CALLERS))
    for route, row in seen.items():
        print(f"{route:<{width}}  " + " ".join(f"{row[c]:>15}" for c in CALLERS))
    assert seen == EXPECTED


# Routes beyond the offers: a partner gets what a viewer gets (no household data, no admin).
BEYOND = [
    ("GET", "/api/v1/reservations", None),
    ("GET", "/api/v1/audit", None),
    ("GET", "/api/v1/flats", None),
    ("GET", "/api/v1/districts", None),
    ("GET", "/api/v1/catalogue/coverage", None),
    ("POST", "/api/v1/organisations", {"name": "Eigene Gründung"}),
    (
        "POST",
        "/api/v1/placements/rank",
        {"household": {"size": 1, "languages": ["ar"], "move_in": "2027-01-01"}},
    ),
    (
        "POST",
        "/api/v1/allocations",
        {"households": [{"size": 1, "languages": ["ar"], "move_in": "2027-01-01"}]},
    ),
    ("GET", "/ogc/collections/flats/items", None),
]


def answer(r: httpx.Response) -> Any:
    """The JSON body without an OGC page's ``timeStamp`` (the second it was answered in)."""
    body = r.json()
    if isinstance(body, dict):
        body.pop("timeStamp", None)
    return body


@pytest.mark.parametrize(("method", "path", "body"), BEYOND)
def test_a_partner_is_no_more_than_a_viewer_elsewhere(
    http: httpx.Client, keys: dict[str, str], method: str, path: str, body: Any
) -> None:
    """Outside its own offers a partner key answers exactly as a viewer key does (but for the
    second an OGC page was answered in: the two requests may straddle one)."""
    viewer = http.request(method, path, json=body, headers=as_(keys["viewer"]))
    for caller in ("partner_caritas", "partner_awo"):
        got = http.request(method, path, json=body, headers=as_(keys[caller]))
        assert got.status_code == viewer.status_code, (caller, path, got.text)
        if viewer.status_code == 200 and method == "GET":
            assert answer(got) == answer(viewer)


def test_a_partner_cannot_change_owner_status_or_provider_in_a_patch(
    http: httpx.Client, keys: dict[str, str], caritas_offer: Callable[[str], str]
) -> None:
    """Ownership, status and provider are not fields a PATCH takes: 400, nothing changes."""
    offer_id = caritas_offer("active")
    for field, value in (("organisation_id", "awo"), ("status", "active"), ("provider", "AWO")):
        r = http.patch(
            f"/api/v1/offers/{offer_id}",
            json={field: value},
            headers=as_(keys["partner_caritas"], **{"If-Match": '"1"'}),
        )
        assert r.status_code == 400, field
    got = http.get(f"/api/v1/offers/{offer_id}", headers=as_(keys["viewer"])).json()
    assert (got["organisation_id"], got["provider"], got["version"]) == ("caritas", "Caritas", 1)


def test_partner_keys_need_a_registered_organisation(sample_engine: Engine) -> None:
    """``create_key`` refuses a partner key without an organisation, an organisation on
    another role, and an unknown organisation."""
    from geo_service.auth.keys import create_key
    from geo_service.errors import InputError, NotFound

    with sample_engine.begin() as conn:
        with pytest.raises(InputError, match="braucht --organisation"):
            create_key(conn, "partner", "x")
        with pytest.raises(InputError, match="Nur ein Partner-Schlüssel"):
            create_key(conn, "admin", "x", organisation="caritas")
        with pytest.raises(NotFound, match="registriert sind: awo, caritas"):
            create_key(conn, "partner", "x", organisation="nobody")
