"""Every length limit and pattern of the API's OpenAPI document, walked with the vocabulary it
holds: every code a vocabulary has (and the longest one the profile or an import could make)
passes, and every list may name a whole vocabulary. A new limit must be classified here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from geo_service.api.app import create_app
from geo_service.codes import CODE_MAX
from geo_service.config import PROJECT_ROOT, get_settings
from geo_service.ingest.iso639 import LANGUAGE_CODES
from geo_service.scoring.profile import load_profile
from geo_service.vocabulary import vocabulary

SAMPLE = PROJECT_ROOT / "data" / "sample"
# Limits that hold free text or a household's own list, not a vocabulary's codes.
FREE = "free"


def _sample_ids(kind: str, key: str) -> list[str]:
    """The ``key`` of every feature of a sample GeoJSON file."""
    doc = json.loads((SAMPLE / f"{kind}.geojson").read_text(encoding="utf-8"))
    return [str(f["properties"][key]) for f in doc["features"]]


def vocabularies() -> dict[str, list[str]]:
    """Each vocabulary's codes: the shipped profile's, the sample's, and the longest code the
    place that makes such codes accepts (profile and imports: ``CODE_MAX``)."""
    vocab = vocabulary(load_profile(get_settings().profile_path))
    longest = "x" * CODE_MAX
    return {
        "offer_categories": [*vocab.offer_categories, longest],
        "needs": [n.name for n in vocab.needs] + [longest],
        "languages": sorted(LANGUAGE_CODES),
        "sheet_languages": vocab.sheet_languages,
        "districts": [*_sample_ids("districts", "code"), longest],
        "flats": [*_sample_ids("flats", "id"), longest],
        "audit_actions": ["waiting_list.withdraw", "offer_change_refused", longest],
        # organisation slugs and volunteer handles are made under the same rule (DB check)
        "organisations": ["caritas", "a" * 40],
        "volunteers": ["BB-017", "B" * 40],
        "etags": ['"1"', 'W/"999999999"'],
    }


# location (as ``strings`` names it) -> the vocabulary it holds, or FREE
CLASSIFIED = {
    "GET /api/v1/offers query:language": "languages",
    "GET /api/v1/offers query:category": "offer_categories",
    "GET /api/v1/offers query:near": FREE,
    "GET /api/v1/offers query:organisation": "organisations",
    "GET /api/v1/offers query:status": FREE,  # its own closed enum
    "* header:If-Match": "etags",
    "GET /api/v1/flats query:district": "districts",
    "* query:f": FREE,  # each route's own closed set of formats
    "GET /api/v1/catalogue/coverage query:format": FREE,
    "GET /api/v1/audit query:action": "audit_actions",
    "GET /api/v1/catalogue/referral-sheet query:flat": "flats",
    "GET /api/v1/catalogue/referral-sheet query:sheet_language": "sheet_languages",
    "GET /api/v1/catalogue/referral-sheet query:language": FREE,  # a household's (at most 10)
    "GET /api/v1/catalogue/coverage query:language[]": "languages",
    "GET /api/v1/catalogue/coverage query:category[]": "offer_categories",
    "GET /ogc/collections/{collection_id}/items query:bbox": FREE,
    "GET /ogc/collections/{collection_id}/items query:bbox-crs": FREE,
    "GET /ogc/collections/{collection_id}/items query:crs": FREE,
    "GET /ogc/collections/{collection_id}/items query:datetime": FREE,
    "GET /ogc/collections/{collection_id}/items query:filter": FREE,  # CQL2 text
    "GET /ogc/collections/{collection_id}/items query:filter-crs": FREE,
    "GET /ogc/collections/{collection_id}/items query:filter-lang": FREE,
    "GET /ogc/collections/{collection_id}/items query:sortby": FREE,  # property names
    "GET /ogc/collections/{collection_id}/items query:properties": FREE,
    "GET /ogc/collections/{collection_id}/items/{feature_id} query:crs": FREE,
    "AllocationRequest.exclude_districts[]": "districts",
    "AllocationRequest.households": FREE,  # a batch, not codes
    "BatchHousehold.languages[]": "languages",
    "BatchHousehold.needs[]": "needs",
    "BatchHousehold.ref": FREE,
    "BatchHousehold.children_ages": FREE,
    "Household.languages[]": "languages",
    "Household.needs[]": "needs",
    "Household.children_ages": FREE,
    "CaseRef.case_ref": FREE,
    "NewEntry.case_ref": FREE,
    "NewEntry.accommodation_unit": FREE,
    "NewEntry.unit_district": "districts",
    "Offer-Input.flat_id": "flats",
    "OfferCreate.category": "offer_categories",
    "OfferCreate.languages[]": "languages",
    "OfferCreate.organisation": "organisations",
    "OfferPatch.category": "offer_categories",
    "OfferPatch.languages[]": "languages",
    "OrganisationCreate.id": "organisations",
    "RankRequest.districts[]": "districts",
    "VolunteerCreate.id": "volunteers",
    "VolunteerCreate.languages[]": "languages",
    "VolunteerCreate.organisation": "organisations",
    "VolunteerPatch.languages[]": "languages",
}
CLASSIFIED |= {  # lists: each may name its whole vocabulary, but a household's own lists
    "AllocationRequest.exclude_districts": "districts",
    "RankRequest.districts": "districts",
    "BatchHousehold.needs": "needs",
    "Household.needs": "needs",
    "BatchHousehold.languages": FREE,  # a household speaks at most 10 languages
    "Household.languages": FREE,
    "GET /api/v1/catalogue/coverage query:category": "offer_categories",
    "GET /api/v1/catalogue/coverage query:language": "languages",
    "OfferCreate.languages": "languages",
    "OfferPatch.languages": "languages",
    "VolunteerCreate.languages": "languages",
    "VolunteerPatch.languages": "languages",
    "PointGeometry.coordinates": FREE,
}
for _model in ("OfferCreate", "OfferPatch", "OrganisationCreate"):
    for _field in ("name", "address", "opening_hours", "contact_role"):
        CLASSIFIED[f"{_model}.{_field}"] = FREE
CLASSIFIED["ReservationRequest.case_ref"] = FREE
CLASSIFIED |= {
    "GET /api/v1/placements/questionnaire query:sheet_language": "sheet_languages",
    "Offer-Input.override_reason": FREE,  # a clerk's words
    "ReservationRequest.override_reason": FREE,
    "Preferences.districts": FREE,  # a household's ordered wishes, a few at most
    "Preferences.districts[]": "districts",
}


def limited(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every string schema with a length or pattern and every array schema with a length in
    ``node``, named ``where`` + the property path (a list's items with ``[]``)."""
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and ("maxLength" in node or "pattern" in node):
        yield where, node
    if node.get("type") == "array" and "maxItems" in node:
        yield where, node
    for key, value in node.items():
        if key == "properties":
            for name, sub in value.items():
                yield from limited(sub, f"{where}.{name}")
        elif key == "items":
            yield from limited(value, f"{where}[]")
        elif key in ("anyOf", "oneOf", "allOf"):
            for sub in value:
                yield from limited(sub, where)


