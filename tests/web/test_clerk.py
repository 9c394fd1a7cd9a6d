"""Clerk pages over real HTTP: the waiting list's filters, a case found by a reference that
never enters a URL, the holds due today, one household's page, the day's steps with their
confirmations and reasons, two clerks offering one flat at once, and the two-language sheet."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from geo_service.auth.keys import KeyInfo
from geo_service.config import Settings
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import load_profile
from geo_service.scoring.ranker_cache import ranker_of
from geo_service.transition import recommend, store
from geo_service.transition.schemas import NewEntry
from tests.web.conftest import Person, token_of

PROFILE = load_profile(Settings().profile_path)
CLERK = KeyInfo("user:clerk", "clerk", "housing_office")
RAW = re.compile(r">\s*(waiting|offered|reserved|moved|withdrawn|household_declined)\s*<")


def new_entry(engine: Engine, reference: str, **household: object) -> str:
    """A fresh waiting household (ILLUSTRATIVE profile); its entry id."""
    profile = {"size": 3, "children_ages": [4], "languages": ["ar"], "needs": [],
               "move_in": "2026-01-01", **household}  # fmt: skip
    body = NewEntry(household=Household.model_validate(profile), case_ref=reference)
    return store.add(engine, body, CLERK, PROFILE).id


def status_of(engine: Engine, entry_id: str) -> tuple[str, str | None]:
    """An entry's stored status and flat."""
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT status, flat_id FROM waiting_list WHERE id = :i"), {"i": entry_id}
        ).one()
    return row[0], row[1]


def step(p: Person, entry_id: str, **data: str) -> tuple[int, str]:
    """Send one step's form from the household's page; status and page or target."""
    page = p.http.get(f"/warteliste/{entry_id}")
    answer = p.http.post(
        f"/warteliste/{entry_id}/schritt", data={"csrf": token_of(page.text), **data}
    )
    return answer.status_code, answer.headers.get("location") or answer.text


def first_flat(p: Person, entry_id: str) -> str:
    """The first recommended flat on the household's page."""
    found = re.search(r'name="flat_id" value="([^"]+)"', p.http.get(f"/warteliste/{entry_id}").text)
    assert found, "no recommended flat on the page"
    return found.group(1)


def test_the_waiting_list_filters(person: Callable[..., Person], sample_engine: Engine) -> None:
    """Status, district of the accommodation and household size filter as the database
    counts; German words only."""
    p = person("clerk")
    with sample_engine.connect() as conn:
        waiting = conn.execute(text("SELECT count(*) FROM waiting_list WHERE status = 'waiting'"))
        n_waiting = waiting.scalar_one()
        district, n_district = conn.execute(
            text(
                "SELECT unit_district, count(*) FROM waiting_list WHERE unit_district IS NOT NULL"
                " GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
            )
        ).one()
        n_large = conn.execute(
            text("SELECT count(*) FROM waiting_list WHERE (household->>'size')::int >= 6")
        ).scalar_one()
    for query, n in (
        ({"status": "waiting"}, n_waiting),
        ({"status": "all", "district": district}, n_district),
        ({"status": "all", "size": "6"}, n_large),
    ):
        page = p.http.get("/warteliste", params=query)
        assert page.status_code == 200
        assert re.search(rf"<caption>{n} Haushalte?, am längsten wartende zuerst", page.text), query
        assert not RAW.search(page.text)


