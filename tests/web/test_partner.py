"""Partner pages over real HTTP: the organisation's offers (drafts and paused included, others'
hidden), create with the address found by the local geocoder, German labels only, a
conflicting edit shown beside the saved one and nothing lost, pause/resume/publish, ending
only after a confirmation, and forms without their token refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Engine, text

from geo_service.auth.keys import KeyInfo
from geo_service.catalogue import editing
from geo_service.config import Settings
from geo_service.geocoding import search
from geo_service.scoring.profile import load_profile
from tests.web.conftest import Person, token_of

PROFILE = load_profile(Settings().profile_path)
CARITAS = KeyInfo("user:caritas", "caritas", "partner", "caritas")
CODES = re.compile(r">\s*(counselling|language_course|draft|active|paused|retired)\s*<")


def an_address(engine: Engine) -> str:
    """An address of the city's index that the geocoder finds for sure."""
    with engine.connect() as conn:
        street, number = conn.execute(
            text(
                "SELECT street, housenumber FROM addresses a WHERE NOT EXISTS ("
                "SELECT 1 FROM addresses b WHERE b.street = a.street AND b.postcode <> "
                "a.postcode) ORDER BY id LIMIT 1"
            )
        ).one()
    return f"{street} {number}"


def new_offer(p: Person, **fields: str) -> tuple[int, str]:
    """Send the new-offer form; the status and where it leads (or the page)."""
    data = {"name": "Sprechstunde Wohnen", "category": "counselling", "languages": "ar", **fields}
    answer = p.submit("/angebote/neu", "/angebote/neu", data)
    return answer.status_code, answer.headers.get("location") or answer.text


