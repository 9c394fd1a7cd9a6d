"""What the housing office met first, over real HTTP: an offer holds its flat for the household,
every answer about a flat says where it is, ``GET /flats/{id}`` tells the flat's state, ending
a placement needs a reason, a 409 for a held flat says until when, and a new waiting-list entry
has a ``Location``."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, text

from tests.transition.test_http import HOLD_DAYS, OVERRIDE, call, fitting_flats, hh, new_entry

ADDRESS = re.compile(r".+\(illustrativ\)$")  # the sample's addresses are labelled illustrative


def day(moment: str) -> str:
    """The local day of an ISO 8601 moment as the messages write it (German: 13.12.2026)."""
    local = datetime.fromisoformat(moment).astimezone(ZoneInfo("Europe/Berlin"))
    return local.strftime("%d.%m.%Y")


def test_an_offer_holds_the_flat_for_its_household(
    server: str, keys: dict[str, str], api_engine: Engine
) -> None:
    """The issue's steps: after an offer of F, a reservation of F for somebody else is 409
    saying the flat is offered to a waiting household and until when (no household data), and
    the offered household's /reserve succeeds; after a decline others can have it again."""
    key = keys["housing_office"]
    entry = new_entry(server, key)["id"]
    flat, other = fitting_flats(server, key, 2)
    offered = call(
        server,
        "POST",
        f"/api/v1/waiting-list/{entry}/offer",
        {"flat_id": flat, "override_reason": OVERRIDE},
        key,
    )
    assert offered.status_code == 200, offered.text
    until = offered.json()["offer_expires_at"]
    assert until and not offered.json()["offer_expired"]
    assert ADDRESS.match(offered.json()["flat_address"])
    direct = {
        "household": hh(days=HOLD_DAYS),
        "case_ref": "AZ-SOMEBODY-ELSE",
        "override_reason": OVERRIDE,
    }
    refused = call(server, "POST", f"/api/v1/flats/{flat}/reservations", direct, key)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    detail = refused.json()["detail"]
    assert f"Wohnung {flat} ist bis {day(until)}" in detail
    assert "einem wartenden Haushalt angeboten" in detail
    assert entry in detail and "AZ-" not in detail and "uk" not in detail
    ranked = call(server, "POST", "/api/v1/placements/rank", {"household": hh(), "limit": 500}, key)
    assert flat not in {r["flat_id"] for r in ranked.json()["results"]}
    reserved = call(server, "POST", f"/api/v1/waiting-list/{entry}/reserve", None, key)
    assert reserved.status_code == 200, reserved.text
    assert reserved.json()["status"] == "reserved"
    # a second household: offered, declined, then the flat is free for a direct hold
    second = new_entry(server, key)["id"]
    call(
        server,
        "POST",
        f"/api/v1/waiting-list/{second}/offer",
        {"flat_id": other, "override_reason": OVERRIDE},
        key,
    )
    assert (
        call(server, "POST", f"/api/v1/flats/{other}/reservations", direct, key).status_code == 409
    )
    declined = call(server, "POST", f"/api/v1/waiting-list/{second}/decline", None, key)
    assert declined.status_code == 200
    held = call(server, "POST", f"/api/v1/flats/{other}/reservations", direct, key)
    assert held.status_code == 201, held.text
    # a 409 for a held flat says until when
    again = call(server, "POST", f"/api/v1/flats/{other}/reservations", direct, key)
    expires = held.json()["expires_at"]
    assert again.status_code == 409
    assert f"Wohnung {other} ist bis {day(expires)}" in again.json()["detail"]
    assert "reserviert" in again.json()["detail"]
    third = new_entry(server, key)["id"]
    late = call(
        server,
        "POST",
        f"/api/v1/waiting-list/{third}/offer",
        {"flat_id": other, "override_reason": OVERRIDE},
        key,
    )
    assert late.status_code == 409 and f"ist bis {day(expires)}" in late.json()["detail"]
    with api_engine.connect() as conn:
        audited = conn.execute(
            text(
                "SELECT detail->>'until' FROM audit_log WHERE action = 'waiting_list.offer' "
                "AND request->>'entry_id' = :e"
            ),
            {"e": entry},
        ).scalar()
    assert audited


