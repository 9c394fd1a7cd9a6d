"""An ILLUSTRATIVE meeting scenario on the scored sample: households placed (reserved and
confirmed through the service), a first report (its gap snapshot), then partners pause and
change offers so that coverage gaps open."""

from __future__ import annotations

from sqlalchemy import Engine

from geo_service.auth.keys import KeyInfo
from geo_service.catalogue.editing import change_status, get_offer, update_offer
from geo_service.reservations.service import reserve, transition
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache

# (size, languages) of the households placed in the scenario
HOUSEHOLDS = [
    (1, ["uk"]),
    (2, ["uk", "ru"]),
    (4, ["ar"]),
    (3, ["ar", "ku"]),
    (1, ["fa"]),
    (5, ["ti"]),
    (2, ["uk"]),
    (1, ["ar"]),
    (3, ["ps", "fa"]),
    (2, ["so"]),
    (1, ["ln"]),  # Lingala: no sample volunteer speaks it
]


def scenario_keys(engine: Engine) -> tuple[KeyInfo, KeyInfo]:
    """A housing office key and an admin key for the scenario's changes."""
    from geo_service.auth.keys import create_key

    with engine.begin() as conn:
        office = create_key(conn, "housing_office", "scenario housing office")[0]
        admin = create_key(conn, "admin", "scenario round table office")[0]
    return office, admin


def place_households(engine: Engine, profile: ScoringProfile, office: KeyInfo) -> list[str]:
    """Reserve each scenario household's best free flat and confirm it; return the ids. One
    ranker cache for the whole scenario, as a server has: the features are read once, the
    district status again after each confirmation (the state version moved)."""
    confirmed = []
    used: set[str] = set()
    rankers = RankerCache()
    for size, languages in HOUSEHOLDS:
        household = Household(size=size, languages=languages, move_in="2027-03-31")  # type: ignore[arg-type]
        ranked = rankers.ranker(engine, profile).rank(household, 20).results
        flat = next(r.flat_id for r in ranked if r.flat_id not in used)
        used.add(flat)
        held = reserve(engine, flat, household, None, office, profile, rankers=rankers)
        transition(engine, str(held.id), "confirm", office, profile)
        confirmed.append(str(held.id))
    return confirmed


def partners_change_offers(
    engine: Engine, profile: ScoringProfile, paused: list[str], admin: KeyInfo
) -> None:
    """Pause offers (gaps may open) and change an offer's hours, as partners would."""
    for offer_id in paused:
        change_status(engine, offer_id, "pause", admin)
    version = get_offer(engine, "O-005", admin).version
    update_offer(engine, "O-005", {"opening_hours": "Mo-Mi 09:00-13:00"}, version, admin, profile)
