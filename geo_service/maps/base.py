"""The frame every map shares: the city's base layer, district outlines and names, title,
one legend per visible layer, metric scale, fullscreen and the layer control."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

import folium
import geopandas as gpd
from branca.element import Element, JavascriptLink, MacroElement
from folium.plugins import Fullscreen
from jinja2 import Template

from geo_service.config import get_settings
from geo_service.maps.labels import Labels, labels_for
from geo_service.maps.legend import Legend

MIN_ZOOM, MAX_ZOOM = 8, 18
STATIC_PLACEHOLDER = "__GEO_STATIC__"  # replaced by the assets' prefix when a map is written
STYLE = """<style>
.folium-map.leaflet-container{background:#f2efe9;font-family:"DejaVu Sans",Arial,sans-serif}
#map-title{position:fixed;top:10px;left:60px;max-width:calc(100% - 380px);min-width:200px;
 z-index:999;background:#fff;
 padding:6px 10px;border-radius:4px;font:15px/1.3 "DejaVu Sans",Arial,sans-serif;
 box-shadow:0 1px 4px rgba(0,0,0,.3)}
#map-title small{color:#555;font-size:12px}
.map-legend{background:#fff;padding:6px 10px;border-radius:4px;font:12px/1.35 "DejaVu Sans",
 Arial,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:280px}
.legend-titled+.legend-block,.legend-block+.legend-titled{margin-top:6px;
 border-top:1px solid #ddd;padding-top:4px}
.legend-title{font-weight:bold}.legend-sub{color:#555;margin-bottom:2px}
.swatch{display:inline-block;width:14px;height:12px;margin-right:5px;vertical-align:-1px;
 border:1px solid rgba(0,0,0,.25)}
.swatch-line,.swatch-rail{height:4px;vertical-align:3px;border:0}
.swatch-rail{background-image:repeating-linear-gradient(90deg,transparent 0 4px,#fff 4px 7px)}
.label-icon,.place-label{pointer-events:none!important}
.district-label{font:bold 11px "DejaVu Sans",Arial,sans-serif;color:#222;white-space:nowrap;
 transform:translate(-50%,-50%);text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.place-label{font:italic 11px "DejaVu Sans",Arial,sans-serif;color:#4a4a4a;white-space:nowrap;
 transform:translate(-50%,-50%);text-shadow:0 0 3px #fff,0 0 2px #fff}
.place-rank-1,.place-rank-2{font-size:13px;font-weight:bold;color:#333}
.leaflet-control-layers-expanded{font-size:13px;max-height:70vh;max-width:280px;overflow:auto}
.leaflet-control-layers label>span{display:flex;align-items:baseline;gap:3px}
.leaflet-control-layers-selector{flex:none}
.leaflet-container .leaflet-popup-content{font-size:13px;line-height:1.3;margin:10px 16px 10px 12px}
.leaflet-popup-content th{text-align:left;padding-right:8px;vertical-align:top}
</style>"""


def labels() -> Labels:
    """The label catalogue in the configured map language."""
    return labels_for(get_settings().map_language)


class _Setup(MacroElement):
    """Calls GeoMaps.setup after every layer exists (legends, base layer, markers, fit)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "GeoMaps.setup({{ this._parent.get_name() }}, {{ this.config }});"
        "{% endmacro %}"
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "GeoMapsSetup"
        self.config = json.dumps(config, ensure_ascii=False)


def district_names(d: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """Outlines and names of the districts, one overlay on every map."""
    lab = labels()
    fg = folium.FeatureGroup(name=lab["boundaries"], show=True)
    folium.GeoJson(
        d[["code", "name", "geom"]].to_json(),
        style_function=lambda _: {"fill": False, "color": "#555", "weight": 1.2, "opacity": 0.9},
        interactive=False,
    ).add_to(fg)
    for name, point in zip(d["name"], d.geometry.representative_point(), strict=True):
        # not interactive: labels must not catch the pointer meant for the layers below
        folium.Marker(
            [point.y, point.x],
            interactive=False,
            icon=folium.DivIcon(
                class_name="label-icon",
                icon_size=(0, 0),
                html=f'<div class="district-label">{escape(str(name))}</div>',
            ),
        ).add_to(fg)
    return fg


def base_map(
    title: str, bounds: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, canvas: bool = False
) -> folium.Map:
    """A map fitted to ``bounds`` with the base layer, district outlines and names, title,
    fullscreen and an attribution; ``canvas`` draws vector layers on a canvas."""
    lab = labels()
    m = folium.Map(tiles=None, control_scale=False, prefer_canvas=canvas, zoom_snap=0.25)
    m.options.update(minZoom=MIN_ZOOM, maxZoom=MAX_ZOOM)
    tiles = get_settings().map_tile_url
    if tiles:  # a local tile server, if the city runs one, under our own base layer
        folium.TileLayer(tiles, attr=lab["note"], name=lab["basemap_note"], overlay=False).add_to(m)
    minx, miny, maxx, maxy = bounds.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    Fullscreen().add_to(m)
    root: Any = m.get_root()
    root.title = escape(title)  # the page's <title> (branca writes it unescaped)
    for script in ("basemap.js", "geo-maps.js"):
        root.header.add_child(JavascriptLink(f"{STATIC_PLACEHOLDER}/{script}"), name=script)
    root.header.add_child(Element(STYLE), name="geo-style")
    root.html.add_child(
        Element(
            f'<div id="map-title"><b>{escape(title)}</b><br>'
            f"<small>{escape(lab['note'])}</small></div>"
        )
    )
    m.attributes = [lab["note"]]  # type: ignore[attr-defined]
    district_names(districts).add_to(m)
    m._district_names = [str(n) for n in districts["name"]]  # type: ignore[attr-defined]
    return m


def finish(
    m: folium.Map,
    legends: Mapping[Any, Legend],
    ranks: list[Any] | None = None,
    fit: list[list[float]] | None = None,
    lines_on_top: bool = False,
    hidden: list[Any] | None = None,
) -> folium.Map:
    """Add the layer control (listing every layer) and the page set-up: a legend per layer
    (shown while its layer is), the base layer, the metric scale, rank markers kept apart and
    the initial view; ``lines_on_top`` draws streets, rail and water above choropleths;
    ``hidden`` layers start unticked (Folium's FastMarkerCluster ignores ``show``)."""
    folium.LayerControl(collapsed=False).add_to(m)
    lab = labels()
    config = {
        "legends": {layer.get_name(): legend.html() for layer, legend in legends.items()},
        "districtNames": getattr(m, "_district_names", []),
        "basemapNames": {k: escape(str(v)) for k, v in lab["basemap"].items()},
        "ranks": [r.get_name() for r in ranks] if ranks else None,
        "fit": fit,
        "linesOnTop": lines_on_top,
        "hidden": [layer.get_name() for layer in hidden or []],
    }
    _Setup(config).add_to(m)
    root: Any = m.get_root()
    root.html.add_child(
        Element(
            "<script>document.addEventListener('DOMContentLoaded',function(){"
            "var b=window.GEO_BASEMAP,n="
            + json.dumps(lab["note"], ensure_ascii=False)
            + ";document.querySelectorAll('.leaflet-control-attribution').forEach(function(e){"
            "e.textContent=n+(b&&b.attribution?' · '+b.attribution:'');});});</script>"
        )
    )
    return m


def table(rows: Mapping[str, Any]) -> str:
    """A small HTML table for tooltips and popups (label, value)."""
    body = "".join(
        f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in rows.items()
    )
    return f"<table>{body}</table>"
