"""geo_service: placing refugee households in flats near the infrastructure and help they need."""

__version__ = "0.1.0"
