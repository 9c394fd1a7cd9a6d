"""The deployment's storage CRS: one projected CRS in metres per database.

``GEO_SERVICE_CRS`` names it (default EPSG:25832, Salzgitter's; EPSG:25833 east of 12°E, any
projected metric CRS with an EPSG code elsewhere). The first ``db migrate`` creates every
geometry column in it and records it in the ``storage_crs`` table; every later start compares
the setting with the record. Everything that needs the SRID at run time asks ``storage_crs``
for the database it works on, so one process can serve databases in different CRSs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS
from pyproj.exceptions import CRSError
from sqlalchemy import Connection, Engine, text

from geo_service.config import Settings, get_settings
from geo_service.errors import ConfigurationError
from geo_service.i18n import _

SETTING = "GEO_SERVICE_CRS"
WEB_MERCATOR_METHOD = "Popular Visualisation Pseudo Mercator"


@dataclass(frozen=True)
class StorageCRS:
    """A projected CRS in metres with an EPSG code, and its area of use (WGS84 degrees)."""

    srid: int
    name: str
    west: float
    south: float
    east: float
    north: float

    @property
    def code(self) -> str:
        """``EPSG:<srid>``, as users write it."""
        return f"EPSG:{self.srid}"

    @property
    def uri(self) -> str:
        """The OGC URI of the CRS (OGC API – Features Part 2)."""
        return f"http://www.opengis.net/def/crs/EPSG/0/{self.srid}"

    def describe(self) -> str:
        """``EPSG:25832 (ETRS89 / UTM zone 32N)``."""
        return f"{self.code} ({self.name})"

    def area_text(self) -> str:
        """The area of use in words: ``6.00°E–12.01°E, 36.53°N–84.01°N``."""

        def deg(v: float, pos: str, neg: str) -> str:
            return f"{abs(v):.2f}°{pos if v >= 0 else neg}"

        return (
            f"{deg(self.west, 'E', 'W')}–{deg(self.east, 'E', 'W')}, "
            f"{deg(self.south, 'N', 'S')}–{deg(self.north, 'N', 'S')}"
        )


def _refuse(value: str, why: str, where: str) -> ConfigurationError:
    """The one-line error for an unusable CRS."""
    return ConfigurationError(
        _(
            "{where} = “{value}”: {why}; use a projected CRS in metres with an EPSG code, e.g. "
            "EPSG:25832 (Germany west of 12°E), EPSG:25833 (east of 12°E) or the city's UTM zone"
        ).format(where=where, value=value, why=why)
    )


@lru_cache(maxsize=64)
def parse_crs(value: str, where: str = SETTING) -> StorageCRS:
    """A storage CRS from user text (``EPSG:25833``, ``25833``, a WKT with an EPSG code).

    Refused with one line: unknown, geographic (degrees), geocentric or compound (3D), not in
    metres, Web Mercator (its metres are not ground metres), or without an EPSG code.
    """
    text_value = value.strip()
    try:
        crs = CRS.from_user_input(int(text_value) if text_value.isdigit() else text_value)
    except CRSError:
        raise _refuse(value, _("unknown CRS"), where) from None
    if crs.is_geographic:
        why = _("{name} is a geographic CRS (degrees), not projected").format(name=crs.name)
        raise _refuse(value, why, where)
    if not crs.is_projected or len(crs.axis_info) != 2:
        raise _refuse(value, _("{name} is not a 2D projected CRS").format(name=crs.name), where)
    units = {a.unit_name for a in crs.axis_info}
    if units != {"metre"}:
        raise _refuse(
            value,
            _("{name} measures in {units}").format(name=crs.name, units=", ".join(sorted(units))),
            where,
        )
    method = crs.coordinate_operation.method_name if crs.coordinate_operation else ""
    if method == WEB_MERCATOR_METHOD:
        raise _refuse(value, _("Web Mercator distances are not ground metres"), where)
    epsg = crs.to_epsg()
    if epsg is None:
        why = _("{name} has no EPSG code (PostGIS needs an SRID)").format(name=crs.name)
        raise _refuse(value, why, where)
    area = crs.area_of_use
    bounds = area.bounds if area else (-180.0, -90.0, 180.0, 90.0)
    return StorageCRS(epsg, crs.name, *bounds)


def from_srid(srid: int) -> StorageCRS:
    """The storage CRS of a database that records ``srid``."""
    return parse_crs(str(srid), "the database's storage CRS")


def configured(settings: Settings | None = None) -> StorageCRS:
    """The CRS ``GEO_SERVICE_CRS`` asks for (validated)."""
    return parse_crs((settings or get_settings()).crs)


def database_srid(conn: Connection) -> int | None:
    """The SRID the database stores geometries in: its record, else (databases migrated
    before the record existed) the districts' column SRID; None for an empty database."""
    if conn.execute(text("SELECT to_regclass('storage_crs')")).scalar() is not None:
        srid = conn.execute(text("SELECT srid FROM storage_crs")).scalar()
        if srid is not None:
            return int(srid)
    if conn.execute(text("SELECT to_regclass('districts')")).scalar() is None:
        return None
    found = conn.execute(text("SELECT Find_SRID(current_schema()::text, 'districts', 'geom')"))
    return int(found.scalar_one())


def check(engine: Engine, wanted: StorageCRS | None = None) -> StorageCRS:
    """``wanted`` (default: the configured CRS), after checking that the database, if set up,
    stores geometries in the same CRS."""
    wanted = wanted or configured()
    with engine.connect() as conn:
        have = database_srid(conn)
    if have is not None and have != wanted.srid:
        raise ConfigurationError(
            _(
                "the database stores geometries in EPSG:{have} but {setting} is {wanted}: set "
                "{setting}=EPSG:{have} for this database, or use a new database for {wanted}"
            ).format(have=have, setting=SETTING, wanted=wanted.code)
        )
    return wanted


_known: dict[str, StorageCRS] = {}
_lock = threading.Lock()


def storage_crs(bind: Engine | Connection) -> StorageCRS:
    """The storage CRS of the database behind ``bind`` (its record, read once per database;
    the configured one while the database is not migrated yet)."""
    key = bind.engine.url.render_as_string(hide_password=True)
    with _lock:
        found = _known.get(key)
    if found is not None:
        return found
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            srid = database_srid(conn)
    else:
        srid = database_srid(bind)
    if srid is None:
        return configured()
    found = from_srid(srid)
    with _lock:
        _known[key] = found
    return found


def migration_srid(conn: Connection) -> int:
    """The SRID migrations create geometry columns in: the one ``migrate.upgrade`` hands over,
    else (Alembic run by hand) the configured CRS; PostGIS must know it."""
    from alembic import context

    given = context.config.attributes.get("storage_srid")
    srid = int(given) if given else configured().srid
    known = conn.execute(text("SELECT 1 FROM spatial_ref_sys WHERE srid = :s"), {"s": srid})
    if known.scalar() is None:
        raise ConfigurationError(
            _("EPSG:{srid} is not in PostGIS's spatial_ref_sys: choose another {setting}").format(
                srid=srid, setting=SETTING
            )
        )
    return srid
