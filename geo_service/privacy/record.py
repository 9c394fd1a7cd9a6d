"""The record of processing activities (GDPR Art. 30), in German, made from the schema.

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

UNDESCRIBED = "(ohne Beschreibung: bitte im Verzeichnis ergänzen)"

# German description of every column of the tables below.
COLUMNS: dict[str, dict[str, str]] = {
    "waiting_list": {
        "id": "zufällige Kennung des Eintrags",
        "case_ref_hash": "Hashwert des Aktenzeichens (HMAC-SHA256 mit dem Schlüssel des Dienstes; "
        "das Aktenzeichen selbst wird nicht gespeichert)",
        "household": "Haushaltsprofil: Zahl der Personen, Alter der Kinder, Sprachen, Bedarfe "
        "(z. B. barrierefreie Wohnung), frühestes Einzugsdatum; keine Namen, keine "
        "Geburtsdaten",
        "entered_on": "Tag der Aufnahme in die Warteliste",
        "accommodation_unit": "derzeitige Unterkunft (Freitext, höchstens 80 Zeichen)",
        "unit_district": "Stadtteil der derzeitigen Unterkunft",
        "status": "Stand: wartend, angeboten, reserviert, eingezogen, abgemeldet",
        "flat_id": "angebotene oder reservierte Wohnung",
        "reservation_id": "Reservierung der Wohnung",
        "created_at": "Zeitpunkt der Erfassung",
        "status_changed_at": "Zeitpunkt der letzten Statusänderung",
        "offered_at": "Zeitpunkt des Angebots",
        "reserved_at": "Zeitpunkt der Reservierung",
        "moved_at": "Zeitpunkt des Einzugs",
        "withdrawn_at": "Zeitpunkt der Abmeldung",
        "anonymised_at": "Zeitpunkt der Anonymisierung nach Ablauf der Aufbewahrungsfrist",
    },
    "reservations": {
        "id": "zufällige Kennung der Reservierung",
        "flat_id": "reservierte Wohnung",
        "district_code": "Stadtteil der Wohnung",
        "household": "Haushaltsprofil (wie auf der Warteliste, ohne Aktenzeichen)",
        "case_ref_hash": "Hashwert des Aktenzeichens, wenn eines angegeben wurde",
        "status": "Stand: gehalten, bestätigt, freigegeben, abgelaufen",
        "placement_score": "Eignungswert der Wohnung für den Haushalt",
        "explanation": "Begründung des Eignungswerts (Entfernungen, Regeln, Stadtteilfaktor)",
        "profile_version": "Version des Bewertungsprofils",
        "api_key_id": "Zugangsschlüssel der Sachbearbeitung, die reserviert hat",
        "created_at": "Zeitpunkt der Reservierung",
        "expires_at": "Ablauf der Reservierung",
        "confirmed_at": "Zeitpunkt der Bestätigung (Einzug)",
        "released_at": "Zeitpunkt der Freigabe",
        "anonymised_at": "Zeitpunkt der Anonymisierung nach Ablauf der Aufbewahrungsfrist",
    },
    "allocations": {
        "id": "zufällige Kennung des Zuteilungslaufs",
        "method": "Verfahren (optimal oder schrittweise)",
        "households": "Haushaltsprofile des Laufs, Aktenzeichen nur als Hashwert",
        "result": "Ergebnis: zugeteilte Wohnungen und Gründe für nicht zugeteilte Haushalte",
        "objective": "Gesamtwert der Zuteilung",
        "placed": "Zahl der zugeteilten Haushalte",
        "profile_version": "Version des Bewertungsprofils",
        "api_key_id": "Zugangsschlüssel, mit dem der Lauf gestartet wurde",
        "created_at": "Zeitpunkt des Laufs",
        "anonymised_at": "Zeitpunkt der Anonymisierung nach Ablauf der Aufbewahrungsfrist",
    },
    "audit_log": {
        "id": "laufende Nummer",
        "at": "Zeitpunkt der Entscheidung",
        "action": "Art der Entscheidung (z. B. Reservierung, Angebot, Einzug)",
        "role": "Rolle der handelnden Stelle",
        "api_key_id": "Zugangsschlüssel der handelnden Stelle",
        "profile_version": "Version des Bewertungsprofils",
        "data_timestamp": "Stand der zugrunde liegenden Daten",
        "request": "Anfrage ohne Aktenzeichen: Haushaltsprofil, Wohnung, zufällige Kennungen",
        "detail": "Ergebnis der Entscheidung mit zufälligen Kennungen",
    },
    "api_keys": {
        "id": "Kennung des Zugangsschlüssels",
        "name": "Bezeichnung des Schlüssels (Dienststelle oder Person der Verwaltung)",
        "role": "Rolle und damit Umfang der Berechtigung",
        "key_hash": "Hashwert des Schlüssels (der Schlüssel selbst wird nicht gespeichert)",
        "created_at": "Zeitpunkt der Ausgabe",
        "revoked_at": "Zeitpunkt des Widerrufs",
        "expires_at": "Ablauf",
        "demo": "Vorführschlüssel",
        "organisation_id": "Organisation eines Partnerschlüssels",
    },
    "volunteers": {
        "id": "selbst gewähltes Kürzel (kein Name)",
        "organisation_id": "begleitende Organisation",
        "languages": "gesprochene Sprachen",
        "capacity": "Zahl der Haushalte, die begleitet werden können",
        "active": "derzeit aktiv",
        "geom": "Wohnort als Punkt (Koordinaten, von der Organisation angegeben)",
        "district_code": "Stadtteil des Wohnorts",
        "created_at": "Zeitpunkt der Erfassung",
        "updated_at": "Zeitpunkt der letzten Änderung",
    },
}


@dataclass(frozen=True)
class Activity:
    """One processing activity of the record."""

    name: str
    purpose: str
    legal_basis: str
    subjects: str
    tables: tuple[str, ...]
    recipients: str
    retention: str


def activities(settings: Settings) -> list[Activity]:
    """The activities of geo_service, with the deployment's retention period."""
    days = settings.privacy_retention_days
    purge = (
        f"{days} Tage nach Einzug oder Abmeldung werden Hashwert des Aktenzeichens und Unterkunft "
        "entfernt (Anonymisierung mit `geo-service privacy purge`, vom Dienst "
        + (
            f"alle {settings.privacy_purge_interval_hours:g} Stunden ausgeführt"
            if settings.privacy_purge_interval_hours
            else "nicht selbst ausgeführt: per Zeitplan einrichten"
        )
        + "); das anonymisierte Profil bleibt für die Statistik."
    )
    office = (
        "Sachbearbeitung der Wohnraumvermittlung (Rolle housing_office) und Systemverwaltung "
        "(admin); Sozialplanung und Partnerorganisationen sehen nur Zusammenfassungen ohne "
        "Einzelfälle; keine Übermittlung an Dritte oder in Drittländer."
    )
    return [
        Activity(
            "Warteliste und Wohnungsvermittlung",
            "Vermittlung von Wohnungen an geflüchtete Haushalte in der Anschlussunterbringung: "
            "passende Wohnungen finden, anbieten, reservieren, Einzug festhalten.",
            "Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit dem Landesaufnahmerecht; Bedarfe, die "
            "die Gesundheit betreffen: Art. 9 Abs. 2 lit. g/h DSGVO.",
            "geflüchtete Haushalte (als Profil, ohne Namen und Geburtsdaten)",
            ("waiting_list", "reservations"),
            office,
            purge,
        ),
        Activity(
            "Zuteilungsläufe",
            "Gleichzeitige Zuteilung mehrerer Haushalte zu freien Wohnungen nach dem "
            "Bewertungsprofil, mit Gründen für nicht zugeteilte Haushalte.",
            "Art. 6 Abs. 1 lit. e DSGVO.",
            "geflüchtete Haushalte (als Profil, Aktenzeichen nur als Hashwert)",
            ("allocations",),
            office,
            f"{days} Tage nach dem Lauf werden die Hashwerte der Aktenzeichen entfernt.",
        ),
        Activity(
            "Entscheidungsprotokoll",
            "Nachvollziehbarkeit jeder Entscheidung (wer, was, mit welchem Profil und Datenstand) "
            "für Aufsicht, Widerspruch und Rechnungsprüfung.",
            "Art. 6 Abs. 1 lit. c und e DSGVO, Art. 5 Abs. 2 DSGVO (Rechenschaftspflicht).",
            "geflüchtete Haushalte (nur über zufällige Kennungen), Beschäftigte (über ihren "
            "Zugangsschlüssel)",
            ("audit_log",),
            "Systemverwaltung (Rolle admin); auf Anforderung Datenschutzbeauftragte und Aufsicht.",
            "Unveränderlich (nur Anfügen); enthält keine Aktenzeichen. Nach der Anonymisierung "
            "führt nichts mehr vom Fall zu seinen Einträgen.",
        ),
        Activity(
            "Zugangsschlüssel",
            "Zugriffskontrolle und Zuordnung von Entscheidungen zu Dienststellen.",
            "Art. 6 Abs. 1 lit. c DSGVO, Art. 32 DSGVO; Beschäftigtendaten nach Landesrecht.",
            "Beschäftigte der Verwaltung und der Partnerorganisationen",
            ("api_keys",),
            "Systemverwaltung (Rolle admin).",
            "Bis zum Widerruf; widerrufene Schlüssel bleiben zur Zuordnung des Protokolls.",
        ),
        Activity(
            "Brückenbauerinnen und Brückenbauer",
            "Vermittlung ehrenamtlicher Begleitung in der Sprache des Haushalts.",
            "Art. 6 Abs. 1 lit. a DSGVO (Einwilligung gegenüber der Organisation).",
            "Ehrenamtliche (unter selbst gewähltem Kürzel)",
            ("volunteers",),
            "die begleitende Organisation (Rolle partner) und die Sachbearbeitung.",
            "Bis die Organisation den Eintrag löscht oder deaktiviert.",
        ),
    ]