def test_a_case_is_found_by_a_reference_never_in_a_url(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """The reference goes in the form body; the answer leads to the entry's id, never to
    the reference; a reference in the query string is refused; an unknown one is said so."""
    entry_id = new_entry(sample_engine, "AZ-2026-4711")
    p = person("clerk")
    found = p.submit("/warteliste", "/warteliste/suchen", {"case_ref": "AZ-2026-4711"})
    assert found.status_code == 303 and found.headers["location"] == f"/warteliste/{entry_id}"
    assert "4711" not in found.headers["location"]
    assert p.http.get("/warteliste", params={"case_ref": "AZ-2026-4711"}).status_code == 400
    missing = p.submit("/warteliste", "/warteliste/suchen", {"case_ref": "AZ-0000"})
    assert missing.status_code == 404 and "Kein Haushalt" in missing.text


def test_holds_due_today_are_listed(person: Callable[..., Person], sample_engine: Engine) -> None:
    """A hold that lapses within the hour is under "Heute fällig"."""
    with sample_engine.begin() as conn:
        entry_id = conn.execute(
            text(
                "UPDATE reservations SET expires_at = now() + interval '1 hour' WHERE id = ("
                "SELECT reservation_id FROM waiting_list WHERE status = 'reserved' LIMIT 1) "
                "RETURNING (SELECT id FROM waiting_list w WHERE w.reservation_id = "
                "reservations.id)"
            )
        ).scalar_one()
    page = person("clerk").http.get("/warteliste").text
    due = page.split("Heute fällig", 1)[1].split("</section>", 1)[0]
    assert f"/warteliste/{entry_id}" in due and "Reservierung endet" in due


def test_a_household_on_one_screen(person: Callable[..., Person], sample_engine: Engine) -> None:
    """Profile in words, history, ten recommended flats with address, score and reasons on a
    numbered map; no codes."""
    entry_id = new_entry(sample_engine, "AZ-ONE-SCREEN", needs=["near_paediatrician"])
    page = person("clerk").http.get(f"/warteliste/{entry_id}")
    assert page.status_code == 200
    html = page.text
    assert "3 Personen, davon 1 Kind (4 Jahre)" in html and "Arabisch" in html
    assert "Kinderarzt" in html and "auf die Warteliste gesetzt" in html
    assert "Empfohlene Wohnungen" in html and html.count('name="flat_id"') == 10
    assert html.count('class="pin"') == 10 and "entfernt" in html
    assert "Plätzen für Neuankommende belegt" in html
    assert not RAW.search(html) and "near_paediatrician" not in html


def test_a_clerks_day_offer_hold_move(person: Callable[..., Person], sample_engine: Engine) -> None:
    """Offer the first recommended flat, hold it, confirm the move: the move asks first
    (nothing changes until confirmed); each step audited under the person's login."""
    entry_id = new_entry(sample_engine, "AZ-DAY")
    p = person("clerk")
    early = p.http.get(f"/warteliste/{entry_id}/bogen")  # before an offer: nothing to print yet
    assert early.status_code == 409 and "<p>Dem Haushalt ist noch keine Wohnung" in early.text
    flat = first_flat(p, entry_id)
    assert step(p, entry_id, action="offer", flat_id=flat) == (
        303,
        f"/warteliste/{entry_id}?done=offer",
    )
    assert status_of(sample_engine, entry_id) == ("offered", flat)
    assert step(p, entry_id, action="reserve")[0] == 303
    asked = step(p, entry_id, action="move")
    assert asked[0] == 200 and "nicht rückgängig" in asked[1]
    assert status_of(sample_engine, entry_id)[0] == "reserved"
    assert step(p, entry_id, action="move", confirmed="yes")[0] == 303
    assert status_of(sample_engine, entry_id) == ("moved", flat)
    with sample_engine.connect() as conn:
        actions = conn.execute(
            text(
                "SELECT action FROM audit_log WHERE api_key_id = 'user:clerk' AND "
                "request->>'entry_id' = :i AND action IN ('waiting_list.offer', "
                "'waiting_list.reserve', 'waiting_list.move') ORDER BY id"
            ),
            {"i": entry_id},
        ).scalars()
        assert list(actions) == ["waiting_list.offer", "waiting_list.reserve", "waiting_list.move"]
    sheet = p.http.get(f"/warteliste/{entry_id}/bogen")
    assert sheet.status_code == 200
    assert "<section class='sheet' lang=\"de\"" in sheet.text
    assert '<section class=\'sheet\' lang="ar" dir="rtl"' in sheet.text


@pytest.mark.parametrize("action", ["decline", "withdraw"])
def test_decline_and_withdraw_need_a_reason(
    person: Callable[..., Person], sample_engine: Engine, action: str
) -> None:
    """Both ask first and need a reason from the list (German); then the step is taken."""
    entry_id = new_entry(sample_engine, f"AZ-{action}")
    p = person("clerk")
    assert step(p, entry_id, action="offer", flat_id=first_flat(p, entry_id))[0] == 303
    asked = step(p, entry_id, action=action)
    assert asked[0] == 200 and "Grund" in asked[1]
    missing = step(p, entry_id, action=action, confirmed="yes")
    assert missing[0] == 400 and "Bitte wählen Sie einen Grund" in missing[1]
    assert status_of(sample_engine, entry_id)[0] == "offered"
    reason = "household_declined" if action == "decline" else "moved_elsewhere"
    assert step(p, entry_id, action=action, confirmed="yes", reason=reason)[0] == 303
    expected = "waiting" if action == "decline" else "withdrawn"
    assert status_of(sample_engine, entry_id) == (expected, None)


def test_a_flat_outside_the_recommendations_needs_a_reason(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """Offering a fitting flat the household's page does not recommend asks why first (and
    refuses an empty reason); with a reason the offer is made and the reason is stored with
    it (the fairness report counts it) and shown in the household's history."""
    entry_id = new_entry(sample_engine, "AZ-OVERRIDE")
    entry = store.get(sample_engine, entry_id)
    ranker = ranker_of(None, sample_engine, PROFILE)
    household = store.planning_household(entry.household, PROFILE)
    advice = recommend.for_household(sample_engine, PROFILE, entry_id, 10, CLERK)
    held = held_flats(sample_engine)
    shown = {r.flat_id for r in ranker.rank(household, 10, held=held).results}
    shown |= {o.flat_id for o in advice.flats}
    best = ranker.rank(household, 80, held=held).results
    far = next(r.flat_id for r in best if r.flat_id not in shown)
    p = person("clerk")
    assert far not in p.http.get(f"/warteliste/{entry_id}").text
    asked = step(p, entry_id, action="offer", flat_id=far)
    assert asked[0] == 200 and "außerhalb der Empfehlungen" in asked[1]
    empty = step(p, entry_id, action="offer", flat_id=far, confirmed="yes")
    assert empty[0] == 400 and status_of(sample_engine, entry_id)[0] == "waiting"
    done = step(
        p, entry_id, action="offer", flat_id=far, confirmed="yes",
        override_reason="Arbeitsstelle eines Elternteils in der Nähe (Beispiel)",
    )  # fmt: skip
    assert done[0] == 303 and status_of(sample_engine, entry_id) == ("offered", far)
    why = "Arbeitsstelle eines Elternteils in der Nähe (Beispiel)"
    assert store.get(sample_engine, entry_id).override_reason == why  # stored with the offer
    assert why in p.http.get(f"/warteliste/{entry_id}").text  # and shown in its history


def test_two_clerks_offer_one_flat_at_once(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """Two clerks in two sessions offer the same flat to two households at the same moment:
    one wins, the other is told why in German (409), nothing is half done."""
    first, second = new_entry(sample_engine, "AZ-RACE-1"), new_entry(sample_engine, "AZ-RACE-2")
    a, b = person("clerk"), person("clerk2")
    flat = first_flat(a, first)
    pages = {first: a.http.get(f"/warteliste/{first}").text,
             second: b.http.get(f"/warteliste/{second}").text}  # fmt: skip
    gate = threading.Barrier(2)
    answers: dict[str, tuple[int, str]] = {}

    def offer(p: Person, entry_id: str) -> None:
        data = {"csrf": token_of(pages[entry_id]), "action": "offer", "flat_id": flat,
                "override_reason": "Wettlauf-Test (Beispiel)"}  # fmt: skip
        gate.wait()
        answer = p.http.post(f"/warteliste/{entry_id}/schritt", data=data)
        answers[entry_id] = (answer.status_code, answer.text)

    threads = [threading.Thread(target=offer, args=(p, e)) for p, e in ((a, first), (b, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in answers.values())
    assert codes == [303, 409], codes
    loser = next(body for code, body in answers.values() if code == 409)
    assert "gerade einem anderen Haushalt angeboten" in loser
    with sample_engine.connect() as conn:
        holders = conn.execute(
            text("SELECT count(*) FROM waiting_list WHERE flat_id = :f AND status = 'offered'"),
            {"f": flat},
        ).scalar_one()
    assert holders == 1
    assert {status_of(sample_engine, e)[0] for e in (first, second)} == {"offered", "waiting"}


def test_a_flat_and_the_households_it_fits(
    person: Callable[..., Person], sample_engine: Engine
) -> None:
    """The flat's page: its facts in German and the waiting households it fits, each to
    open or to offer the flat to."""
    entry_id = new_entry(sample_engine, "AZ-FLAT")
    p = person("clerk")
    flat = first_flat(p, entry_id)
    page = p.http.get(f"/wohnungen/{flat}")
    assert page.status_code == 200 and "Haushalte, zu denen sie passt" in page.text
    assert "Bruttokaltmiete" in page.text and page.text.count("/warteliste/") >= 2
    assert p.http.get("/wohnungen/F-NONE").status_code == 404


def test_only_the_housing_office_opens_these_pages(person: Callable[..., Person]) -> None:
    """A partner or a planner gets 403 (German page); a stranger goes to the login."""
    for login in ("caritas", "planner"):
        refused = person(login).http.get("/warteliste")
        assert refused.status_code == 403 and "nicht freigegeben" in refused.text
    assert person().http.get("/warteliste").status_code == 303


def test_an_expired_hold_is_flagged(person: Callable[..., Person], sample_engine: Engine) -> None:
    """A hold past its time shows as lapsed on the household's page."""
    with sample_engine.begin() as conn:
        entry_id = conn.execute(
            text(
                "UPDATE reservations SET expires_at = :t WHERE id = (SELECT reservation_id FROM "
                "waiting_list WHERE status = 'reserved' ORDER BY id DESC LIMIT 1) RETURNING "
                "(SELECT id FROM waiting_list w WHERE w.reservation_id = reservations.id)"
            ),
            {"t": datetime.now(UTC) - timedelta(hours=2)},
        ).scalar_one()
    assert "Reservierung abgelaufen" in person("clerk").http.get(f"/warteliste/{entry_id}").text
