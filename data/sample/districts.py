"""District table (real names, approximate centres, illustrative residents) and amenity counts."""

from __future__ import annotations

# code, name, Ortschaft (illustrative grouping), lat, lon, residents (illustrative)
DISTRICTS = [
    ("LEB", "Lebenstedt", "Nordwest", 52.156, 10.336, 39000),
    ("SAL", "Salder", "West", 52.127, 10.326, 1900),
    ("GEB", "Gebhardshagen", "Süd", 52.118, 10.363, 7400),
    ("CAL", "Calbecht", "Süd", 52.120, 10.380, 1100),
    ("ENG", "Engerode", "Süd", 52.108, 10.376, 700),
    ("LIC", "Lichtenberg", "West", 52.104, 10.302, 2300),
    ("OST", "Osterlinde", "West", 52.128, 10.286, 600),
    ("LES", "Lesse", "West", 52.134, 10.265, 1400),
    ("REP", "Reppner", "West", 52.138, 10.300, 900),
    ("BRU", "Bruchmachtersen", "West", 52.147, 10.311, 1300),
    ("ENS", "Engelnstedt", "Nordwest", 52.171, 10.355, 700),
    ("HAL", "Hallendorf", "Nordost", 52.171, 10.387, 2300),
    ("WAT", "Watenstedt", "Nordost", 52.160, 10.428, 800),
    ("RIN", "Ringelheim", "Südost", 52.033, 10.318, 1800),
    ("BEI", "Beinum", "Südost", 52.028, 10.386, 500),
    ("OHL", "Ohlendorf", "Südost", 52.073, 10.418, 600),
    ("IMM", "Immendorf", "Nordost", 52.176, 10.428, 1000),
    ("DRU", "Drütte", "Nordost", 52.176, 10.410, 900),
    ("BLE", "Bleckenstedt", "Nordost", 52.187, 10.396, 800),
    ("BED", "Beddingen", "Ost", 52.200, 10.432, 1400),
    ("THI", "Thiede", "Ost", 52.196, 10.462, 9300),
    ("SAU", "Sauingen", "Ost", 52.206, 10.395, 900),
    ("UFI", "Üfingen", "Ost", 52.198, 10.375, 1100),
    ("BAR", "Barum", "Ost", 52.214, 10.350, 250),
    ("LOB", "Lobmachtersen", "West", 52.135, 10.353, 1400),
    ("HEE", "Heerte", "Süd", 52.090, 10.360, 900),
    ("BAD", "Salzgitter-Bad", "Süd", 52.047, 10.372, 21200),
    ("GIT", "Gitter", "Süd", 52.056, 10.340, 800),
    ("HOH", "Hohenrode", "Süd", 52.070, 10.343, 700),
    ("GRM", "Groß Mahner", "Südost", 52.030, 10.353, 600),
    ("FLA", "Flachstöckheim", "Südost", 52.058, 10.400, 1500),
]

SECONDARY_MIN_RESIDENTS = 5000

# category: (count, German label stem for illustrative names)
AMENITY_COUNTS = {
    "transit_stop": (760, "Haltestelle"),
    "park_playground": (430, "Spielplatz"),
    "grocery": (300, "Lebensmittel"),
    "kita": (250, "Kita"),
    "gp": (230, "Hausarztpraxis"),
    "pharmacy": (120, "Apotheke"),
    "primary_school": (110, "Grundschule"),
    "paediatrician": (40, "Kinderarztpraxis"),
    "secondary_school": (40, "Weiterführende Schule"),
}