def columns(table: Table) -> list[tuple[str, str]]:
    """Each column of ``table`` with its German description (or the mark of a missing one)."""
    known = COLUMNS.get(table.name, {})
    return [(c.name, known.get(c.name, UNDESCRIBED)) for c in table.columns]


def record_markdown(settings: Settings, today: date | None = None) -> str:
    """The record of processing as a Markdown document in German."""
    today = today or date.today()
    lines = [
        "# Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)",
        "",
        f"geo_service {__version__}, erstellt am {today:%d.%m.%Y} aus dem Datenbankschema. "
        "Verantwortliche Stelle, Kontakt der oder des Datenschutzbeauftragten und "
        "Rechtsgrundlagen des Landes sind von der Stadt zu ergänzen.",
        "",
        "## Technische und organisatorische Maßnahmen (Art. 32 DSGVO)",
        "",
        "- Keine Namen und Geburtsdaten; Aktenzeichen nur als Hashwert mit einem geheimen "
        "Schlüssel des Dienstes.",
        "- Rollen: Zugriff nach Zugangsschlüssel (Lesen, Planen, Sachbearbeitung, Verwaltung); "
        "der Dienst verbindet sich als Datenbankrolle ohne Schemarechte.",
        "- Entscheidungsprotokoll nur zum Anfügen (Änderungen und Löschungen verweigert die "
        "Datenbank).",
        "- Verschlüsselte Verbindung zur Datenbank möglich (TLS mit Prüfung des Zertifikats).",
        "- Sicherung und Wiederherstellung mit Prüfsummen je Tabelle (`geo-service backup`).",
        "- Kleine Zahlen werden in Berichten unterdrückt.",
    ]
    for number, act in enumerate(activities(settings), 1):
        lines += [
            "",
            f"## {number}. {act.name}",
            "",
            f"- **Zweck:** {act.purpose}",
            f"- **Rechtsgrundlage (Vorschlag, von der Stadt zu prüfen):** {act.legal_basis}",
            f"- **Betroffene Personen:** {act.subjects}",
            f"- **Empfänger:** {act.recipients}",
            f"- **Löschung/Aufbewahrung:** {act.retention}",
            "- **Kategorien von Daten:**",
        ]
        for name in act.tables:
            lines.append(f"  - Tabelle `{name}`:")
            lines += [
                f"    - `{col}`: {text}" for col, text in columns(models.metadata.tables[name])
            ]
    return "\n".join(lines) + "\n"
