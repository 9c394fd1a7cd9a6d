"""``city check``: what a city's database still lacks, in set-up order, with the next command.

Each step looks at what is stored against the city's scoring profile: districts, indicators of
the latest year for every district, a quota plan, flats, amenities (per category), offers,
the walking network (when the profile walks) and whether the scores are current.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, distinct, func, select

from geo_service.db import migrate, models
from geo_service.db.crs import configured, storage_crs
from geo_service.i18n import _, ngettext
from geo_service.i18n.formats import moment
from geo_service.scoring.profile import ScoringProfile


@dataclass(frozen=True)
class Step:
    """One thing a city needs: whether it is there, what was found, and the command that
    provides it (``required``: scoring or ranking cannot work without it)."""

    name: str
    ok: bool
    detail: str
    command: str | None = None
    required: bool = True


@dataclass(frozen=True)
class CityCheck:
    """The steps in set-up order; ``next_command`` is the first step still to do."""

    crs: str
    profile: str
    steps: list[Step] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Whether every required step is done."""
        return all(s.ok for s in self.steps if s.required)

    @property
    def next_command(self) -> str | None:
        """The command of the first required step not done (else of the first optional one)."""
        todo = [s for s in self.steps if not s.ok and s.required] or [
            s for s in self.steps if not s.ok
        ]
        return todo[0].command if todo else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            **asdict(self),
            "ready": self.ready,
            "next_command": self.next_command,
        }


def count(conn: Connection, table: Any, *where: Any) -> int:
    """Rows of ``table`` matching ``where``."""
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def districts_step(conn: Connection) -> tuple[Step, set[str]]:
    """Districts stored."""
    codes = set(conn.execute(select(models.districts.c.code)).scalars())
    detail = (
        ngettext("{n} district", "{n} districts", len(codes)).format(n=len(codes))
        if codes
        else _("no districts")
    )
    return Step("districts", bool(codes), detail, "geo-service import districts FILE"), codes


def indicators_step(conn: Connection, codes: set[str], profile: ScoringProfile) -> Step:
    """Every district has the profile's indicators for the latest year on file."""
    di, iv = models.district_indicators, models.district_indicator_values
    command = "geo-service import indicators FILE"
    year = conn.execute(select(func.max(di.c.year))).scalar()
    if year is None:
        return Step("indicators", False, _("no indicators"), command)
    have = set(conn.execute(select(di.c.district_code).where(di.c.year == year)).scalars())
    keys = list(profile.district.indicators)
    complete = set(
        conn.execute(
            select(iv.c.district_code)
            .where(iv.c.year == year, iv.c.indicator.in_(keys))
            .group_by(iv.c.district_code)
            .having(func.count(distinct(iv.c.indicator)) == len(keys))
        ).scalars()
    )
    lacking = sorted((codes - have) | (have - complete))
    if lacking:
        shown = ", ".join(lacking[:8]) + (" ..." if len(lacking) > 8 else "")
        detail = ngettext(
            "{year}: {n} district lacks the profile's indicators ({shown})",
            "{year}: {n} districts lack the profile's indicators ({shown})",
            len(lacking),
        ).format(year=year, n=len(lacking), shown=shown)
        return Step("indicators", False, detail, command)
    detail = _("{year} for every district: {keys}").format(year=year, keys=", ".join(keys))
    return Step("indicators", True, detail, command)


def quotas_step(conn: Connection, codes: set[str]) -> Step:
    """A quota plan for every district (else capacities are derived from residents)."""
    qp = models.quota_plan
    period = conn.execute(select(func.max(qp.c.period))).scalar()
    command = "geo-service import quotas FILE"
    if period is None:
        return Step("quota plan", False, _("no quota plan (capacities derived)"), command)
    planned = set(conn.execute(select(qp.c.district_code).where(qp.c.period == period)).scalars())
    missing = sorted(codes - planned)
    if missing:
        detail = _("period {period}: no capacity for {districts}").format(
            period=period, districts=", ".join(missing[:8])
        )
        return Step("quota plan", False, detail, command)
    detail = _("period {period} for every district").format(period=period)
    return Step("quota plan", True, detail, command)


def flats_step(conn: Connection) -> Step:
    """Available flats stored."""
    f = models.flats
    n = count(conn, f, f.c.available)
    detail = (
        ngettext("{n} available flat", "{n} available flats", n).format(n=n)
        if n
        else _("no available flats")
    )
    return Step("flats", n > 0, detail, "geo-service import flats FILE")


