"""Service places on the scored sample: ``ingest capacities`` (row-level report, all or
nothing), the hard constraint "services" and its German reason, places used up by confirmed
placements and given back by a release, the districts' places as read for the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from geo_service.auth.keys import create_key
from geo_service.db import models
from geo_service.reservations.service import reserve, transition
from geo_service.scoring.districts import list_status
from geo_service.scoring.household import Household, parse_household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.scoring.services import demand
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def rankers() -> RankerCache:
    """The module's rankers (the district status is re-read after every commit)."""
    return RankerCache()


WHY = "Test: eine Wohnung in Gebhardshagen"  # not among the family's ten best flats


def toddler_family(profile: ScoringProfile) -> Household:
    """Three persons, a child of two: one kita place."""
    return parse_household(
        {"size": 3, "children_ages": [2], "languages": ["ar"], "move_in": "2027-06-01"}, profile
    )


def test_demand_follows_the_profiles_age_bands_and_needs(profile: ScoringProfile) -> None:
    """Children's ages decide kita and school levels; the language-course need takes a seat."""
    family = parse_household(
        {
            "size": 5,
            "children_ages": [0, 5, 6, 12],
            "languages": ["uk"],
            "needs": ["language_course"],
            "move_in": "2027-01-01",
        },
        profile,
    )
    assert demand(profile, family) == {
        "kita": 2,
        "primary_school": 1,
        "secondary_school": 1,
        "language_course": 1,
    }
    assert demand(profile, toddler_family(profile).model_copy(update={"children_ages": []})) == {}


def test_a_full_kita_excludes_the_district_in_words(
    scored_sample: Engine, profile: ScoringProfile, rankers: RankerCache
) -> None:
    """Beinum's kita places are taken in the sample: a family with a toddler gets none of
    Beinum's flats, and the ranking says why in German; three adults do."""
    ranker = rankers.ranker(scored_sample, profile)
    family = toddler_family(profile)
    ranking = ranker.rank(family, limit=1000)
    assert "BEI" not in {r.district.code for r in ranking.results}
    assert ranking.failed_constraints["services"] > 0
    (full,) = [f for f in ranking.full_services if f.code == "BEI"]
    assert (full.kind, full.left, full.needed) == ("kita", 0, 1)
    assert any(
        n.startswith("Kita-Plätze in Beinum belegt (0 frei, 1 nötig)") for n in ranking.notes
    )
    flat = next(i for i, c in zip(ranker.ids, ranker.district, strict=True) if c == "BEI")
    one = ranker.score_flat(str(flat), family)
    check = next(c for c in one.constraints if c.name == "services")
    assert not check.passed and check.detail == "Kita-Plätze in Beinum belegt (0 frei, 1 nötig)"
    adults = family.model_copy(update={"children_ages": []})
    assert "BEI" in {r.district.code for r in ranker.rank(adults, limit=1000).results}


def test_confirmed_placements_use_places_and_a_release_gives_them_back(
    scored_sample: Engine, profile: ScoringProfile, rankers: RankerCache
) -> None:
    """Gebhardshagen has two kita places: two families with a toddler placed there (confirmed)
    use them up, the next family gets no Gebhardshagen flat; releasing one frees a place."""
    family = toddler_family(profile)
    with scored_sample.begin() as conn:
        key, _ = create_key(conn, "housing_office", "services test")

    def geb_flats() -> list[str]:
        ranking = rankers.ranker(scored_sample, profile).rank(family, limit=1000, held=held())
        return [r.flat_id for r in ranking.results if r.district.code == "GEB"]

    def held() -> set[str]:
        r = models.reservations
        with scored_sample.connect() as conn:
            rows = conn.execute(select(r.c.flat_id).where(r.c.status.in_(["held", "confirmed"])))
            return set(rows.scalars())

    placed = []
    for _ in range(2):
        flat = geb_flats()[0]
        hold = reserve(
            scored_sample, flat, family, None, key, profile, rankers=rankers, override=WHY
        )
        placed.append(transition(scored_sample, hold.id, "confirm", key, profile))
    with scored_sample.connect() as conn:
        geb = next(d for d in list_status(conn, None, profile=profile) if d.code == "GEB")
    assert geb.services is not None
    kita = next(s for s in geb.services if s.kind == "kita")
    assert (kita.free_places, kita.used, kita.left, kita.label) == (2, 2, 0, "Kita-Plätze")
    assert geb_flats() == []
    transition(scored_sample, placed[0].id, "release", key, profile, "moved_out")
    assert geb_flats()
    transition(scored_sample, placed[1].id, "release", key, profile, "moved_out")


def test_ingest_capacities_reports_every_bad_row_and_writes_nothing(
    scored_sample: Engine, sample_database_url: str, tmp_path: Path
) -> None:
    """Unknown district and kind, a negative count, a bad date, a duplicate key: each named by
    row, exit non-zero, nothing written; a good file replaces the rows it names."""
    c = models.service_capacities
    with scored_sample.connect() as conn:
        before = conn.execute(select(func.count()).select_from(c)).scalar_one()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "district_code,kind,free_places,as_of\n"
        "LEB,kita,5,2026-12-01\n"
        "XXX,kita,5,2026-12-01\n"
        "LEB,sauna,5,2026-12-01\n"
        "BAD,kita,-1,2026-12-01\n"
        "BAD,primary_school,3,gestern\n"
        "LEB,kita,6,2026-12-01\n",
        encoding="utf-8",
    )
    out = run_cli(sample_database_url, "ingest", "capacities", str(bad))
    assert out.returncode != 0
    text = out.stdout + out.stderr
    for needle in (
        "unbekannte Kategorie",
        "muss mindestens 0 sein",
        "kein Datum",
        "doppelte Kennung",
    ):
        assert needle in text, needle
    with scored_sample.connect() as conn:
        assert conn.execute(select(func.count()).select_from(c)).scalar_one() == before
    good = tmp_path / "good.csv"
    good.write_text("district_code,kind,free_places,as_of\nSAL,kita,4,01.12.2026\n")
    out = run_cli(sample_database_url, "ingest", "capacities", str(good))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "Platzangaben (Kita, Schule, Sprachkurs): 1 Zeile aus good.csv gelesen; 1 Zeile importiert"
    )
    with scored_sample.connect() as conn:
        row = conn.execute(select(c).where(c.c.district_code == "SAL")).one()
    assert (row.kind, row.free_places, row.as_of.isoformat()) == ("kita", 4, "2026-12-01")
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("district_code,kind,free_places,as_of\nXXX,kita,4,2026-12-01\n")
    out = run_cli(sample_database_url, "ingest", "capacities", str(unknown))
    assert out.returncode != 0 and "unbekannter Stadtteilcode" in out.stdout + out.stderr
