"""The registry of feature collections: what each shows, to whom, and the SQL it comes from.

Every source is a SQLAlchemy select with a ``fid`` column (the feature id), the storage
geometry ``geom`` (storage CRS, left bare so bbox filters use its GiST index) and the public
properties, built for a ``Source``: the database, whether the caller's role sees the
collection's detail properties, and the city's indicator keys (from its scoring profile).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    column,
    func,
    not_,
    null,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, distinct_on

from geo_service.catalogue.service import all_gaps
from geo_service.db import models
from geo_service.errors import Forbidden, NotFound
from geo_service.i18n import _
from geo_service.scoring.districts import PUBLIC_FIGURES, SMALL_COUNT_FIGURES
from geo_service.scoring.profile import ReportRules
from geo_service.suppression import small_sql


@dataclass(frozen=True)
class Source:
    """What a collection's SQL is built for: the database, whether the caller sees detail
    properties, and the indicator keys of the city's profile (the districts' columns)."""

    engine: Engine
    detail: bool = False
    indicators: tuple[str, ...] = ()
    # the profile's: placements below it are hidden below ``detail``
    min_cell: int = field(default_factory=lambda: ReportRules().min_cell)


Builder = Callable[[Source], Select[Any]]


@dataclass(frozen=True)
class CollectionSpec:
    """One feature collection: identity, roles and source (its columns are the queryables)."""

    id: str
    title: str
    description: str
    role: str  # the least role that sees the collection
    build: Builder
    detail_role: str | None = None  # role that also sees the detail properties
    temporal: str | None = None  # date property the ``datetime`` parameter filters
    integer_ids: bool = False

    def feature_id(self, text: str) -> str | int:
        """A feature id from a URL path segment (NotFound when it cannot be one)."""
        if not self.integer_ids:
            return text
        if not text.isdigit():
            raise NotFound(
                _("there is no feature “{id}” in the collection “{collection}”").format(
                    id=text, collection=self.id
                )
            )
        return int(text)


def latest_indicators(keys: tuple[str, ...]) -> Any:
    """Each district's latest year: residents and one column per indicator key (NULL where
    that year lacks it)."""
    di, iv = models.district_indicators, models.district_indicator_values

    def value(key: str) -> ColumnElement[Any]:
        found = select(iv.c.value).where(
            iv.c.district_code == di.c.district_code, iv.c.year == di.c.year, iv.c.indicator == key
        )
        return found.scalar_subquery().label(key)

    return (
        select(di.c.district_code, di.c.year, di.c.residents, *[value(k) for k in keys])
        .ext(distinct_on(di.c.district_code))
        .order_by(di.c.district_code, di.c.year.desc())
        .subquery("latest")
    )


def districts(src: Source) -> Select[Any]:
    """Districts with status, class and latest indicators; figures of small districts hidden.

    Below ``detail`` the figures the privacy rules list (``PUBLIC_FIGURES`` and every indicator)
    are NULL for suppressed districts, and for districts not scored yet; a small number of
    placements is NULL with its utilisation and factor (``public_view``: the same rule, as SQL),
    already in SQL so that filters cannot reveal them either.
    """
    d, ds = models.districts, models.district_status
    latest = latest_indicators(src.indicators)
    hidden = or_(ds.c.suppressed.is_(None), ds.c.suppressed)
    small = small_sql(ds.c.placements, src.min_cell)
    source = {**{c.name: c for c in ds.c}, **{c.name: c for c in latest.c}}

    def figure(name: str) -> ColumnElement[Any]:
        col = source[name]
        if src.detail or name not in (*PUBLIC_FIGURES, *src.indicators):
            return col.label(name)
        gone = or_(hidden, small) if name in SMALL_COUNT_FIGURES else hidden
        return case((gone, null()), else_=col).label(name)

    names = ["year", *src.indicators, *PUBLIC_FIGURES]
    return (
        select(
            d.c.code.label("fid"),
            d.c.geom,
            d.c.code,
            d.c.name,
            d.c.ortschaft,
            ds.c.suppressed,
            *([] if src.detail else [and_(not_(hidden), small).label("small_count")]),
            *[figure(n) for n in dict.fromkeys(names)],
        )
        .join(ds, ds.c.district_code == d.c.code, isouter=True)
        .join(latest, latest.c.district_code == d.c.code, isouter=True)
    )


def offers(_: Source) -> Select[Any]:
    """Active offers of the round table's catalogue with their languages (comma-separated)."""
    o, ol = models.offers, models.offer_languages
    langs = (
        select(
            func.array_to_string(
                func.array_agg(aggregate_order_by(ol.c.language, ol.c.language)),
                ",",
                type_=Text,
            )
        )
        .where(ol.c.offer_id == o.c.id)
        .scalar_subquery()
    )
    hidden = ("geom", "updated_at", "status", "version", "organisation_id")
    cols = [c for c in o.c if c.name not in hidden]
    return select(o.c.id.label("fid"), o.c.geom, *cols, langs.label("languages")).where(
        models.active_offer()
    )


def amenities(_: Source) -> Select[Any]:
    """Everyday infrastructure points (schools, kitas, doctors, shops, transit)."""
    a = models.amenities
    return select(
        a.c.id.label("fid"),
        a.c.geom,
        a.c.category,
        a.c.name,
        a.c.source,
        a.c.source_id,
        a.c.district_code,
    )


FLAT_PUBLIC = ("id", "rooms", "living_area_m2", "rent_gross_cold_eur", "available_from")
FLAT_DETAIL = ("address", "floor", "lift", "barrier_free")


