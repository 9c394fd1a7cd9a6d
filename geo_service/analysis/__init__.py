"""The notebook-facing library API: the service's numbers as (Geo)DataFrames for analysts.

Every function reads through the same service code as the HTTP API (``scoring``,
``allocation``, ``catalogue``, ``flats``), so a notebook sees exactly the housing office's
figures. Geometries are returned in the database's storage CRS (``crs()``: the deployment's
``GEO_SERVICE_CRS``, EPSG:25832 for the Salzgitter sample), so distances and areas are in
metres; call ``.to_crs(4326)`` for WGS84. Every function takes an
optional ``engine``; without one it uses ``DATABASE_URL`` or the embedded cluster
(``geo_service.db.engine.get_engine``). Nothing here writes to the database.

Examples
--------
>>> from geo_service import analysis
>>> d = analysis.districts()
>>> d.crs.to_epsg() == analysis.crs()
True
"""

from geo_service.analysis.catalogue import coverage_gaps, duplicates, language_needs, offers
from geo_service.analysis.districts import districts, indicators
from geo_service.analysis.infrastructure import area_scores, features, flats
from geo_service.analysis.placements import Allocation, allocate, households, rank
from geo_service.analysis.sensitivity import compare_rankings, decay_variant
from geo_service.analysis.source import crs, scoring_profile
from geo_service.analysis.transition import pipeline, potentials, simulate, simulation_tables

__all__ = [
    "Allocation",
    "allocate",
    "area_scores",
    "compare_rankings",
    "coverage_gaps",
    "crs",
    "decay_variant",
    "districts",
    "duplicates",
    "features",
    "flats",
    "households",
    "indicators",
    "language_needs",
    "offers",
    "pipeline",
    "potentials",
    "rank",
    "scoring_profile",
    "simulate",
    "simulation_tables",
]
