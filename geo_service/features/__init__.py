"""Feature collections for OGC API – Features: the registry, CRS handling and paged queries."""
