"""OGC API – Features (Parts 1, 2, 3, 5 and 6's properties) and – Tiles (MVT) under /ogc for
QGIS, GDAL and OWSLib."""

from fastapi import APIRouter

from geo_service.api.ogc import routes, tiles

router = APIRouter()
router.include_router(routes.router)
router.include_router(tiles.router)

__all__ = ["router"]