def test_a_lapsed_offer_frees_the_flat(
    server: str, keys: dict[str, str], api_engine: Engine
) -> None:
    """After ``offer_hold_days`` the offer no longer holds the flat: the entry says so, another
    household may be offered it (the lapsed entry waits again, without the offer's override
    reason, audited)."""
    key = keys["housing_office"]
    first, second = new_entry(server, key)["id"], new_entry(server, key)["id"]
    (flat,) = fitting_flats(server, key, 1)
    call(
        server,
        "POST",
        f"/api/v1/waiting-list/{first}/offer",
        {"flat_id": flat, "override_reason": OVERRIDE},
        key,
    )
    with api_engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE waiting_list SET offered_at = now() - interval '8 days', "
                "override_reason = 'Test: außerhalb der Empfehlungen' WHERE id = :e"
            ),
            {"e": first},
        )
    entry = call(server, "GET", f"/api/v1/waiting-list/{first}", None, key).json()
    assert entry["status"] == "offered" and entry["offer_expired"]
    shown = call(server, "GET", f"/api/v1/flats/{flat}", None, key).json()
    assert shown["status"] == "free" and shown["holds"] == []
    moved = call(
        server,
        "POST",
        f"/api/v1/waiting-list/{second}/offer",
        {"flat_id": flat, "override_reason": OVERRIDE},
        key,
    )
    assert moved.status_code == 200, moved.text
    waiting = call(server, "GET", f"/api/v1/waiting-list/{first}", None, key).json()
    assert waiting["status"] == "waiting"
    assert waiting["override_reason"] is None  # the reason went with the lapsed offer
    with api_engine.connect() as conn:
        lapsed = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'waiting_list.lapse' "
                "AND request->>'entry_id' = :e"
            ),
            {"e": first},
        ).scalar_one()
    assert lapsed == 1


def test_the_flat_route_and_the_address_in_every_answer_about_a_flat(
    server: str, keys: dict[str, str]
) -> None:
    """``GET /flats/{id}``: address, district code and name, size, rent, status and holds
    (ids, no household data); 404 problem+json for an unknown id. Rank, score, reservations,
    allocations and the waiting list's recommendations and offers carry the address."""
    key = keys["housing_office"]
    (flat,) = fitting_flats(server, key, 1)
    got = call(server, "GET", f"/api/v1/flats/{flat}", None, key)
    assert got.status_code == 200, got.text
    body = got.json()
    assert ADDRESS.match(body["address"])
    assert body["district"]["code"] == body["district_code"] and body["district"]["name"]
    assert body["rooms"] >= 1 and body["living_area_m2"] > 0 and body["rent_gross_cold_eur"] > 0
    assert body["status"] == "free" and body["holds"] == []
    unknown = call(server, "GET", "/api/v1/flats/F-NOPE", None, key)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert call(server, "GET", f"/api/v1/flats/{flat}", None, keys["viewer"]).status_code == 403
    household = hh(days=HOLD_DAYS)
    answers = {
        "rank": call(
            server, "POST", "/api/v1/placements/rank", {"household": household}, key
        ).json()["results"][0],
        "score": call(
            server, "POST", f"/api/v1/flats/{flat}/score", {"household": household}, key
        ).json(),
        "allocation": call(
            server, "POST", "/api/v1/allocations", {"households": [household]}, key
        ).json()["assignments"][0],
    }
    held = call(
        server,
        "POST",
        f"/api/v1/flats/{flat}/reservations",
        {"household": hh(days=HOLD_DAYS), "override_reason": OVERRIDE},
        key,
    )
    assert held.status_code == 201, held.text
    answers["reservation"] = held.json()
    answers["reservation explained"] = held.json()["explanation"]
    answers["reservation read"] = call(
        server, "GET", f"/api/v1/reservations/{held.json()['id']}", None, key
    ).json()
    listed = call(server, "GET", "/api/v1/reservations?limit=1000", None, key).json()["items"]
    answers["reservation listed"] = next(r for r in listed if r["id"] == held.json()["id"])
    shown = call(server, "GET", f"/api/v1/flats/{flat}", None, key).json()
    (claim,) = shown["holds"]
    assert shown["status"] == "held" and claim["kind"] == "held"
    assert claim["reservation_id"] == held.json()["id"] and "reserviert" in claim["text"]
    assert "household" not in claim
    entry = new_entry(server, key)["id"]
    mine = call(server, "GET", f"/api/v1/waiting-list/{entry}/recommendations", None, key).json()
    answers["household recommendation"] = mine["flats"][0]
    other = mine["flats"][0]["flat_id"]
    answers["flat recommendation"] = call(
        server, "GET", f"/api/v1/flats/{other}/recommendations", None, key
    ).json()
    offered = call(
        server,
        "POST",
        f"/api/v1/waiting-list/{entry}/offer",
        {"flat_id": other, "override_reason": OVERRIDE},
        key,
    )
    answers["offer"] = offered.json()
    for what, answer in answers.items():
        address = answer.get("address") or answer.get("flat_address")
        assert address and ADDRESS.match(address), (what, answer)


