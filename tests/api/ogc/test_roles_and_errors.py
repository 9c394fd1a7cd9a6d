"""OGC routes over a real server: roles, privacy (flats, small districts), 400/401/403/404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from geo_service.features.collections import FLAT_DETAIL, FLAT_PUBLIC
from geo_service.ingest.sample import sample_profile
from geo_service.scoring.districts import PUBLIC_FIGURES

from .conftest import Walk

UNAVAILABLE = ("F-0003", "F-0004")


@pytest.fixture(scope="module")
def with_unavailable(api_engine: Engine) -> tuple[str, ...]:
    """Two flats marked unavailable in this module's database."""
    with api_engine.begin() as conn:
        conn.execute(text("UPDATE flats SET available = false WHERE id IN ('F-0003', 'F-0004')"))
    return UNAVAILABLE


def get(ogc: str, path: str, key: str | None, **params: Any) -> httpx.Response:
    """GET an OGC path with an optional API key."""
    headers = {"X-API-Key": key} if key else {}
    return httpx.get(f"{ogc}{path}", params=params, headers=headers, timeout=60)


def problem(r: httpx.Response, status: int) -> str:
    """Assert a problem+json answer with ``status``; return its detail."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return str(r.json()["detail"])


def test_every_route_needs_a_key(ogc: str, keys: dict[str, str]) -> None:
    """Without a key: 401 everywhere; with an unknown key: 401."""
    for path in ("", "/api", "/conformance", "/collections", "/collections/flats/items"):
        problem(get(ogc, path, None), 401)
    problem(get(ogc, "/collections", "gs_nope_nope"), 401)


def test_viewer_sees_public_collections_only(ogc: str, keys: dict[str, str]) -> None:
    """Coverage gaps are for planners: hidden from a viewer's list, 403 when asked for."""
    listed = {c["id"] for c in get(ogc, "/collections", keys["viewer"]).json()["collections"]}
    assert listed == {"districts", "offers", "amenities", "flats", "area_scores"}
    assert "coverage_gaps" in problem(get(ogc, "/collections/coverage_gaps", keys["viewer"]), 403)
    problem(get(ogc, "/collections/coverage_gaps/items", keys["viewer"]), 403)
    assert get(ogc, "/collections/coverage_gaps/items", keys["planner"]).status_code == 200


def test_flats_available_only_and_detail_by_role(
    ogc: str, keys: dict[str, str], with_unavailable: tuple[str, ...], api_engine: Engine
) -> None:
    """Unavailable flats never appear; viewers get no address; nobody gets household data."""
    with api_engine.connect() as conn:
        available = conn.execute(text("SELECT count(*) FROM flats WHERE available")).scalar_one()
    public = set(FLAT_PUBLIC) | {"district_code", "score"}
    for role, props in (
        ("viewer", public),
        ("planner", public),
        ("housing_office", public | set(FLAT_DETAIL)),
        ("admin", public | set(FLAT_DETAIL)),
    ):
        page = get(ogc, "/collections/flats/items", keys[role], limit=10_000).json()
        assert page["numberMatched"] == available == 898
        assert not {f["id"] for f in page["features"]} & set(with_unavailable)
        assert {k for f in page["features"] for k in f["properties"]} == props, role
    problem(get(ogc, "/collections/flats/items/F-0003", keys["admin"]), 404)
    one = get(ogc, "/collections/flats/items/F-0001", keys["viewer"]).json()
    assert "address" not in one["properties"]


def test_small_districts_are_suppressed_below_planner(ogc: str, keys: dict[str, str]) -> None:
    """A district under the minimum population shows no figures to viewers; planners see them."""
    figures = set(PUBLIC_FIGURES) | set(sample_profile().district.indicators)
    by_role = {
        role: {
            f["id"]: f["properties"]
            for f in get(ogc, "/collections/districts/items", keys[role], limit=100).json()[
                "features"
            ]
        }
        for role in ("viewer", "planner")
    }
    small = [code for code, p in by_role["planner"].items() if p["suppressed"]]
    assert small, "the sample has a district under the minimum population"
    for code in small:
        assert all(by_role["viewer"][code][k] is None for k in figures)
        assert by_role["planner"][code]["residents"] < 300
    big = next(code for code, p in by_role["viewer"].items() if not p["suppressed"])
    assert by_role["viewer"][big]["status_class"] in (1, 2, 3, 4)
    assert by_role["viewer"][big]["unemployment_rate"] is not None


def test_small_numbers_of_placements_are_hidden_alike_everywhere(
    ogc: str, keys: dict[str, str], api_engine: Engine
) -> None:
    """Below the planner role a district with 1 or 2 placements shows neither them nor the
    utilisation and factor that give them away (utilisation x capacity = placements), the same
    in the OGC collection, the districts API and the maps' data; planners see everything."""
    from geo_service.maps import data

    figures = ("placements", "utilisation", "factor")
    ogc_view = {
        f["id"]: f["properties"]
        for f in get(ogc, "/collections/districts/items", keys["viewer"], limit=100).json()[
            "features"
        ]
    }
    api = httpx.get(
        ogc.replace("/ogc", "/api/v1/districts"), headers={"X-API-Key": keys["viewer"]}
    ).json()["items"]
    planner = httpx.get(
        ogc.replace("/ogc", "/api/v1/districts"), headers={"X-API-Key": keys["planner"]}
    ).json()["items"]
    with api_engine.connect() as conn:
        maps = data.districts(conn, sample_profile().min_cell).set_index("code")
    truth = {d["code"]: d for d in planner}
    small = {c for c, d in truth.items() if not d["suppressed"] and 0 < d["placements"] < 3}
    assert small, "the sample has districts with 1 or 2 placements"
    for d in api:
        code = d["code"]
        hidden = code in small
        assert d["small_count"] is hidden
        assert ogc_view[code]["small_count"] is hidden
        for k in figures:
            if hidden or d["suppressed"]:
                assert d[k] is None and ogc_view[code][k] is None, (code, k)
                assert maps.loc[code, k] is None or maps.loc[code, k] != maps.loc[code, k]
            else:
                assert d[k] == truth[code][k]
                assert ogc_view[code][k] == pytest.approx(truth[code][k])
    for prop in ("placements", "small_count"):
        assert prop in ogc_view[next(iter(small))]
    assert all(not d.get("small_count") for d in planner)


