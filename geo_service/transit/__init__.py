"""Public transport: the GTFS timetable, walking to and between stops, earliest arrivals."""
