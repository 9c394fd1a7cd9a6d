"""Property-based run over every operation of the OpenAPI schema, as each of the four roles
and a partner (bound to an organisation):
no 5xx, and status, content type and body as documented.

Schemathesis generates valid (positive) and invalid (negative) cases from the live server's
OpenAPI document; the loop drives them with hypothesis directly (schemathesis' pytest plugin does
not load under this pytest version). Path parameters are mostly replaced by values that exist
(flat ids, district codes, reservation ids and waiting-list entries in every state, OGC collection
and feature ids, map names), so the fuzzing reaches the handlers behind the 404s; now and then
the generated value is kept.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, text

from geo_service.auth.keys import ROLES, KeyInfo, create_key
from geo_service.config import get_settings
from geo_service.maps.render import PUBLIC
from geo_service.reservations.service import reserve, transition
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile, load_profile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.transition import store
from geo_service.transition.schemas import NewEntry

# Examples per operation: every role runs both modes; the lower roles mostly meet 403s.
MAX_EXAMPLES = {"viewer": 4, "partner": 6, "planner": 5, "housing_office": 8, "admin": 8}
# No 5xx; every answer's status, content type and body as the document says.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
REALISTIC = 0.85  # share of cases whose path values are replaced by existing ones
HOUSEHOLD = Household(size=1, languages=["uk"], move_in="2027-03-31")  # type: ignore[arg-type]
# Waiting-list entries for the path values: the transitions each one went through.
ENTRY_STEPS = [(), ("offer",), ("offer", "reserve"), ("offer", "reserve", "move"), ("withdraw",)]


def waiting_entries(
    engine: Engine, key: KeyInfo, profile: ScoringProfile, flats: list[str], rankers: RankerCache
) -> list[str]:
    """One waiting-list entry in each status (waiting, offered, reserved, moved, withdrawn),
    offered the given flats; their ids."""
    ids = []
    free = iter(flats)
    for i, steps in enumerate(ENTRY_STEPS):
        new = NewEntry(household=HOUSEHOLD, case_ref=f"SCHEMATHESIS-{i}")
        entry = store.add(engine, new, key, profile).id
        for step in steps:
            if step == "offer":
                store.offer(engine, entry, next(free), key, profile, rankers=rankers)
            elif step == "withdraw":
                store.withdraw(engine, entry, "other", key, profile)
            elif step == "reserve":
                store.reserve(engine, entry, key, profile, rankers=rankers)
            else:
                getattr(store, step)(engine, entry, key, profile)
        ids.append(entry)
    return ids


@pytest.fixture(scope="module")
def path_values(api_engine: Engine, keys: dict[str, str]) -> dict[str, list[Any]]:
    """Existing values per path parameter; feature ids as (collection, feature) pairs."""
    profile = load_profile(get_settings().profile_path)
    with api_engine.begin() as conn:
        office = create_key(conn, "housing_office", "schemathesis fixtures")[0]
    rankers = RankerCache()  # one for the set-up, as a server has: the features read once
    ranked = [r.flat_id for r in rankers.ranker(api_engine, profile).rank(HOUSEHOLD, 6).results]
    fitting, offered = ranked[:3], ranked[3:]
    reservations = [
        reserve(api_engine, f, HOUSEHOLD, None, office, profile, rankers=rankers).id
        for f in fitting
    ]
    entries = waiting_entries(api_engine, office, profile, offered, rankers)
    assert len(reservations) == 3, "three held flats for the reservation routes"
    transition(api_engine, reservations[1], "confirm", office, profile)
    transition(api_engine, reservations[2], "release", office, profile, "entered_in_error")
    with api_engine.connect() as conn:

        def first(sql: str) -> list[str]:
            return [str(v) for v in conn.execute(text(sql)).scalars()]

        flats = first("SELECT id FROM flats ORDER BY id LIMIT 8")
        codes = first("SELECT code FROM districts ORDER BY code LIMIT 6")
        small = first(
            "SELECT district_code FROM district_status WHERE suppressed ORDER BY 1 LIMIT 1"
        )
        offers = first("SELECT id FROM offers ORDER BY id LIMIT 3")
        caritas = first("SELECT id FROM offers WHERE organisation_id = 'caritas' LIMIT 3")
        amenities = first("SELECT id::text FROM amenities ORDER BY id LIMIT 3")
        cells = first("SELECT h3_index FROM area_scores ORDER BY h3_index LIMIT 3")
    features = [
        *(("flats", f) for f in flats[:3]),
        *(("districts", c) for c in codes[:3]),
        *(("offers", o) for o in offers),
        *(("amenities", a) for a in amenities),
        *(("area_scores", c) for c in cells),
    ]
    collections = ["districts", "offers", "amenities", "flats", "area_scores", "coverage_gaps"]
    return {
        "flat_id": flats,
        "code": codes + small,
        "reservation_id": reservations,
        "entry_id": entries,
        "collection_id": collections,
        "feature_id": features,
        "name": list(PUBLIC),
        "offer_id": offers + caritas,
    }


def realistic(case: schemathesis.Case, values: dict[str, list[Any]], draw: Any) -> None:
    """Replace the case's path values by existing ones (most of the time)."""
    params = case.path_parameters
    if not params or draw(st.floats(0, 1)) >= REALISTIC:
        return
    if "feature_id" in params:  # a feature id only exists within its collection
        params["collection_id"], params["feature_id"] = draw(st.sampled_from(values["feature_id"]))
        return
    for name in params:
        if name in values:
            params[name] = draw(st.sampled_from(values[name]))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("role", [*ROLES, "partner"])
def test_every_operation_for_every_role(
    server: str,
    keys: dict[str, str],
    path_values: dict[str, list[Any]],
    role: str,
    mode: GenerationMode,
) -> None:
    """With the role's key no generated input yields a 5xx, or a status, content type or body
    the document does not describe."""
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    headers = {"X-API-Key": keys[role]}
    calls: dict[str, int] = {}
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
        @settings(
            max_examples=MAX_EXAMPLES[role],
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case, data: st.DataObject) -> None:
            realistic(case, path_values, data.draw)
            calls[case.operation.label] = calls.get(case.operation.label, 0) + 1
            response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=120)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            run()
        except Unsatisfiable:  # nothing to negate (e.g. /health takes no input)
            assert mode is GenerationMode.NEGATIVE
    print(
        f"schemathesis {role} {mode.value}: {sum(calls.values())} calls over {len(calls)} "
        "operations, 0 server errors, 0 schema violations; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    assert len(calls) >= (25 if mode is GenerationMode.POSITIVE else 12)
    assert not any(code >= 500 for code in statuses)