def test_gaps_never_tell_the_language_of_one_or_two_households(
    ogc: str, keys: dict[str, str], api_engine: Engine
) -> None:
    """A district's gap in a language spoken there by one or two placed households told where
    such a household lives: the OGC gaps and the offers map's gap layer leave those languages
    out (all read ``public_rows``); the planner's coverage route keeps them."""
    from geo_service.catalogue import service
    from geo_service.catalogue.store import vocabulary
    from geo_service.maps import data

    m = sample_profile().min_cell
    categories, languages = vocabulary(api_engine)
    rows = service.coverage(api_engine, languages, categories)
    small = {(r.district_code, r.category, r.language) for r in rows if r.gap and r.households < m}
    assert small, "the sample has gaps of one or two households"
    items = get(ogc, "/collections/coverage_gaps/items", keys["planner"], limit=10_000).json()
    published = [f["properties"] for f in items["features"]]
    assert published and min(p["households"] for p in published) >= m
    assert not small & {(p["district_code"], p["category"], p["language"]) for p in published}
    layer = data.coverage_gaps(api_engine, "zz", m).set_index("code")["gaps"]
    for code, category, language in small:
        line = next((x for x in layer.get(code, "").split("; ") if x.startswith(category)), "")
        assert language not in line.removeprefix(f"{category}: ").split(", ")


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/collections/flats/items", {"colour": "red"}, "Unbekannter Abfrageparameter „colour“"),
        (
            "/collections/flats/items",
            {"category": "kita"},
            "Unbekannter Abfrageparameter „category“",
        ),
        ("/collections/flats/items", {"rooms": "many"}, "rooms"),
        ("/collections/flats/items", {"bbox": "1,2,3"}, "bbox"),
        (
            "/collections/flats/items",
            {"bbox": "10.4,52,10.3,52.1"},
            "hat ein Minimum über dem Maximum",
        ),
        ("/collections/flats/items", {"bbox": "nan,52,10.3,52.1"}, "endliche Zahlen"),
        ("/collections/flats/items", {"bbox-crs": "http://x"}, "bbox-crs ist ohne bbox angegeben"),
        ("/collections/flats/items", {"bbox": "1,2,3,4", "bbox-crs": "EPSG:1"}, "bbox-crs"),
        ("/collections/flats/items", {"crs": "EPSG:25832"}, "crs"),
        ("/collections/flats/items", {"datetime": "soon"}, "datetime"),
        (
            "/collections/flats/items",
            {"datetime": "2027-01-01/2026-01-01"},
            "endet, bevor er beginnt",
        ),
        ("/collections/flats/items", {"f": "xml"}, "f"),
        ("/collections/flats/items/F-0001", {"limit": "3"}, "Unbekannter Abfrageparameter „limit“"),
        ("/collections", {"bbox": "1,2,3,4"}, "Unbekannter Abfrageparameter „bbox“"),
        ("", {"x": "1"}, "Unbekannter Abfrageparameter „x“"),
    ],
)
def test_bad_input_is_a_clear_400(
    ogc: str, keys: dict[str, str], path: str, params: dict[str, str], says: str
) -> None:
    """Bad or unknown parameters: 400 problem+json naming the problem."""
    assert says in problem(get(ogc, path, keys["viewer"], **params), 400)


def test_unknown_collection_and_feature_are_404(ogc: str, keys: dict[str, str]) -> None:
    """Unknown collection, feature id or a non-numeric amenity id: 404 problem+json."""
    assert "districts" in problem(get(ogc, "/collections/nope", keys["viewer"]), 404)
    problem(get(ogc, "/collections/flats/items/F-9999", keys["viewer"]), 404)
    problem(get(ogc, "/collections/amenities/items/abc", keys["viewer"]), 404)
    assert get(ogc, "/collections/amenities/items/1", keys["viewer"]).status_code == 200


def test_datetime_filters_flats_by_availability_date(
    walk: Walk, api_engine: Engine, with_unavailable: tuple[str, ...]
) -> None:
    """datetime selects available flats by available_from (instant, closed and open intervals)."""
    sql = "SELECT id FROM flats WHERE available AND available_from BETWEEN :a AND :b"
    cases = {
        "2026-12-01": ("2026-12-01", "2026-12-01"),
        "../2026-12-01": ("1900-01-01", "2026-12-01"),
        "2026-11-01T00:00:00Z/2027-01-31": ("2026-11-01", "2027-01-31"),
        "2027-02-01/..": ("2027-02-01", "2999-12-31"),
    }
    with api_engine.connect() as conn:
        for value, (a, b) in cases.items():
            expected = set(conn.scalars(text(sql), {"a": a, "b": b}))
            got = {f["id"] for f in walk("flats", limit=10_000, datetime=value)}
            assert got == expected and (expected or value == "2026-12-01"), value


def test_bbox_far_away_or_worldwide(walk: Walk, with_unavailable: tuple[str, ...]) -> None:
    """A world-wide CRS84 box finds every flat; a box over the Pacific finds none (no error)."""
    assert len(walk("flats", limit=10_000, bbox="-180,-90,180,90")) == 898
    assert walk("flats", bbox="-170,-10,-160,10") == []
