"""OGC API – Features (Parts 1 and 2) under /ogc for QGIS, GDAL and OWSLib."""

from geo_service.api.ogc.routes import router

__all__ = ["router"]
