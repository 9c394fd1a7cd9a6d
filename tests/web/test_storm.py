"""A storm of the workspace's forms over real HTTP (two server processes): clerks in four
sessions offering, holding, confirming, declining and releasing among six households and
three contested flats, while two partners edit, pause and resume one offer. No answer is a
5xx, every refusal is a German page, and the database agrees with the answers: no flat offered
or held twice, every hold and move backed by its reservation, one audit entry per step taken,
one offer version per change saved."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, text

from geo_service.api.server import start_server
from geo_service.auth.keys import KeyInfo
from geo_service.catalogue import editing
from geo_service.transition import recommend
from tests.web.conftest import Person, token_of
from tests.web.test_clerk import CLERK, PROFILE, new_entry

CARITAS = KeyInfo("user:caritas", "caritas", "partner", "caritas")
STEPS = 72
VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture(scope="module")
def server(passwords: dict[str, str], sample_database_url: str) -> Iterator[str]:
    """Two server processes on the module's database (they share only the database)."""
    proc, base = start_server(sample_database_url, workers=2)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def test_a_storm_of_forms(server: str, passwords: dict[str, str], sample_engine: Engine) -> None:
    """Mixed steps at once from six sessions: 0 × 5xx, nothing half done or double-booked."""
    entries = [new_entry(sample_engine, f"AZ-STORM-{i}") for i in range(6)]
    advice = recommend.for_household(sample_engine, PROFILE, entries[0], 10, CLERK)
    flats = [o.flat_id for o in advice.flats[:3]]
    offer = editing.create_offer(
        sample_engine,
        {"name": "Sturm-Sprechstunde", "category": "counselling", "languages": ["ar"],
         "lon": 10.34, "lat": 52.15},
        CARITAS,
        PROFILE,
    )  # fmt: skip
    clerks = [Person(server) for _ in range(4)]
    for p, login in zip(clerks, ("clerk", "clerk2", "clerk", "admin"), strict=True):
        assert p.login(login, passwords[login]).status_code == 303
    partners = [Person(server) for _ in range(2)]
    for p in partners:
        assert p.login("caritas", passwords["caritas"]).status_code == 303
    rng = random.Random(34)

    def clerk_step(n: int) -> tuple[str, str, int, str]:
        p, entry = clerks[n % 4], rng.choice(entries)
        action = rng.choice(["offer", "offer", "reserve", "move", "decline", "decline"])
        data = {"action": action, "confirmed": "yes"}
        if action == "offer":
            data |= {"flat_id": rng.choice(flats), "override_reason": "Sturmtest (Beispiel)"}
        if action == "decline":
            data["reason"] = "household_declined"
        page = p.http.get(f"/warteliste/{entry}")
        answer = p.http.post(
            f"/warteliste/{entry}/schritt", data={"csrf": token_of(page.text), **data}
        )
        return action, entry, answer.status_code, answer.text

    def partner_step(n: int) -> tuple[str, str, int, str]:
        p = partners[n % 2]
        page = p.http.get(f"/angebote/{offer.id}").text
        version = VERSION.search(page)
        assert version is not None
        if n % 3:
            action = "edit"
            data = {"csrf": token_of(page), "version": version.group(1), "step": "save",
                    "name": f"Sturm-Sprechstunde {n}", "category": "counselling",
                    "languages": "ar", "lon": "10.34", "lat": "52.15"}  # fmt: skip
            answer = p.http.post(f"/angebote/{offer.id}/bearbeiten", data=data)
        else:
            action = rng.choice(["pause", "resume"])
            data = {"csrf": token_of(page), "version": version.group(1), "action": action}
            answer = p.http.post(f"/angebote/{offer.id}/status", data=data)
        return action, offer.id, answer.status_code, answer.text

    def any_step(n: int) -> tuple[str, str, int, str]:
        return partner_step(n) if n % 4 == 3 else clerk_step(n)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(any_step, range(STEPS)))
    codes = Counter(code for _, _, code, _ in answers)
    assert all(code < 500 for code in codes), codes
    assert set(codes) <= {303, 400, 409}, codes
    for _, _, code, body in answers:
        if code == 409:
            assert 'lang="de"' in body and 'role="alert"' in body
    done = Counter((action, target) for action, target, code, _ in answers if code == 303)
    with sample_engine.connect() as conn:
        double = conn.execute(
            text(
                "SELECT flat_id FROM waiting_list WHERE status IN ('offered', 'reserved') "
                "GROUP BY flat_id HAVING count(*) > 1"
            )
        ).all()
        assert double == []
        broken = conn.execute(
            text(
                "SELECT w.id FROM waiting_list w LEFT JOIN reservations r ON r.id = "
                "w.reservation_id WHERE (w.status = 'reserved' AND (r.status <> 'held' OR "
                "r.flat_id <> w.flat_id)) OR (w.status = 'moved' AND r.status <> 'confirmed')"
            )
        ).all()
        assert broken == []
        for entry in entries:
            audited = conn.execute(
                text(
                    "SELECT count(*) FROM audit_log WHERE request->>'entry_id' = :e AND action "
                    "IN ('waiting_list.offer', 'waiting_list.reserve', 'waiting_list.move', "
                    "'waiting_list.decline')"
                ),
                {"e": entry},
            ).scalar_one()
            taken = sum(n for (action, target), n in done.items() if target == entry)
            assert audited == taken, entry
        versions = conn.execute(
            text("SELECT count(*), max(version) FROM offer_versions WHERE offer_id = :o"),
            {"o": offer.id},
        ).one()
    saved = sum(n for (action, target), n in done.items() if target == offer.id)
    assert versions[0] == 1 + saved and versions[1] == versions[0]
    assert codes[303] > 10  # the storm did work, not only refusals