def test_ending_a_placement_needs_a_reason_and_entries_have_a_location(
    server: str, keys: dict[str, str], api_engine: Engine
) -> None:
    """Releasing a confirmed placement without a reason is 400 naming the reasons (a hold
    needs none); with one it is 200 and audited. ``POST /waiting-list`` is 201 with a
    ``Location`` that reads the entry."""
    key = keys["housing_office"]
    (flat,) = fitting_flats(server, key, 1)
    rid = call(
        server,
        "POST",
        f"/api/v1/flats/{flat}/reservations",
        {"household": hh(days=HOLD_DAYS), "override_reason": OVERRIDE},
        key,
    )
    rid = rid.json()["id"]
    assert call(server, "POST", f"/api/v1/reservations/{rid}/confirm", None, key).status_code == 200
    release = f"/api/v1/reservations/{rid}/release"
    bare = call(server, "POST", release, None, key)
    assert bare.status_code == 400, bare.text
    assert "braucht einen Grund" in bare.json()["detail"]
    assert "household_left" in bare.json()["detail"]
    assert call(server, "POST", release, {"reason": "why not"}, key).status_code == 400
    done = call(server, "POST", release, {"reason": "household_left"}, key)
    assert done.status_code == 200 and done.json()["status"] == "released"
    with api_engine.connect() as conn:
        reason = conn.execute(
            text(
                "SELECT detail->>'reason' FROM audit_log WHERE action = 'release' "
                "AND detail->>'reservation_id' = :r"
            ),
            {"r": rid},
        ).scalar()
    assert reason == "household_left"
    hold = call(
        server,
        "POST",
        f"/api/v1/flats/{flat}/reservations",
        {"household": hh(days=HOLD_DAYS), "override_reason": OVERRIDE},
        key,
    )
    freed = call(server, "POST", f"/api/v1/reservations/{hold.json()['id']}/release", None, key)
    assert freed.status_code == 200  # a hold is released without a reason
    made = call(
        server, "POST", "/api/v1/waiting-list", {"household": hh(), "case_ref": "LOC-1"}, key
    )
    assert made.status_code == 201
    location = made.headers["Location"]
    assert location == f"/api/v1/waiting-list/{made.json()['id']}"
    assert httpx.get(server + location, headers={"X-API-Key": key}).json() == made.json()
