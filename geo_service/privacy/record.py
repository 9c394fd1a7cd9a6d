"""The record of processing activities (GDPR Art. 30), in German (English on request), made
from the schema.

Each activity names its purpose, legal basis, the people concerned, who receives the data and
how long it is kept; its categories of data are the columns of its tables as the database
schema (``db/models.py``) has them, each described here. A column added to one of these tables
without a description shows up in the record as undescribed (and fails the test that checks
the record covers the schema), so the record cannot silently fall behind the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table

from geo_service import __version__
from geo_service.config import Settings
from geo_service.db import models
from geo_service.i18n import N_, _, formats

UNDESCRIBED = N_("(no description: please add it to the record)")

# What every column of the tables below holds (translated when the record is written).
COLUMNS: dict[str, dict[str, str]] = {
    "waiting_list": {
        "id": N_("random id of the entry"),
        "case_ref_hash": N_(
            "hash of the case reference (HMAC-SHA256 with the service's secret key; the case "
            "reference itself is not stored)"
        ),
        "household": N_(
            "household profile: number of persons, children's ages, languages, needs (e.g. a "
            "barrier-free flat), earliest move-in date; no names, no dates of birth"
        ),
        "entered_on": N_("day the household joined the waiting list"),
        "accommodation_unit": N_("current accommodation (free text, at most 80 characters)"),
        "unit_district": N_("district of the current accommodation"),
        "status": N_("status: waiting, offered, reserved, moved in, withdrawn"),
        "flat_id": N_("flat offered or reserved"),
        "reservation_id": N_("reservation of the flat"),
        "created_at": N_("time of recording"),
        "status_changed_at": N_("time of the last change of status"),
        "offered_at": N_("time of the offer"),
        "reserved_at": N_("time of the reservation"),
        "moved_at": N_("time of moving in"),
        "withdrawn_at": N_("time of withdrawal"),
        "override_reason": N_(
            "why a flat outside the recommendations was offered (a clerk's short text, no names)"
        ),
        "anonymised_at": N_("time of anonymisation after the retention period"),
    },
    "reservations": {
        "id": N_("random id of the reservation"),
        "flat_id": N_("flat reserved"),
        "district_code": N_("district of the flat"),
        "household": N_("household profile (as on the waiting list, without case reference)"),
        "case_ref_hash": N_("hash of the case reference, when one was given"),
        "status": N_("status: held, confirmed, released, expired"),
        "placement_score": N_("placement score of the flat for the household"),
        "explanation": N_("explanation of the placement score (distances, rules, district factor)"),
        "profile_version": N_("version of the scoring profile"),
        "api_key_id": N_("access key of the caseworker who reserved"),
        "created_at": N_("time of the reservation"),
        "expires_at": N_("end of the reservation"),
        "confirmed_at": N_("time of confirmation (moving in)"),
        "released_at": N_("time of release"),
        "services": N_("kita, school and language course places the household takes"),
        "override_reason": N_(
            "why a flat outside the recommendations was held (a clerk's short text, no names)"
        ),
        "anonymised_at": N_("time of anonymisation after the retention period"),
    },
    "allocations": {
        "id": N_("random id of the allocation run"),
        "method": N_("method (optimal, greedy or balanced)"),
        "households": N_("household profiles of the run, case references only as hashes"),
        "result": N_("result: flats allocated and reasons for households not placed"),
        "objective": N_("total value of the allocation"),
        "placed": N_("number of households placed"),
        "profile_version": N_("version of the scoring profile"),
        "api_key_id": N_("access key that started the run"),
        "created_at": N_("time of the run"),
        "anonymised_at": N_("time of anonymisation after the retention period"),
    },
    "audit_log": {
        "id": N_("sequence number"),
        "at": N_("time of the decision"),
        "action": N_("kind of decision (e.g. reservation, offer, moving in)"),
        "role": N_("role of the acting office"),
        "api_key_id": N_("access key of the acting office"),
        "profile_version": N_("version of the scoring profile"),
        "data_timestamp": N_("date of the underlying data"),
        "request": N_("request without case reference: household profile, flat, random ids"),
        "detail": N_("outcome of the decision with random ids"),
    },
    "api_keys": {
        "id": N_("id of the access key"),
        "name": N_("name of the key (office or member of staff)"),
        "role": N_("role, and so the extent of the rights"),
        "key_hash": N_("hash of the key (the key itself is not stored)"),
        "created_at": N_("time of issue"),
        "revoked_at": N_("time of revocation"),
        "expires_at": N_("expiry"),
        "demo": N_("demonstration key"),
        "organisation_id": N_("organisation of a partner key"),
    },
    "volunteers": {
        "id": N_("self-chosen handle (not a name)"),
        "organisation_id": N_("accompanying organisation"),
        "languages": N_("languages spoken"),
        "capacity": N_("number of households they can accompany"),
        "active": N_("active now"),
        "geom": N_("home as a point (coordinates, given by the organisation)"),
        "district_code": N_("district of the home"),
        "created_at": N_("time of recording"),
        "updated_at": N_("time of the last change"),
    },
}


@dataclass(frozen=True)
class Activity:
    """One processing activity of the record (texts translated when it is written)."""

    name: str
    purpose: str
    legal_basis: str
    subjects: str
    tables: tuple[str, ...]
    recipients: str
    retention: str


def activities(settings: Settings) -> list[Activity]:
    """The activities of geo_service, with the deployment's retention period."""
    days, hours = settings.privacy_retention_days, settings.privacy_purge_interval_hours
    runs = (
        _("run by the service every {hours} hours").format(hours=f"{hours:g}")
        if hours
        else _("not run by the service: schedule it")
    )
    purge = _(
        "{days} days after moving in or withdrawal the hash of the case reference and the "
        "accommodation are removed (anonymisation with `geo-service privacy purge`, {runs}); "
        "the anonymised profile stays for statistics."
    ).format(days=days, runs=runs)
    office = _(
        "Caseworkers of the housing office (role housing_office) and the system administration "
        "(admin); social planning and partner organisations see only summaries without single "
        "cases; no transfer to third parties or third countries."
    )
    return [
        Activity(
            _("Waiting list and placement in flats"),
            _(
                "Placing refugee households in flats after their first accommodation: finding "
                "suitable flats, offering and reserving them, recording the move."
            ),
            _(
                "Art. 6(1)(e) GDPR with the state's law on the reception of refugees; needs "
                "concerning health: Art. 9(2)(g)/(h) GDPR."
            ),
            _("refugee households (as profiles, without names or dates of birth)"),
            ("waiting_list", "reservations"),
            office,
            purge,
        ),
        Activity(
            _("Allocation runs"),
            _(
                "Allocating several households at once to free flats by the scoring profile, "
                "with reasons for households not placed."
            ),
            _("Art. 6(1)(e) GDPR."),
            _("refugee households (as profiles, case references only as hashes)"),
            ("allocations",),
            office,
            _("{days} days after the run the hashes of the case references are removed.").format(
                days=days
            ),
        ),
        Activity(
            _("Decision log"),
            _(
                "Every decision traceable (who, what, with which profile and state of the data) "
                "for supervision, objections and audits."
            ),
            _("Art. 6(1)(c) and (e) GDPR, Art. 5(2) GDPR (accountability)."),
            _("refugee households (only through random ids), staff (through their access key)"),
            ("audit_log",),
            _(
                "System administration (role admin); on request the data protection officer "
                "and the supervisory authority."
            ),
            _(
                "Unchangeable (append only); holds no case references. After anonymisation "
                "nothing leads from a case to its entries any more."
            ),
        ),
        Activity(
            _("Access keys"),
            _("Access control and attributing decisions to offices."),
            _("Art. 6(1)(c) GDPR, Art. 32 GDPR; staff data under state law."),
            _("staff of the administration and of partner organisations"),
            ("api_keys",),
            _("System administration (role admin)."),
            _("Until revoked; revoked keys stay so that the decision log can be attributed."),
        ),
        Activity(
            _("Bridge builders"),
            _("Arranging volunteers who accompany households in their language."),
            _("Art. 6(1)(a) GDPR (consent given to the organisation)."),
            _("volunteers (under a self-chosen handle)"),
            ("volunteers",),
            _("the accompanying organisation (role partner) and the caseworkers."),
            _("Until the organisation deletes or deactivates the entry."),
        ),
    ]