def test_the_list_shows_drafts_and_hides_other_organisations(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """Caritas sees its draft (German status, no codes); AWO does not see it and cannot open
    it; a clerk may not open the partner pages."""
    draft = editing.create_offer(
        sample_engine,
        {"name": "Entwurf Hausaufgabenhilfe", "category": "homework_help", "languages": ["de"],
         "lon": 10.34, "lat": 52.15},
        CARITAS,
        PROFILE,
        status="draft",
    )  # fmt: skip
    caritas = person("caritas").http.get("/angebote")
    assert caritas.status_code == 200 and "Entwurf Hausaufgabenhilfe" in caritas.text
    assert "Entwurf</span>" in caritas.text and "Hausaufgabenhilfe" in caritas.text
    assert not CODES.search(caritas.text)
    awo = person("awo")
    assert "Entwurf Hausaufgabenhilfe" not in awo.http.get("/angebote").text
    hidden = awo.http.get(f"/angebote/{draft.id}")
    assert hidden.status_code == 404 and "text/html" in hidden.headers["content-type"]
    refused = person("clerk").http.get("/angebote")
    assert refused.status_code == 403 and "Partnerorganisationen" in refused.text


def test_an_offer_is_placed_at_its_address(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """The address typed is found in the city's index; the offer is stored there (a draft),
    its page names category and languages in German."""
    p = person("caritas")
    address = an_address(sample_engine)
    checked = p.submit(
        "/angebote/neu",
        "/angebote/neu",
        {"name": "Sprechstunde Wohnen", "category": "counselling", "languages": "ar",
         "address": address, "step": "check"},
    )  # fmt: skip
    assert checked.status_code == 200 and "Gefunden:" in checked.text and "<svg" in checked.text
    status, where = new_offer(p, address=address, step="draft")
    assert status == 303 and where.startswith("/angebote/caritas-")
    offer_id = where.split("/")[2].split("?")[0]
    stored = editing.get_offer(sample_engine, offer_id, CARITAS)
    found = search(sample_engine, address).sure
    assert found is not None and stored.status == "draft"
    assert abs(stored.lon - found.lon) < 1e-6 and abs(stored.lat - found.lat) < 1e-6
    assert stored.address == found.label
    page = p.http.get(where)
    assert "Beratung" in page.text and "Arabisch" in page.text and "Entwurf" in page.text
    assert not CODES.search(page.text)


def test_an_unclear_or_unknown_address_saves_nothing(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """A street in two postcode areas: the form asks which; an address not in the city:
    the form says so in German; nothing is stored either way."""
    with sample_engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM offers")).scalar_one()
        street = conn.execute(
            text(
                "SELECT street FROM addresses GROUP BY street HAVING count(DISTINCT postcode) > 1"
                " ORDER BY street LIMIT 1"
            )
        ).scalar_one()
    p = person("caritas")
    status, page = new_offer(p, address=f"{street} 1", step="publish")
    assert status == 400 and "Welche Adresse meinen Sie?" in page
    assert page.count('name="address_choice"') >= 2
    status, page = new_offer(p, address="Zzyzxweg 7", step="publish")
    assert status == 400 and "steht nicht im Adressverzeichnis" in page
    status, page = new_offer(p, address="", name="", languages="", step="publish")
    assert (
        status == 400 and "Bitte geben Sie den Namen" in page and "mindestens eine Sprache" in page
    )
    with sample_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM offers")).scalar_one() == before


def test_a_conflicting_edit_is_shown_and_nothing_is_lost(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """Two colleagues open the same offer; the second to save sees what the first changed
    beside her own input (409, German), her input still in the form; saving again keeps it;
    the history lists both versions and who made them."""
    address = an_address(sample_engine)
    a, b = person("caritas"), person("caritas")
    status, where = new_offer(a, address=address, step="publish")
    page = where.split("?")[0]
    form_a, form_b = a.http.get(f"{page}/bearbeiten").text, b.http.get(f"{page}/bearbeiten").text
    version = re.search(r'name="version" value="(\d+)"', form_a)
    assert version is not None

    def edit(p: Person, form: str, **fields: str) -> tuple[int, str]:
        data = {
            "csrf": token_of(form),
            "version": version.group(1),
            "name": "Sprechstunde Wohnen",
            "category": "counselling",
            "languages": "ar",
            "address": address,
            "step": "save",
            **fields,
        }
        answer = p.http.post(f"{page}/bearbeiten", data=data)
        return answer.status_code, answer.text

    assert edit(a, form_a, name="Sprechstunde Wohnen und Arbeit")[0] == 303
    status, clash = edit(b, form_b, opening_hours="Tu 14:00-17:00")
    assert status == 409 and "Jemand anderes hat dieses Angebot inzwischen geändert" in clash
    assert "Sprechstunde Wohnen und Arbeit" in clash and 'value="Tu 14:00-17:00"' in clash
    newer = re.search(r'name="version" value="(\d+)"', clash)
    assert newer is not None and int(newer.group(1)) == int(version.group(1)) + 1
    version = newer
    assert edit(b, clash, opening_hours="Tu 14:00-17:00")[0] == 303
    history = b.http.get(page).text
    assert "Version 3" in history and "Version 2" in history and "Tu 14:00-17:00" in history


def test_status_steps_and_ending_needs_a_confirmation(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """Publish, pause, resume with the page's version; ending asks first and only the
    confirmed form ends it; an old version is refused in German."""
    p = person("caritas")
    status, where = new_offer(p, address=an_address(sample_engine), step="draft")
    page = where.split("?")[0]
    offer_id = page.split("/")[2]

    def step(action: str, **extra: str) -> tuple[int, str]:
        html = p.http.get(page).text
        version = re.search(r'name="version" value="(\d+)"', html)
        assert version is not None
        data = {"action": action, "version": version.group(1), **extra}
        answer = p.http.post(f"{page}/status", data={"csrf": token_of(html), **data})
        return answer.status_code, answer.headers.get("location") or answer.text

    for action, state in (("publish", "active"), ("pause", "paused"), ("resume", "active")):
        assert step(action)[0] == 303
        assert editing.get_offer(sample_engine, offer_id, CARITAS).status == state
    status, confirm = step("retire")
    assert status == 200 and "Ja, Angebot beenden" in confirm
    assert editing.get_offer(sample_engine, offer_id, CARITAS).status == "active"
    assert step("retire", confirmed="yes")[0] == 303
    assert editing.get_offer(sample_engine, offer_id, CARITAS).status == "retired"
    old = p.http.post(
        f"{page}/status",
        data={"csrf": token_of(p.http.get(page).text), "action": "pause", "version": "1"},
    )
    assert old.status_code == 409 and "inzwischen geändert" in old.text


def test_offer_forms_need_the_token(person: Callable[..., Person], sample_engine: Engine) -> None:
    """A form posted without this session's token (another site) creates nothing."""
    with sample_engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM offers")).scalar_one()
    p = person("caritas")
    data = {"name": "Fremd", "category": "counselling", "languages": "ar", "step": "publish",
            "address": an_address(sample_engine)}  # fmt: skip
    assert p.http.post("/angebote/neu", data=data).status_code == 403
    with sample_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM offers")).scalar_one() == before