def cell_score(flat: Any) -> Any:
    """The infrastructure score of the H3 cell that ``flat`` (a flats table) lies in."""
    a = models.area_scores
    return select(a.c.score).where(func.ST_Covers(a.c.geom, flat.c.geom)).limit(1).scalar_subquery()


def flats(src: Source) -> Select[Any]:
    """Available flats only, never household data; address and fittings for the housing
    office; ``score`` is the infrastructure score of the H3 cell the flat lies in."""
    f = models.flats
    names = [*FLAT_PUBLIC, *(FLAT_DETAIL if src.detail else ()), "district_code"]
    columns = [f.c[n] for n in names]
    return select(f.c.id.label("fid"), f.c.geom, *columns, cell_score(f).label("score")).where(
        f.c.available
    )


def area_scores(_: Source) -> Select[Any]:
    """H3 cells with the infrastructure score (0-100) and its value per category."""
    a = models.area_scores
    return select(a.c.h3_index.label("fid"), *[c for c in a.c])


def data_version(conn: Connection) -> tuple[Any, ...]:
    """A cheap fingerprint of what coverage depends on: offers, their languages, flats, homes."""
    o, ol, f, r = models.offers, models.offer_languages, models.flats, models.reservations
    parts = [
        func.count(o.c.id),
        func.max(o.c.updated_at),
        func.count(ol.c.offer_id),
        func.count(f.c.id),
        func.max(f.c.updated_at),
        func.count(r.c.id),
        func.max(r.c.created_at),
        func.max(r.c.confirmed_at),
        func.max(r.c.released_at),
    ]
    return tuple(conn.execute(select(*[select(p).scalar_subquery() for p in parts])).one())


@lru_cache(maxsize=4)
def gap_rows(engine: Engine, version: tuple[Any, ...], min_cell: int) -> tuple[list[Any], ...]:
    """Coverage gaps as columns (district, category, language, homes), cached per data version
    (languages of fewer than ``min_cell`` households of a district left out)."""
    gaps = all_gaps(engine, min_cell)
    return (
        [r.district_code for r in gaps],
        [r.category for r in gaps],
        [r.language for r in gaps],
        [r.households for r in gaps],
    )


def coverage_gaps(src: Source) -> Select[Any]:
    """District × offer category × language with no offer in reach (2SFCA, 2,000 m)."""
    with src.engine.connect() as conn:
        version = data_version(conn)
    codes, categories, languages, homes = gap_rows(src.engine, version, src.min_cell)
    gaps = (
        func.unnest(
            bindparam("gap_codes", codes, type_=ARRAY(Text)),
            bindparam("gap_categories", categories, type_=ARRAY(Text)),
            bindparam("gap_languages", languages, type_=ARRAY(Text)),
            bindparam("gap_homes", homes, type_=ARRAY(Integer)),
        )
        .table_valued(  # typed, so filters compare like with like
            column("district_code", Text),
            column("category", Text),
            column("language", Text),
            column("households", Integer),
        )
        .render_derived("gaps")
    )
    d = models.districts
    fid = func.concat_ws(":", gaps.c.district_code, gaps.c.category, gaps.c.language)
    return select(
        fid.label("fid"),
        d.c.geom,
        gaps.c.district_code,
        d.c.name.label("district_name"),
        gaps.c.category,
        gaps.c.language,
        gaps.c.households,
    ).join(d, d.c.code == gaps.c.district_code)


COLLECTIONS = {
    c.id: c
    for c in (
        CollectionSpec(
            "districts",
            "Districts",
            "City districts with social-structure status class, capacity, utilisation and the "
            "latest indicators (the city profile's, by key); below the planner role, figures of "
            "districts under the minimum population are suppressed, and so are small numbers "
            "of placements with their utilisation and factor (small_count).",
            "viewer",
            districts,
            detail_role="planner",
        ),
        CollectionSpec(
            "offers",
            "Offers",
            "The round table's offer catalogue (counselling, courses, help) with languages.",
            "viewer",
            offers,
        ),
        CollectionSpec(
            "amenities",
            "Amenities",
            "Everyday infrastructure: schools, kitas, doctors, shops, transit stops.",
            "viewer",
            amenities,
            integer_ids=True,
        ),
        CollectionSpec(
            "flats",
            "Available flats",
            "Available flats (no household data) with the infrastructure score of their cell. "
            "Viewers see rooms, area, rent and date; the housing office also sees address, "
            "floor, lift and barrier-free access.",
            "viewer",
            flats,
            detail_role="housing_office",
            temporal="available_from",
        ),
        CollectionSpec(
            "area_scores",
            "Area scores",
            "H3 cells with the infrastructure score (0-100) and each category's value.",
            "viewer",
            area_scores,
        ),
        CollectionSpec(
            "coverage_gaps",
            "Coverage gaps",
            "District, offer category and language combinations where no offer in that "
            "language (or with interpreting) is within 2,000 m of any home (2SFCA).",
            "planner",
            coverage_gaps,
        ),
    )
}


def visible(allows: Callable[[str], bool]) -> list[CollectionSpec]:
    """The collections a caller whose role passes ``allows`` may see."""
    return [c for c in COLLECTIONS.values() if allows(c.role)]


def collection(collection_id: str, allows: Callable[[str], bool]) -> CollectionSpec:
    """One collection by id: NotFound if unknown, Forbidden if the caller's role is too low."""
    spec = COLLECTIONS.get(collection_id)
    if spec is None:
        raise NotFound(
            _("there is no collection “{id}”; there are {known}").format(
                id=collection_id, known=", ".join(sorted(COLLECTIONS))
            )
        )
    if not allows(spec.role):
        raise Forbidden(
            _("the collection “{id}” needs the role “{role}”").format(
                id=collection_id, role=spec.role
            )
        )
    return spec