def columns(table: Table) -> list[tuple[str, str]]:
    """Each column of ``table`` with its description (or the mark of a missing one)."""
    known = COLUMNS.get(table.name, {})
    return [
        (c.name, _(known[c.name]) if c.name in known else _(UNDESCRIBED)) for c in table.columns
    ]


def record_markdown(settings: Settings, today: date | None = None) -> str:
    """The record of processing as a Markdown document (German unless asked otherwise)."""
    today = today or date.today()
    lines = [
        "# " + _("Record of processing activities (Art. 30 GDPR)"),
        "",
        _(
            "geo_service {version}, made on {date} from the database schema. The controller, "
            "the contact of the data protection officer and the state's legal bases are to be "
            "added by the city."
        ).format(version=__version__, date=formats.day(today)),
        "",
        "## " + _("Technical and organisational measures (Art. 32 GDPR)"),
        "",
        *(
            "- " + _(measure)
            for measure in (
                N_(
                    "No names and dates of birth; case references only as hashes with a secret "
                    "key of the service."
                ),
                N_(
                    "Roles: access by access key (reading, planning, casework, administration); "
                    "the service connects as a database role without rights on the schema."
                ),
                N_("Decision log append only (the database refuses changes and deletions)."),
                N_(
                    "Encrypted connection to the database possible (TLS with the certificate "
                    "checked)."
                ),
                N_("Backup and restore with checksums per table (`geo-service backup`)."),
                N_("Small numbers are suppressed in reports."),
            )
        ),
    ]
    for number, act in enumerate(activities(settings), 1):
        facts = [
            (_("Purpose"), act.purpose),
            (_("Legal basis (a proposal, to be checked by the city)"), act.legal_basis),
            (_("Persons concerned"), act.subjects),
            (_("Recipients"), act.recipients),
            (_("Erasure and retention"), act.retention),
            (_("Categories of data"), ""),
        ]
        lines += ["", f"## {number}. {act.name}", ""]
        lines += [f"- **{label}:** {value}".rstrip() for label, value in facts]
        for name in act.tables:
            lines.append("  - " + _("Table `{table}`:").format(table=name))
            lines += [
                f"    - `{col}`: {text}" for col, text in columns(models.metadata.tables[name])
            ]
    return "\n".join(lines) + "\n"
