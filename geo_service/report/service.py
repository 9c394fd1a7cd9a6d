"""Build the situation report and render it: German HTML for print (A4) with embedded charts,
or PDF through Chromium's print."""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import Engine

from geo_service.bridges.matching import recommend
from geo_service.maps.labels import labels_for
from geo_service.report import collect
from geo_service.report.charts import utilisation_chart, waiting_chart
from geo_service.report.results import OfferChange, SituationReport
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.store import data_timestamp

HERE = Path(__file__).parent
MAX_CHANGED_ROWS = 25  # the changed-offers table lists the most recent; the rest are counted


def build_report(engine: Engine, day: date, profile: ScoringProfile) -> SituationReport:
    """The report on what happened since the start of ``day`` (400 for a future day), every
    section read from one snapshot (one REPEATABLE READ transaction); also stores today's
    coverage gaps as a snapshot for later reports."""
    since = collect.start_of(day)
    now = datetime.now(collect.MEETING_TZ)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        total, per_district, bridges = collect.placement_sections(
            collect.placements_since(conn, since), recommend(conn, since), profile.min_cell
        )
        waiting_total, waiting = collect.waiting_households(conn, profile.min_cell)
        changed = collect.changed_offers(conn, since)
        report = SituationReport(
            since=since,
            generated_at=now,
            data_timestamp=data_timestamp(conn),
            profile=f"{profile.name} ({profile.version[:19]})",
            profile_name=profile.name,
            profile_version=profile.version,
            scored_at=collect.scored_at(conn, profile.version),
            illustrative=collect.is_illustrative(conn),
            min_cell=profile.min_cell,
            placements_total=total,
            placements=per_district,
            utilisation=collect.utilisation(conn, profile.min_cell),
            waiting_total=waiting_total,
            waiting=waiting,
            gaps=collect.gap_changes(conn, since, now, profile.min_cell),
            duplicates=collect.duplicate_rows(conn),
            changed_offers=changed,
            changed_counts=collect.change_counts(changed),
            bridges=bridges,
        )
        conn.commit()  # the gap snapshot
    return report


def render_html(report: SituationReport, profile: ScoringProfile) -> str:
    """The report as one self-contained, printable German HTML document."""
    lab = labels_for("de", profile)
    languages = sorted({c.language for c in report.waiting})
    charts: dict[str, Any] = {
        "utilisation": utilisation_chart(
            report.utilisation, profile.district.utilisation_full, profile.district.utilisation_zero
        )
        if report.utilisation
        else None,
        "waiting": waiting_chart(report.waiting, {c: lab.language_name(c) for c in languages})
        if report.waiting
        else None,
    }
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    env.filters["de_date"] = lambda v: lab.date(v)
    env.filters["de_time"] = lambda v: v.astimezone(collect.MEETING_TZ).strftime(
        "%d.%m.%Y, %H:%M Uhr"
    )
    env.filters["percent"] = lab.percent
    env.filters["metres"] = lab.metres
    env.filters["category"] = lab.category
    env.filters["language"] = lab.language
    env.filters["groupby_pair"] = lambda rows: [
        (key, list(group)) for key, group in groupby(rows, key=lambda g: (g.category, g.language))
    ]
    env.filters["actions_text"] = actions_text
    env.filters["field_names"] = lambda fs: ", ".join(
        dict.fromkeys(FIELD_NAMES.get(f, f) for f in fs)
    )
    # offers an import brought in and nobody changed since are counted, not listed
    changed = [c for c in report.changed_offers if not collect.imported_unchanged(c)]
    return env.get_template("situation.html.j2").render(
        r=report,
        charts=charts,
        changed=changed[:MAX_CHANGED_ROWS],
        changed_more=max(0, len(changed) - MAX_CHANGED_ROWS),
        imported_new=report.changed_counts.imported_new,
        full=profile.district.utilisation_full,
        zero=profile.district.utilisation_zero,
    )


def actions_text(change: OfferChange) -> str:
    """What happened to an offer in words: "neu aufgenommen (Import), pausiert"."""
    words = []
    for i, action in enumerate(change.actions):
        if i == 0 and change.created:
            words.append("neu aufgenommen" + (" (Import)" if action == "import" else ""))
        else:
            words.append(ACTION_NAMES.get(action, action))
    now = STATUS_NAMES.get(change.status)
    said = list(dict.fromkeys(words))
    return ", ".join(said) + (f" – jetzt {now}" if now and said[-1] != now else "")


def render_pdf(report: SituationReport, profile: ScoringProfile) -> bytes:
    """The report as an A4 PDF (Chromium's print of the HTML)."""
    from geo_service.catalogue.sheet_pdf import print_pdf

    return print_pdf(render_html(report, profile), footer=FOOTER)


FOOTER = (
    '<div style="font: 7pt sans-serif; color: #555; width: 100%; padding: 0 15mm; '
    'display: flex; justify-content: space-between"><span>Lagebericht Runder Tisch – ohne '
    'personenbezogene Daten</span><span>Seite <span class="pageNumber"></span> von '
    '<span class="totalPages"></span></span></div>'
)
FIELD_NAMES = {
    "name": "Name",
    "category": "Kategorie",
    "provider": "Träger",
    "address": "Adresse",
    "opening_hours": "Öffnungszeiten",
    "capacity_per_week": "Plätze/Woche",
    "contact_role": "Kontakt",
    "interpreting": "Dolmetschen",
    "languages": "Sprachen",
    "lon": "Lage",
    "lat": "Lage",
    "district_code": "Stadtteil",
    "status": "Status",
}
STATUS_NAMES = {"paused": "pausiert", "retired": "beendet"}  # active: nothing to add
ACTION_NAMES = {
    "create": "neu angelegt",
    "update": "geändert",
    "pause": "pausiert",
    "resume": "wieder aktiv",
    "publish": "veröffentlicht",
    "retire": "beendet",
    "import": "Import",
}
