"""The texts of maps and referral sheets by key, as English source text for the message
catalogue (``geo_service/locale``); ``geo_service.maps.labels`` reads them in a language.

Map texts are German and English; the sheet's texts (context "sheet") and the offer categories
(context "offer category") are in every sheet language. Keys are the vocabularies' codes."""

from __future__ import annotations

from geo_service.i18n import N_, NP_

# Map texts (``{placeholders}`` filled by ``Labels.text``)
MAP = {
    "districts": N_("Districts and social structure"),
    "status_class": N_("Status class"),
    "utilisation": N_("Use of placement capacity"),
    "utilisation_unit": N_("% of the quota"),
    "suppressed": N_("suppressed (< {n} residents)"),
    "small_count": N_("hidden: < {n} households placed"),
    "infrastructure": N_("Infrastructure (H3 area scores)"),
    "score": N_("Infrastructure score"),
    "score_unit": N_("0–100"),
    "amenities": N_("Amenities (points)"),
    "amenity_value": N_("Accessibility"),
    "offers": N_("The round table's offer catalogue"),
    "offer": N_("Offer"),
    "flats": N_("Available flats"),
    "flat": N_("Flat"),
    "household": N_("Flat ranking"),
    "date_hint": N_("YYYY-MM-DD"),
    "household_form": N_("Household (no names)"),
    "household_empty": N_("Enter a household and press “Show ranking”."),
    "show_ranking": N_("Show ranking"),
    "persons": N_("persons"),
    "size": N_("Persons in the household"),
    "children": N_("Children (ages)"),
    "children_hint": N_("e.g. 3, 8"),
    "needs": N_("Needs"),
    "move_in": N_("Moving in from"),
    "rent": N_("Gross cold rent"),
    "rooms": N_("Rooms"),
    "area": N_("Living area"),
    "available": N_("available from"),
    "provider": N_("Provider"),
    "languages": N_("Languages"),
    "hours": N_("Opening hours"),
    "capacity": N_("Places per week"),
    "interpreting": N_("Interpreter available"),
    "category": N_("Category"),
    "language": N_("Language"),
    "rank": N_("Rank"),
    "ranked": N_("Ranking (ranks 1–{n})"),
    "ranked_not_yet": N_("Ranking: no household entered yet"),
    "ranked_none": N_("Ranking: no fitting flat"),
    "placement": N_("Placement score"),
    "factor": N_("District factor B"),
    "contributions": N_("Contributions to the infrastructure score"),
    "nearest": N_("Nearest places"),
    "boundaries": N_("Districts (boundaries and names)"),
    "gaps": N_("Coverage gaps by language ({km} km)"),
    "gaps_unit": N_(
        "number of category × language without an offer, counted where households live"
    ),
    "gap_tip": N_("no offer in the language within {km} km"),
    "no_gap": N_("no gap"),
    "no_households": N_("no households: gaps count only where households live"),
    "note": N_("Illustrative sample data – not official statistics"),
    "basemap_note": N_("Base map: the city's OpenStreetMap extract"),
    "mode": N_("Distances"),
    "straight": N_("straight line"),
    "network": N_("walking over the street network"),
    "reach_straight": N_("straight line ≤ {m} m around rank 1"),
    "reach_network": N_("walk ≤ {m} m from rank 1"),
    "reach_transit": N_("bus and walk ≤ {min} min from rank 1 (leaving {window}, median)"),
    "unreachable": N_("not connected to the walking network"),
    "no_results": N_("No fitting flat: {notes}"),
    "error": N_("Please check"),
    "year": N_("as of {year}"),
    "points": N_("points"),
    "from": N_("from"),
    "to": N_("to"),
    "persons_unit": N_("residents"),
    "none": N_("–"),
}
# Status classes 1 (high) to 4 (very low)
CLASS_NAMES = (N_("high"), N_("medium"), N_("low"), N_("very low"))
# The map pages' own texts (index, login, report form)
PAGES = {
    "index": N_("Maps and reports"),
    "logout": N_("Log out"),
    "household_hint": N_("form for a household profile"),
    "report": N_("Situation report for the round table"),
    "report_hint": N_("what happened since the last meeting"),
    "report_since": N_("Situation report since (date of the last meeting)"),
    "show_report": N_("Show report"),
    "future": N_("The date lies in the future: give the date of the last meeting."),
    "planner_only": N_(
        "Planners, the housing office and administrators see the situation report; this login "
        "may not."
    ),
    "back": N_("Back to the overview"),
}
# The household form's fields
FIELDS = {
    "size": N_("Persons in the household"),
    "children_ages": N_("Children's ages"),
    "languages": N_("Languages"),
    "needs": N_("Needs"),
    "move_in": N_("Moving in from"),
    "household": N_("Household"),
}
# The household form's errors
ERRORS = {
    "missing": N_("is missing"),
    "too_small": N_("must be at least {min}"),
    "too_big": N_("must be at most {max}"),
    "not_a_number": N_("must be a whole number"),
    "not_a_date": N_("must be a date"),
    "not_a_language": N_("“{value}” is not a known language"),
    "unknown_need": N_("“{value}” is not a known need"),
    "child_age": N_("children are 0 to 17 years old"),
    "no_adult": N_("at least one person must be an adult"),
    "no_language": N_("choose at least one language"),
    "invalid": N_("invalid value"),
}
# Household needs in words
NEEDS = {
    "barrier_free": N_("barrier-free flat"),
    "ground_floor": N_("flat on the ground floor"),
    "near_gp": N_("GP nearby"),
    "near_paediatrician": N_("paediatrician nearby"),
    "near_transit": N_("public transport stop nearby"),
    "language_course": N_("language course place needed"),
}
# The base map's layers
BASEMAP = {
    "title": N_("Base map"),
    "water": N_("Water"),
    "green": N_("Parks and woods"),
    "residential": N_("Residential areas"),
    "industrial": N_("Commerce and industry"),
    "rail": N_("Railway"),
    "roads": N_("Streets"),
    "motorway": N_("Motorway"),
}
# Amenity categories (the profile's own label where a city has other categories)
AMENITIES = {
    "grocery": N_("Groceries"),
    "kita": N_("Day-care centre"),
    "primary_school": N_("Primary school"),
    "secondary_school": N_("Secondary school"),
    "gp": N_("GP practice"),
    "paediatrician": N_("Paediatrician"),
    "pharmacy": N_("Pharmacy"),
    "transit_stop": N_("Public transport stop"),
    "park_playground": N_("Park or playground"),
}
# The referral sheet's texts
SHEET = {
    "title": NP_("sheet", "Help near you"),
    "flat": NP_("sheet", "Flat"),
    "languages": NP_("sheet", "Languages"),
    "address": NP_("sheet", "Address"),
    "hours": NP_("sheet", "Opening hours"),
    "distance": NP_("sheet", "Distance"),
    "interpreting": NP_("sheet", "Interpreter available"),
    "fallback": NP_("sheet", "German only"),
    "none": NP_("sheet", "no offer within {km}"),
    "note": NP_("sheet", "Sample data – please check details before visiting."),
    "categories_header": NP_("sheet", "Offer"),
    "also_in": NP_("sheet", "also in"),
    "map": NP_("sheet", "Map: flat (■) and offers (numbers)"),
    "within": NP_("sheet", "Offers up to {km} from the flat (straight line)"),
}
# Offer categories of the round table's catalogue
OFFER_CATEGORIES = {
    "language_course": NP_("offer category", "Language course"),
    "counselling": NP_("offer category", "Counselling"),
    "homework_help": NP_("offer category", "Homework help"),
    "health_service": NP_("offer category", "Health"),
    "hygiene_info": NP_("offer category", "Hygiene information"),
    "womens_group": NP_("offer category", "Women's group"),
    "sports_leisure": NP_("offer category", "Sports and leisure"),
    "volunteer_language_help": NP_("offer category", "Volunteer language help"),
    "bridge_builders": NP_("offer category", "Bridge builders"),
    "job_support": NP_("offer category", "Work and jobs"),
    "legal_counselling": NP_("offer category", "Legal advice"),
    "youth_family": NP_("offer category", "Youth and family"),
}
# Sheet languages written right to left
RTL = frozenset({"ar", "fa"})
