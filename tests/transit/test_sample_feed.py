"""The sample's ILLUSTRATIVE feed: imported by load-sample, bad feeds refused with nothing
written, transit categories scored for every flat and explained, the window's median exact."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text

from geo_service.db import models
from geo_service.ingest.errors import ImportValidationError
from geo_service.ingest.gtfs import import_gtfs
from geo_service.scoring.features import target_sets
from geo_service.scoring.household import Household
from geo_service.scoring.pipeline import load_ranker
from geo_service.scoring.profile import ScoringProfile, load_profile, parse_profile
from geo_service.scoring.store import read_amenities, read_offers
from geo_service.transit.network import load_network
from geo_service.transit.router import earliest_arrivals
from geo_service.transit.scoring import transit_for
from geo_service.transit.timetable import representative_day
from tests.conftest import PROJECT_ROOT, run_cli

SAMPLE_GTFS = PROJECT_ROOT / "data" / "sample" / "gtfs.zip"
PROFILE = PROJECT_ROOT / "data" / "profiles" / "salzgitter.toml"


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This module starts from the sample scored with the shipped profile."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def profile() -> ScoringProfile:
    """The shipped profile (with its transit categories)."""
    return load_profile(PROFILE)


def edited(tmp_path: Path, name: str, change: dict[str, str | None]) -> Path:
    """A copy of the sample feed with files replaced (None: removed)."""
    out = tmp_path / name
    with zipfile.ZipFile(SAMPLE_GTFS) as src, zipfile.ZipFile(out, "w") as dst:
        for member in src.namelist():
            if member in change:
                continue
            dst.writestr(member, src.read(member))
        for member, content in change.items():
            if content is not None:
                dst.writestr(member, content)
    return out


def sample_file(member: str) -> pd.DataFrame:
    """One file of the sample feed as text."""
    with zipfile.ZipFile(SAMPLE_GTFS) as z:
        return pd.read_csv(io.BytesIO(z.read(member)), dtype=str, keep_default_na=False)


def counts(engine: Engine) -> tuple[int, int]:
    """Stored stops and stop times."""
    with engine.connect() as conn:
        stops = conn.execute(select(func.count()).select_from(models.gtfs_stops)).scalar_one()
        times = conn.execute(select(func.count()).select_from(models.gtfs_stop_times)).scalar_one()
    return stops, times


def test_load_sample_imported_the_feed_with_its_parts(sample_engine: Engine) -> None:
    """Stops, interpolated non-timepoint times, a frequency-based line, same-stop change
    times and holidays are stored."""
    with sample_engine.connect() as conn:
        one = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
        assert one("SELECT count(*) FROM gtfs_stops") > 100
        assert one("SELECT count(*) FROM gtfs_stop_times WHERE interpolated") > 1000
        assert one("SELECT count(*) FROM gtfs_frequencies") >= 6
        assert one("SELECT min_transfer_time FROM gtfs_transfers LIMIT 1") == 120
        assert one("SELECT count(*) FROM gtfs_calendar_dates") == 9


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stop_times.txt": None}, "the feed has no stop times"),
        (
            {"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"},
            "no stop times",
        ),
        (
            {"calendar.txt": None, "calendar_dates.txt": None},
            "lacks calendar.txt or calendar_dates.txt",
        ),
    ],
)
def test_incomplete_feeds_are_refused_in_one_line(
    sample_engine: Engine, tmp_path: Path, change: dict, message: str
) -> None:
    """A feed without stop times (or without any calendar) is refused, nothing written."""
    before = counts(sample_engine)
    with pytest.raises(ImportValidationError) as caught:
        import_gtfs(sample_engine, edited(tmp_path, "bad.zip", change))
    said = str(caught.value)
    assert said.startswith("Fahrplanzeilen (GTFS) aus bad.zip abgelehnt, nichts geschrieben")
    assert message in said and "\n" not in said
    assert counts(sample_engine) == before


def test_stops_outside_the_storage_crs_are_refused_in_one_line(
    sample_database_url: str, sample_engine: Engine, tmp_path: Path
) -> None:
    """A stop in Australia under EPSG:25832: one line naming the count, a stop and the CRS."""
    stops = sample_file("stops.txt")
    stops.loc[3, ["stop_lat", "stop_lon"]] = ["-16.9", "145.77"]
    bad = edited(tmp_path, "far.zip", {"stops.txt": stops.to_csv(index=False)})
    before = counts(sample_engine)
    proc = run_cli(sample_database_url, "ingest", "gtfs", str(bad))
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert "1 of" in last and "outside the area of the storage CRS EPSG:25832" in last
    assert stops.loc[3, "stop_id"] in last
    assert counts(sample_engine) == before


def test_bad_rows_are_reported_row_by_row_and_nothing_is_written(
    sample_database_url: str, sample_engine: Engine, tmp_path: Path
) -> None:
    """An unknown stop, a malformed time, a trip's first stop without a time, a time running
    backwards: each reported with its file, row and value; the stored feed stays as it was."""
    before = counts(sample_engine)
    first = int(
        sample_file("stop_times.txt").index[sample_file("stop_times.txt")["stop_sequence"] == "1"][
            2
        ]
    )
    cases = [
        ({4: {"stop_id": "NOWHERE"}}, (5, "stop_times.txt: stop_id", "NOWHERE")),
        ({5: {"arrival_time": "7h30"}}, (6, "stop_times.txt: arrival_time", "7h30")),
        (
            {first: {"arrival_time": "", "departure_time": "", "timepoint": "0"}},
            (first + 1, "first or last stop of a trip without a time"),
        ),
        (
            {10: {"arrival_time": "01:00:00", "departure_time": "01:00:00"}},
            (11, "earlier than the previous stop's departure"),
        ),
    ]
    for k, (change, expected) in enumerate(cases):
        st = sample_file("stop_times.txt")
        for row, values in change.items():
            for col, value in values.items():
                st.loc[row, col] = value
        bad = edited(tmp_path, f"rows{k}.zip", {"stop_times.txt": st.to_csv(index=False)})
        if k == 0:  # the command writes the report
            report = tmp_path / "report.json"
            proc = run_cli(sample_database_url, "ingest", "gtfs", str(bad), "--report", str(report))
            assert proc.returncode != 0
            problems = json.loads(report.read_text())["problems"]
        else:
            with pytest.raises(ImportValidationError) as caught:
                import_gtfs(sample_engine, bad)
            problems = [p.__dict__ for p in caught.value.report.problems]
        found = {(p["row"], p["field"], p["value"]) for p in problems}
        found |= {(p["row"], p["message"]) for p in problems}
        assert expected in found, problems[:3]
    assert counts(sample_engine) == before


def test_dry_run_writes_nothing(sample_database_url: str, sample_engine: Engine) -> None:
    """``--dry-run`` checks the whole feed and writes nothing (the imports log included)."""
    with sample_engine.connect() as conn:
        imports = conn.execute(select(func.count()).select_from(models.imports)).scalar_one()
    proc = run_cli(sample_database_url, "ingest", "gtfs", str(SAMPLE_GTFS), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "gültig, nichts geschrieben (Probelauf)" in proc.stdout
    with sample_engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(models.imports)).scalar_one() == imports
        )


def test_every_flat_has_its_transit_categories_explained(
    sample_engine: Engine, profile: ScoringProfile
) -> None:
    """``score`` stored the median minutes of every flat for each transit category; a ranking
    explains them in words ("… Minuten mit Bus 6…, Abfahrt alle … Minuten")."""
    with sample_engine.connect() as conn:
        rows = pd.read_sql(
            text("SELECT * FROM flat_features WHERE distance_mode = 'transit'"), conn
        )
        flats = conn.execute(select(func.count()).select_from(models.flats)).scalar_one()
    for cat in profile.transit_names():
        assert (rows["category"] == cat).sum() >= flats
    assert rows["travel_min"].notna().all()
    assert rows["transit_route"].str.startswith("Bus 6").any()
    ranker = load_ranker(sample_engine, profile)
    household = Household.model_validate({"size": 2, "languages": ["ar"], "move_in": "2027-06-01"})
    ranking = ranker.rank(household, limit=150)
    words = [
        p.travel for r in ranking.results for c in profile.transit_names() for p in r.nearest[c]
    ]
    assert any(w and "Minuten mit Bus 6" in w and "Abfahrt alle" in w for w in words)
    assert any(w and w.endswith("Minuten zu Fuß") for w in words)
    first = ranking.results[0]
    assert first.categories["job_centre"].unit == "min"
    assert sum(first.contributions.values()) == pytest.approx(first.infrastructure_score, abs=0.011)


def test_the_window_median_equals_journeys_minute_by_minute(
    sample_engine: Engine, profile: ScoringProfile
) -> None:
    """The stored travel time is the median over departures every minute of the window: the
    same as ``transit time`` (one journey per minute) gives, for flats across the city."""
    short = profile.model_dump(mode="json", exclude_none=True)
    short["categories"]["job_centre"]["departure"] = "07:00-07:08"
    prof = parse_profile(short)
    with sample_engine.connect() as conn:
        scoring = transit_for(prof, conn)
        net = load_network(conn, prof)
        flats = pd.read_sql(
            text("SELECT id, ST_X(geom) x, ST_Y(geom) y FROM flats ORDER BY id"), conn
        )
        sets = target_sets(read_amenities(conn), read_offers(conn), prof)
    assert scoring is not None
    xy = flats[["x", "y"]].to_numpy(float)[::90]
    key = ("job_centre", "")
    got = scoring.features(xy, {key: sets[key]})[key].dist[:, 0]
    day = representative_day(net.feed, "weekday")
    targets = sets[key].xy
    # every flat x minute x job centre as one journey each, all in one scan
    f, m, t = (
        a.ravel()
        for a in np.meshgrid(
            np.arange(len(xy)), np.arange(9), np.arange(len(targets)), indexing="ij"
        )
    )
    arrive = earliest_arrivals(net, xy[f], targets[t], day, 7 * 3600 + 60.0 * m)
    minutes = ((arrive - (7 * 3600 + 60.0 * m)) / 60).reshape(len(xy), 9, len(targets)).min(axis=2)
    expected = np.median(minutes, axis=1)
    zero = prof.zero_m("job_centre")
    within = expected <= zero
    assert within.sum() >= 5
    np.testing.assert_allclose(got[within], np.round(expected[within], 1), atol=0.051)
    assert (got[~within] > zero).all()  # beyond the decay's end: not followed further, counts 0
