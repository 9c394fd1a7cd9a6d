"""The router against an independent reference on a real feed: TransLink's Cairns GTFS (2014,
shipped in gtfs-kit's sdist), imported by the CLI into a database in EPSG:28355, compared on
random stop pairs with Dijkstra on a time-expanded graph built by the test (``reference.py``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from geo_service.db.engine import make_engine
from geo_service.scoring.profile import ScoringProfile, load_profile
from geo_service.transit.network import TransitNetwork, load_network
from geo_service.transit.router import SEARCH_HOURS, earliest_arrivals, travel_time
from tests.conftest import PROJECT_ROOT, run_cli
from tests.transit import reference

DAY = date(2014, 6, 10)  # a Tuesday in the feed's weekday service
PAIRS, LEG_PAIRS = 150, 12


@pytest.fixture(scope="module")
def imported(cairns_db: str, cairns_zip: Path) -> str:
    """The Cairns feed imported by ``geo-service ingest gtfs`` (the command's output)."""
    proc = run_cli(cairns_db, "ingest", "gtfs", str(cairns_zip), GEO_SERVICE_CRS="EPSG:28355")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def engine(cairns_db: str, imported: str) -> Engine:  # type: ignore[override]
    """An engine on the imported Cairns database."""
    return make_engine(cairns_db)


@pytest.fixture(scope="module")
def profile() -> ScoringProfile:
    """The shipped profile's transit rules (no street network here: straight line x detour)."""
    return load_profile(PROJECT_ROOT / "data" / "profiles" / "salzgitter.toml")


@pytest.fixture(scope="module")
def net(engine: Engine, profile: ScoringProfile) -> TransitNetwork:
    """The routable feed."""
    with engine.connect() as conn:
        return load_network(conn, profile)


@pytest.fixture(scope="module")
def ref(net: TransitNetwork, profile: ScoringProfile) -> reference.Reference:
    """The time-expanded graph of the Tuesday's rides from 07:00 to 15:00, built from the
    stored stop times and the raw calendar (weekday services running that day)."""
    f = net.feed
    cal = f.calendar
    running = cal[cal["tuesday"] & (cal["start_date"] <= DAY) & (cal["end_date"] >= DAY)]
    removed = f.calendar_dates[
        (f.calendar_dates["date"] == DAY) & (f.calendar_dates["exception_type"] == 2)
    ]
    services = set(running["service_id"]) - set(removed["service_id"])
    trips = f.trips[f.trips["service_id"].isin(services)]["trip_id"]
    st = f.stop_times[f.stop_times["trip_id"].isin(trips)]
    first = st.groupby("trip_id")["departure_s"].transform("min")
    st = st[(first >= 6 * 3600) & (first <= 15 * 3600)]
    events = pd.DataFrame(
        {
            "run": st["trip_id"].to_numpy(),
            "seq": st["stop_sequence"].to_numpy(),
            "stop": pd.Index(f.stops["stop_id"]).get_indexer(st["stop_id"]),
            "arr": st["arrival_s"].to_numpy(float),
            "dep": st["departure_s"].to_numpy(float),
            "board": st["pickup_type"].to_numpy() != 1,
            "alight": st["drop_off_type"].to_numpy() != 1,
        }
    )
    rules = profile.transit_rules
    return reference.build(
        events,
        f.stop_xy,
        rules.walk_speed_m_s,
        rules.walk_radius_m,
        rules.detour_factor,
        rules.min_transfer_s,
    )


def test_import_reports_the_feed(imported: str) -> None:
    """Every file's rows are counted; the 65 blank times at non-timepoint stops are filled."""
    assert "stop_times.txt 37.790" in imported and "stops.txt 416" in imported
    assert "65 fehlende Abfahrtszeiten an Haltestellen ohne festen Zeitpunkt" in imported


def test_interpolated_times_lie_between_their_neighbours(net: TransitNetwork) -> None:
    """An interpolated stop time is never before the stop before it nor after the one after."""
    st = net.feed.stop_times.sort_values(["trip_id", "stop_sequence"])
    same = st["trip_id"].to_numpy()[1:] == st["trip_id"].to_numpy()[:-1]
    arr, dep = st["arrival_s"].to_numpy(), st["departure_s"].to_numpy()
    assert (arr[1:][same] >= dep[:-1][same]).all()
    assert st["interpolated"].sum() == 65


def test_random_stop_pairs_equal_the_time_expanded_reference(
    net: TransitNetwork, ref: reference.Reference
) -> None:
    """150 random stop pairs leaving 07:00-09:00: every earliest arrival equals the
    reference's (to the second) where both find one within the search hours, and both agree
    on which are unreachable (where the walking rules are the same: the reference walks
    straight x detour, as the service does without a street network)."""
    rng = np.random.default_rng(29)
    xy = net.feed.stop_xy
    a, b = rng.integers(0, len(xy), (2, PAIRS))
    starts = rng.integers(7 * 3600, 9 * 3600, PAIRS).astype(float)
    ours = earliest_arrivals(net, xy[a], xy[b], DAY, starts)
    theirs = np.array(
        [
            reference.earliest_arrival(ref, xy[i], xy[j], t, SEARCH_HOURS * 3600)
            for i, j, t in zip(a, b, starts, strict=True)
        ]
    )
    # the reference holds trips starting up to 15:00: compare journeys arriving by then
    judged = np.minimum(ours, theirs) <= 15 * 3600
    assert judged.sum() >= 0.8 * PAIRS
    assert np.array_equal(np.isinf(ours[judged]), np.isinf(theirs[judged]))
    both = judged & np.isfinite(ours)
    np.testing.assert_allclose(ours[both], theirs[both], atol=1e-6)
    rides = both & (ours < starts + np.hypot(*(xy[b] - xy[a]).T) * ref.detour / ref.speed - 1)
    assert rides.sum() >= 0.5 * PAIRS  # most answers ride a bus, not walk all the way


def test_travel_time_legs_add_up_and_equal_the_reference(
    net: TransitNetwork, ref: reference.Reference
) -> None:
    """``transit time``'s journeys: minutes = arrival - asked time, equal to the reference;
    legs follow each other in time and start with the asked time."""
    rng = np.random.default_rng(7)
    xy = net.feed.stop_xy
    for i, j in rng.integers(0, len(xy), (LEG_PAIRS, 2)):
        at = datetime(2014, 6, 10, 7, int(rng.integers(0, 60)))
        result = travel_time(net, xy[i], xy[j], at)
        start = at.hour * 3600 + at.minute * 60
        expected = reference.earliest_arrival(ref, xy[i], xy[j], start, SEARCH_HOURS * 3600)
        if result.minutes is None:
            assert expected == np.inf
            continue
        assert result.minutes == pytest.approx(round((expected - start) / 60, 1), abs=0.051)
        assert result.legs[0].depart == at.isoformat()
        assert result.legs[-1].arrive == result.arrive
        times = [t for leg in result.legs for t in (leg.depart, leg.arrive)]
        assert times == sorted(times)


def test_transit_time_cli_prints_the_contract(cairns_db: str, imported: str) -> None:
    """``geo-service transit time --json`` prints minutes, depart, arrive and legs with the
    contract's keys; leaving at 02:00 for the far end of the network is unreachable (null)."""
    import json

    proc = run_cli(
        cairns_db,
        "transit",
        "time",
        "--from",
        "145.668217,-16.74359",
        "--to",
        "145.7781,-16.9203",
        "--at",
        "2014-06-10T07:30",
        "--json",
        GEO_SERVICE_CRS="EPSG:28355",
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert {"minutes", "depart", "arrive", "legs"} <= set(answer)
    assert answer["minutes"] > 0 and answer["depart"] == "2014-06-10T07:30:00"
    assert {"mode", "route", "from_stop", "to_stop", "depart", "arrive"} <= set(answer["legs"][1])
    assert [leg["mode"] for leg in answer["legs"]].count("transit") >= 1
    night = run_cli(
        cairns_db,
        "transit",
        "time",
        "--from",
        "145.668217,-16.74359",
        "--to",
        "145.70,-17.06",
        "--at",
        "2014-06-10T02:00",
        "--json",
        GEO_SERVICE_CRS="EPSG:28355",
    )
    assert night.returncode == 0, night.stderr
    assert json.loads(night.stdout)["minutes"] is None
