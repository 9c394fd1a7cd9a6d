"""Vocabulary of the illustrative offer catalogue: categories, providers, languages, names."""

from __future__ import annotations

OFFER_CATEGORIES = [
    "language_course",
    "counselling",
    "homework_help",
    "health_service",
    "hygiene_info",
    "womens_group",
    "sports_leisure",
    "volunteer_language_help",
    "bridge_builders",
    "job_support",
    "legal_counselling",
    "youth_family",
]

PROVIDERS = [
    "Caritas",
    "AWO",
    "Diakonisches Werk",
    "Mütterzentrum",
    "Freiwilligenzentrum",
    "Job Center",
    "Volkshochschule",
    "Stadt Salzgitter – Fachdienst Gesundheit",
    "Stadt Salzgitter – Bildung und Integration",
    "Stadt Salzgitter – Kinder, Jugend und Familie",
    "Stadt Salzgitter – Soziales und Senioren",
    "Polizeiinspektion (Prävention)",
    "Sportverein (illustrativ)",
]

# German plus the languages of the round table's catalogue (ISO 639-1).
LANGUAGES = ["de", "ar", "fa", "ps", "ku", "ti", "so", "ru", "uk", "tr", "en", "fr", "sq", "sr"]

NAMES = {
    "language_course": "Deutschkurs",
    "counselling": "Migrationsberatung",
    "homework_help": "Hausaufgabenhilfe",
    "health_service": "Gesundheitssprechstunde",
    "hygiene_info": "Hygiene-Information",
    "womens_group": "Frauen- und Müttertreff",
    "sports_leisure": "Sport und Freizeit",
    "volunteer_language_help": "Ehrenamtliche Sprachhilfe",
    "bridge_builders": "Brückenbauer",
    "job_support": "Jobberatung",
    "legal_counselling": "Asyl- und Rechtsberatung",
    "youth_family": "Jugend- und Familienhilfe",
}


def offer_name(category: str, district_code: str, index: int) -> str:
    """Illustrative, descriptive offer name (no personal names)."""
    return f"{NAMES[category]} {district_code} {index + 1}"