def locations() -> list[tuple[str, dict[str, Any]]]:
    """Every limited schema of the OpenAPI document: parameters, then components."""
    doc = create_app().openapi()
    found = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                where = f"{method.upper()} {path} {p['in']}:{p['name']}"
                found += list(limited(p.get("schema", {}), where))
    for name, schema in doc["components"]["schemas"].items():
        found += list(limited(schema, name))
    return found


def vocabulary_of(where: str) -> str | None:
    """The classification of a location (``*`` stands for any method and path)."""
    if where in CLASSIFIED:
        return CLASSIFIED[where]
    tail = re.sub(r"^\S+ \S+ ", "* ", where)
    return CLASSIFIED.get(tail)


LOCATIONS = locations()


def test_every_limit_is_classified() -> None:
    """A limit nobody checked against a vocabulary is a test failure, not a surprise for a
    partner (as ``maxLength: 12`` on offer categories was)."""
    unclassified = sorted({w for w, _ in LOCATIONS if vocabulary_of(w) is None})
    assert not unclassified, f"classify these limits in CLASSIFIED: {unclassified}"


@pytest.mark.parametrize(
    "where,schema",
    [(w, s) for w, s in LOCATIONS if vocabulary_of(w) not in (None, FREE)],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_code_of_the_vocabulary_passes(where: str, schema: dict[str, Any]) -> None:
    """Each code of the vocabulary a field holds passes the field's schema; a list may name
    the whole vocabulary."""
    name = vocabulary_of(where)
    assert name is not None
    codes = vocabularies()[name]
    if schema["type"] == "array":
        jsonschema.validate(codes, {"type": "array", "maxItems": schema["maxItems"]})
        return
    refused = []
    for code in codes:
        try:
            jsonschema.validate(code, schema)
        except jsonschema.ValidationError as exc:
            refused.append(f"{code!r}: {exc.message}")
    assert not refused, f"{where} refuses codes of {name}: {refused[:5]}"


def test_the_offer_categories_as_the_issue_found_them() -> None:
    """The twelve offer categories of the shipped profile all pass the create schema (7 of
    them were longer than 12 characters)."""
    from geo_service.api.workspace_schemas import OfferCreate

    base = {"name": "Kurs", "languages": ["de"], "lon": 10.33, "lat": 52.15}
    for category in vocabularies()["offer_categories"]:
        OfferCreate.model_validate({**base, "category": category})


def test_imports_make_no_code_a_request_would_refuse() -> None:
    """District codes and flat ids are codes too: an import refuses one longer than
    ``CODE_MAX`` (so every code it accepts passes the requests' schemas)."""
    import pandas as pd

    from geo_service.ingest.schemas import KINDS
    from geo_service.ingest.validate import check_fields

    rows = pd.DataFrame({"code": ["x" * CODE_MAX, "y" * (CODE_MAX + 1)], "name": ["A", "B"]})
    _, problems = check_fields(rows, KINDS["districts"], frozenset())
    assert [(p.row, p.field) for p in problems] == [(2, "code")], problems
    assert f"länger als {CODE_MAX} Zeichen" in problems[0].message
