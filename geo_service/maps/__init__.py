"""Planners' interactive Folium maps, rendered as self-contained offline HTML."""
