"""The frame every map shares: no remote tiles, title, legend, scale, fullscreen, layers."""

from __future__ import annotations

from html import escape
from typing import Any

import folium
import geopandas as gpd
from branca.element import Element
from folium.plugins import Fullscreen

from geo_service.config import get_settings
from geo_service.maps.labels import LABELS

MIN_ZOOM, MAX_ZOOM = 8, 19
SCALE = ["#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027"]  # good -> poor


def labels() -> dict[str, Any]:
    """Labels in the configured language."""
    return LABELS[get_settings().map_language]


def colour(
    value: float | None, low: float = 0.0, high: float = 100.0, reverse: bool = False
) -> str:
    """A colour from the scale (high values green unless ``reverse``); grey when missing."""
    if value is None or value != value:
        return "#bdbdbd"
    t = min(max((value - low) / (high - low), 0.0), 1.0)
    t = t if reverse else 1 - t
    return SCALE[min(int(t * len(SCALE)), len(SCALE) - 1)]


def base_map(
    title: str, bounds: gpd.GeoDataFrame, legend: list[tuple[str, str]], canvas: bool = False
) -> folium.Map:
    """A map fitted to ``bounds`` with title, legend, scale bar, fullscreen, attribution;
    ``canvas`` draws vector layers on a canvas (thousands of features stay fast)."""
    settings = get_settings()
    lab = labels()
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=canvas, zoom_snap=0.25)
    m.options.update(minZoom=MIN_ZOOM, maxZoom=MAX_ZOOM)  # no tile layer sets them for us
    if settings.map_tile_url:
        folium.TileLayer(settings.map_tile_url, attr=lab["note"], name="Basiskarte").add_to(m)
    minx, miny, maxx, maxy = bounds.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    Fullscreen().add_to(m)
    root: Any = m.get_root()
    items = "".join(
        f'<div><span style="background:{c};display:inline-block;width:12px;'
        f'height:12px;margin-right:4px"></span>{escape(t)}</div>'
        for c, t in legend
    )
    root.html.add_child(
        Element(
            f'<div id="map-title" style="position:fixed;top:10px;left:60px;max-width:55%;'
            f"z-index:9999;background:white;padding:6px 10px;border-radius:4px;"
            f'font:16px sans-serif">'
            f"<b>{escape(title)}</b><br><small>{escape(lab['note'])}</small></div>"
            f'<div id="map-legend" style="position:fixed;bottom:30px;right:10px;z-index:9999;'
            f'background:white;padding:6px 10px;border-radius:4px;font:12px sans-serif">'
            f"{items}</div>"
            "<style>.leaflet-container{background:#f4f4f0}"
            ".label-icon{pointer-events:none!important}</style>"
        )
    )
    root.html.add_child(
        Element(
            "<script>document.addEventListener('DOMContentLoaded',function(){"
            "document.querySelectorAll('.leaflet-control-attribution').forEach(function(e){"
            f"e.innerHTML={escape(lab['note'])!r};}});}});</script>"
        )
    )
    return m


def finish(m: folium.Map) -> folium.Map:
    """Add the layer control last, so it lists every layer."""
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def table(rows: dict[str, Any]) -> str:
    """A small HTML table for tooltips and popups."""
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:6px'>{escape(str(k))}</th>"
        f"<td>{escape(str(v))}</td></tr>"
        for k, v in rows.items()
    )
    return f"<table>{body}</table>"
