"""The transit service over the database: one journey, for the CLI, the API and notebooks."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from pyproj import Transformer
from sqlalchemy import Engine

from geo_service.db.crs import storage_crs
from geo_service.db.engine import get_engine
from geo_service.scoring.profile import ScoringProfile
from geo_service.transit.network import load_network
from geo_service.transit.results import TransitTime
from geo_service.transit.router import travel_time


def point_to_point(
    origin: tuple[float, float],
    destination: tuple[float, float],
    at: datetime,
    profile: ScoringProfile,
    engine: Engine | None = None,
) -> TransitTime:
    """The earliest arrival from ``origin`` to ``destination`` (lon, lat) leaving at ``at``."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        srid = storage_crs(conn).srid
        net = load_network(conn, profile)
    to_xy = Transformer.from_crs(4326, srid, always_xy=True)
    a = np.array(to_xy.transform(*origin), dtype=float)
    b = np.array(to_xy.transform(*destination), dtype=float)
    return travel_time(net, a, b, at)
