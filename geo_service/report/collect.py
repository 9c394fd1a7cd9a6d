"""Gather the situation report's figures from the database: placements since the date,
utilisation against the quota plan, coverage gaps opened or closed, likely duplicate offers and
offers changed; household counts below the profile's minimum cell are never shown exactly."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Integer, func, insert, select

from geo_service.bridges.matching import BridgeRecommendation
from geo_service.catalogue.service import all_gaps, duplicates
from geo_service.catalogue.versions import OfferVersion, changed_since
from geo_service.config import get_settings
from geo_service.db import models
from geo_service.errors import InputError
from geo_service.i18n import _
from geo_service.i18n.formats import day as format_day
from geo_service.report.results import (
    BridgeSummary,
    Count,
    DistrictPlacements,
    DistrictUtilisation,
    DuplicateRow,
    GapChanges,
    GapRow,
    OfferChange,
    OfferChangeCounts,
    WaitingCell,
)
from geo_service.scoring.districts import list_status
from geo_service.suppression import SECONDARY, Suppression, Table, suppress
from geo_service.transition.groups import size_band

MEETING_TZ = ZoneInfo("Europe/Berlin")  # a meeting's date is a local calendar day
SAMPLE_KINDS = ("districts", "offers", "flats")


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the city's time zone; a future day is a 400."""
    since = datetime.combine(day, time.min, tzinfo=MEETING_TZ)
    if since > datetime.now(MEETING_TZ):
        raise InputError(
            _("since: {date} lies in the future; give the date of the last meeting").format(
                date=format_day(day)
            )
        )
    return since


def shown(table: Table, sup: Suppression, min_cell: int, other: str = "unterdrückt") -> list[Count]:
    """The cells of ``table`` as public output prints them: the count, "< 3" for a small one,
    "×" for one hidden so that no other can be worked out, ``other`` for one hidden for another
    reason."""
    out = []
    for i, n in enumerate(table.values):
        why = sup.cells.get(i)
        if why is None:
            out.append(Count(value=n, shown=str(n)))
        else:
            mark = other if why == "other" else sup.shown(i, min_cell)
            out.append(Count(value=None, shown=mark or other))
    return out


def margin(name: str, value: int, sup: Suppression) -> Count:
    """A table's total as printed: "×" when secondary suppression hid it."""
    hidden = name in sup.margins
    return Count(value=None if hidden else value, shown=SECONDARY if hidden else str(value))


def is_illustrative(conn: Connection) -> bool:
    """Whether the stored districts, offers or flats came from the shipped sample files."""
    sample = get_settings().data_dir / "sample"
    digests = {
        hashlib.sha256((sample / f"{kind}.geojson").read_bytes()).hexdigest()
        for kind in SAMPLE_KINDS
        if (sample / f"{kind}.geojson").is_file()
    }
    i = models.imports
    stored = conn.execute(select(i.c.sha256).where(i.c.kind.in_(SAMPLE_KINDS))).scalars()
    return any(d in digests for d in stored)


def placements_since(conn: Connection, since: datetime) -> list[tuple[str, str, bool, int]]:
    """Households placed (reservations confirmed and still so) since ``since`` per district
    with a placement: code, name, whether the district is under the minimum population, count."""
    r, d, ds = models.reservations, models.districts, models.district_status
    rows = conn.execute(
        select(d.c.code, d.c.name, ds.c.suppressed, func.count(r.c.id))
        .join(ds, ds.c.district_code == d.c.code, isouter=True)
        .join(
            r,
            (r.c.district_code == d.c.code)
            & (r.c.status == "confirmed")
            & (r.c.confirmed_at >= since),
        )
        .group_by(d.c.code, d.c.name, ds.c.suppressed)
        .order_by(d.c.name)
    ).all()
    return [(code, name, bool(small), int(n)) for code, name, small, n in rows]