def amenities_step(conn: Connection, profile: ScoringProfile) -> Step:
    """Amenities per category of the profile; categories without any are named."""
    a = models.amenities
    rows = conn.execute(select(a.c.category, func.count()).group_by(a.c.category)).all()
    per: dict[str, int] = {str(c): int(n) for c, n in rows}
    command = "geo-service import amenities EXTRACT.osm.pbf"
    names = profile.names("amenity")
    empty = [n for n in names if not per.get(n)]
    total = sum(per.get(n, 0) for n in names)
    if total == 0:
        return Step("amenities", False, _("no amenities"), command)
    detail = _("{n} amenities in {some} of {all} categories").format(
        n=total, some=len(names) - len(empty), all=len(names)
    )
    if empty:
        detail += _("; none for {categories}").format(categories=", ".join(empty))
    return Step("amenities", True, detail, command)


def offers_step(conn: Connection, profile: ScoringProfile) -> Step:
    """Offers of the catalogue (optional: catalogue categories score 0 without them)."""
    n = count(conn, models.offers)
    detail = ngettext("{n} offer", "{n} offers", n).format(n=n) if n else _("no offers")
    if not n and profile.names("catalogue"):
        detail += " " + _("(the profile's catalogue categories score 0)")
    return Step("offers", n > 0, detail, "geo-service import offers FILE", required=False)


def network_step(conn: Connection, profile: ScoringProfile) -> Step:
    """The walking network: required when the profile measures walking distances."""
    n = count(conn, models.network_edges)
    walking = profile.distance_mode == "network"
    detail = ngettext("{n} edge", "{n} edges", n).format(n=n) if n else _("no walking network")
    if not walking:
        detail += " " + _("(not needed: the profile measures straight lines)")
    return Step(
        "walking network",
        n > 0 or not walking,
        detail,
        "geo-service import network EXTRACT.osm.pbf",
        required=walking,
    )


def scored_step(conn: Connection, profile: ScoringProfile) -> Step:
    """Scores computed with this profile after the last import."""
    ds, a, imp = models.district_status, models.area_scores, models.imports
    command = "geo-service score"
    versions = set(conn.execute(select(ds.c.profile_version).distinct()).scalars())
    scored_at = conn.execute(select(func.max(a.c.computed_at))).scalar()
    imported_at = conn.execute(select(func.max(imp.c.imported_at))).scalar()
    if not versions or scored_at is None:
        return Step("scored", False, _("not scored yet"), command)
    if versions != {profile.version}:
        return Step("scored", False, _("scored with another profile version"), command)
    if imported_at is not None and imported_at > scored_at:
        return Step("scored", False, _("data imported after the last score"), command)
    detail = _("scored {when} ({mode})").format(when=moment(scored_at), mode=profile.distance_mode)
    return Step("scored", True, detail)


def schema_step(engine: Engine) -> Step:
    """The database is migrated to the newest schema."""
    revision, head = migrate.current_revision(engine), migrate.head_revision()
    detail = _("schema {revision}").format(revision=revision or _("empty")) + (
        "" if revision == head else _(", head is {head}").format(head=head)
    )
    return Step("schema", revision == head, detail, "geo-service db migrate")


def check_city(engine: Engine, profile: ScoringProfile, profile_arg: str = "") -> CityCheck:
    """Every set-up step of the city behind ``engine`` under ``profile``; commands that read
    the profile get ``profile_arg`` (e.g. `` --profile city.toml``) appended."""
    where = f"{profile.name} ({profile.version[:19]})"
    schema = schema_step(engine)
    if not schema.ok:
        return CityCheck(configured().describe(), where, [schema])
    with engine.connect() as conn:
        first, codes = districts_step(conn)
        steps = [
            schema,
            first,
            indicators_step(conn, codes, profile),
            quotas_step(conn, codes),
            flats_step(conn),
            amenities_step(conn, profile),
            offers_step(conn, profile),
            network_step(conn, profile),
            scored_step(conn, profile),
        ]
    reads_profile = ("geo-service import", "geo-service score")
    steps = [
        Step(s.name, s.ok, s.detail, s.command + profile_arg, s.required)
        if s.command and s.command.startswith(reads_profile)
        else s
        for s in steps
    ]
    return CityCheck(storage_crs(engine).describe(), where, steps)
