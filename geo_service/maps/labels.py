"""Map labels in German (default) and English."""

from __future__ import annotations

LABELS = {
    "de": {
        "districts": "Stadtteile und Sozialstruktur", "status_class": "Statusklasse",
        "utilisation": "Auslastung der Aufnahmekapazität", "suppressed": "unterdrückt (< 300 EW)",
        "infrastructure": "Infrastruktur (H3-Flächenwerte)", "score": "Infrastrukturwert",
        "amenities": "Einrichtungen", "offers": "Angebotskatalog", "flats": "Verfügbare Wohnungen",
        "household": "Wohnungsranking für einen Haushalt", "rent": "Bruttokaltmiete",
        "rooms": "Zimmer", "area": "Wohnfläche", "available": "frei ab",
        "provider": "Träger", "languages": "Sprachen", "hours": "Öffnungszeiten",
        "capacity": "Plätze/Woche", "category": "Kategorie", "language": "Sprache",
        "rank": "Rang", "factor": "Stadtteilfaktor B", "boundaries": "Stadtteilgrenzen",
        "note": "Beispieldaten, illustrativ – keine amtliche Statistik",
        "class_names": ["1 hoch", "2 mittel", "3 niedrig", "4 sehr niedrig"],
    },
    "en": {
        "districts": "Districts and social structure", "status_class": "Status class",
        "utilisation": "Use of placement capacity", "suppressed": "suppressed (< 300 residents)",
        "infrastructure": "Infrastructure (H3 area scores)", "score": "Infrastructure score",
        "amenities": "Amenities", "offers": "Offer catalogue", "flats": "Available flats",
        "household": "Flat ranking for one household", "rent": "Gross cold rent",
        "rooms": "Rooms", "area": "Living area", "available": "available from",
        "provider": "Provider", "languages": "Languages", "hours": "Opening hours",
        "capacity": "Places/week", "category": "Category", "language": "Language",
        "rank": "Rank", "factor": "District factor B", "boundaries": "District boundaries",
        "note": "Illustrative sample data – not official statistics",
        "class_names": ["1 high", "2 medium", "3 low", "4 very low"],
    },
}