def placement_sections(
    rows: list[tuple[str, str, bool, int]], found: BridgeRecommendation, min_cell: int
) -> tuple[Count, list[DistrictPlacements], BridgeSummary]:
    """Placements per district with their total, and the bridge builders' households (matched,
    and without one by first language), suppressed as one table: both add up to the households
    placed, so a hidden count of one must not follow from the other (suppression.py)."""
    by_language: dict[str, int] = defaultdict(int)
    for w in found.without:
        by_language[w.household.languages[0] if w.household.languages else "und"] += 1
    languages = sorted(by_language)
    total = sum(n for *_, n in rows)
    n = len(rows)
    values = [count for *_, count in rows] + [found.matched] + [by_language[k] for k in languages]
    bridge_total = "placed" if found.households == total else "bridged"
    table = Table(
        values,
        [("placed", range(n)), (bridge_total, range(n, len(values)))],
        other=frozenset(i for i, (_, _, small, _) in enumerate(rows) if small),
        floor=[1] * n + [0] + [1] * len(languages),  # listed districts and languages have one
    )
    sup = suppress(table, min_cell)
    cells = shown(table, sup, min_cell)
    per_district = [
        DistrictPlacements(code=code, name=name, placements=cells[i])
        for i, (code, name, _, _) in enumerate(rows)
    ]
    households, matched = margin(bridge_total, found.households, sup), cells[n]
    bridges = BridgeSummary(
        volunteers=found.volunteers,
        capacity=found.capacity,
        households=households.value,
        households_shown=households.shown,
        matched=matched.value,
        matched_shown=matched.shown,
        unmatched_by_language=dict(zip(languages, cells[n + 1 :], strict=True)),
    )
    return margin("placed", total, sup), per_district, bridges


def waiting_households(conn: Connection, min_cell: int) -> tuple[Count | None, list[WaitingCell]]:
    """Households still waiting (waiting or offered) by first language and size band (the
    cells and their total suppressed as one table); no total when the city keeps no waiting
    list (the table was never used)."""
    wl = models.waiting_list
    if conn.execute(select(func.count()).select_from(wl)).scalar_one() == 0:
        return None, []
    language = wl.c.household["languages"][0].astext
    size = wl.c.household["size"].astext.cast(Integer)
    rows = conn.execute(
        select(language, size, func.count())
        .where(wl.c.status.in_(("waiting", "offered")))
        .group_by(language, size)
    ).all()
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for lang, n_persons, n in rows:
        cells[(size_band(n_persons), lang or "–")] += n
    order = sorted(cells, key=lambda k: (k[0] == "6+", k[0], k[1]))
    table = Table([cells[k] for k in order], [("waiting", range(len(order)))], floor=1)
    sup = suppress(table, min_cell)
    return margin("waiting", sum(cells.values()), sup), [
        WaitingCell(language=lang, size_band=band, households=count)
        for (band, lang), count in zip(order, shown(table, sup, min_cell), strict=True)
    ]


def utilisation(conn: Connection, min_cell: int) -> list[DistrictUtilisation]:
    """Capacity, placements and utilisation per district (the public view: suppressed
    districts without figures, small numbers of placements hidden), by name."""
    rows = sorted(list_status(conn, min_cell), key=lambda d: d.name)
    return [
        DistrictUtilisation(
            code=d.code,
            name=d.name,
            capacity=d.capacity,
            placements=d.placements,
            utilisation=d.utilisation,
            suppressed=bool(d.suppressed),
            small_count=bool(d.small_count),
        )
        for d in rows
    ]


def gap_changes(conn: Connection, since: datetime, now: datetime, min_cell: int) -> GapChanges:
    """The coverage gaps now (stored as a snapshot taken ``now``, in ``conn``'s transaction;
    languages of fewer than ``min_cell`` households of a district left out) against a
    baseline: the latest snapshot at or before ``since``, else the first one after it (the
    first report after ``since``); which gaps opened and which closed."""
    current = {(g.district_code, g.category, g.language) for g in all_gaps(conn, min_cell)}
    snaps = models.coverage_gap_snapshots
    baseline_at = (
        conn.execute(select(func.max(snaps.c.taken_at)).where(snaps.c.taken_at <= since)).scalar()
        or conn.execute(select(func.min(snaps.c.taken_at)).where(snaps.c.taken_at > since)).scalar()
    )
    before: set[tuple[str, str, str]] = set()
    if baseline_at is not None:
        before = {
            (r.district_code, r.category, r.language)
            for r in conn.execute(select(snaps).where(snaps.c.taken_at == baseline_at))
        }
    if current:
        conn.execute(
            insert(snaps),
            [
                {"taken_at": now, "district_code": d, "category": c, "language": lang}
                for d, c, lang in sorted(current)
            ],
        )
    names = dict(conn.execute(select(models.districts.c.code, models.districts.c.name)).all())

    def rows(keys: set[tuple[str, str, str]]) -> list[GapRow]:
        return [
            GapRow(district_code=d, district=names.get(d, d), category=c, language=lang)
            for d, c, lang in sorted(keys, key=lambda k: (k[1], k[2], names.get(k[0], k[0])))
        ]

    return GapChanges(
        baseline_at=baseline_at,
        baseline_before=baseline_at is not None and baseline_at <= since,
        current=len(current),
        opened=rows(current - before) if baseline_at else [],
        closed=rows(before - current) if baseline_at else [],
    )


def duplicate_rows(conn: Connection) -> list[DuplicateRow]:
    """Likely duplicate active offers with both names."""
    pairs = duplicates(conn)
    o = models.offers
    names = dict(conn.execute(select(o.c.id, o.c.name)).all())
    return [
        DuplicateRow(
            a=p.a,
            a_name=names.get(p.a, p.a),
            b=p.b,
            b_name=names.get(p.b, p.b),
            category=p.category,
            distance_m=p.distance_m,
            score=p.score,
            reason=p.reason,
        )
        for p in pairs
    ]


def changed_offers(conn: Connection, since: datetime) -> list[OfferChange]:
    """Offers with versions since ``since`` (drafts left out: they are their organisation's),
    partners' changes first, most recent first."""
    by_offer = defaultdict(list)
    for version in changed_since(conn, since):
        by_offer[version.offer_id].append(version)
    o = models.offers
    offers = {
        r.id: r
        for r in conn.execute(
            select(o.c.id, o.c.name, o.c.provider, o.c.status).where(
                o.c.id.in_(list(by_offer)), o.c.status != "draft"
            )
        )
    }
    out = [
        OfferChange(
            offer_id=offer_id,
            name=offers[offer_id].name,
            provider=offers[offer_id].provider,
            status=offers[offer_id].status,
            actions=list(dict.fromkeys(v.action for v in versions)),
            fields=sorted({f for v in versions if not _created(v) for f in v.changes}),
            created=any(_created(v) for v in versions),
            last_at=versions[-1].at,
            sources=sorted({v.source for v in versions}),
        )
        for offer_id, versions in by_offer.items()
        if offer_id in offers
    ]
    # partners' changes first, then imports; most recent first in each
    return sorted(out, key=lambda c: ("api" in c.sources, c.last_at, c.offer_id), reverse=True)


def _created(version: OfferVersion) -> bool:
    """Whether a version brought the offer into the catalogue (every field was empty)."""
    return all(c.old is None for c in version.changes.values())


def imported_unchanged(change: OfferChange) -> bool:
    """An offer an import brought in (e.g. the first load) and nobody changed since."""
    return change.created and change.actions == ["import"]


def change_counts(changes: list[OfferChange]) -> OfferChangeCounts:
    """The changes split into parts that add up: new by import, by partners, by import."""
    new = sum(imported_unchanged(c) for c in changes)
    partners = sum(not imported_unchanged(c) and "api" in c.sources for c in changes)
    return OfferChangeCounts(
        total=len(changes),
        imported_new=new,
        by_partners=partners,
        by_import=len(changes) - new - partners,
    )


def scored_at(conn: Connection, version: str) -> datetime | None:
    """When the scores in use were computed with the profile ``version`` (None: never)."""
    a = models.area_scores
    query = select(func.max(a.c.computed_at)).where(a.c.profile_version == version)
    return conn.execute(query).scalar()
