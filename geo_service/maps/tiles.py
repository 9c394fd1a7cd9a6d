"""Map layers drawn from the service's vector tiles (Leaflet.VectorGrid, vendored from npm).

Served by the API (``/maps/{name}.html``), a layer loads the tiles of an OGC collection from
``/maps/tiles/{collection}/{z}/{y}/{x}`` (the session's role decides what they hold), so the
page carries no data. Opened from disk, where Chromium refuses ``fetch`` of ``file:`` URLs,
the page loads the collection's features from ``static/tiles-{collection}.js`` (written beside
the maps, only the properties the layers show) and VectorGrid cuts the same tiles in the
browser. Either way one style function colours each feature by its class.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
from branca.element import Element
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

from geo_service.maps.base import STATIC_PLACEHOLDER
from geo_service.maps.legend import MISSING, Classes

SCRIPT = "vectorgrid/Leaflet.VectorGrid.bundled.min.js"
TILE_URL = "tiles/{collection}/{{z}}/{{y}}/{{x}}"  # relative to /maps/{name}.html
COORD_DECIMALS = 5  # about a metre


@dataclass(frozen=True)
class Field:
    """A value shown in a feature's popup: property and label; a number in the map's
    language's format with ``decimals`` (at least ``least``, default all of them) after
    ``scale`` multiplies it, followed by ``unit``; ``kind`` "text" shows it as it is, "date"
    as the language's date (28.11.2026)."""

    property: str
    label: str
    decimals: int = 1
    scale: float = 1.0
    unit: str = ""
    kind: str = "number"
    least: int | None = None


def sidecar_name(collection: str) -> str:
    """The file under static/ holding a collection's features for maps opened from disk."""
    return f"tiles-{collection}.js"


def sidecar(collection: str, frame: gpd.GeoDataFrame, properties: Sequence[str]) -> str:
    """The script that hands VectorGrid a collection's features when a map is opened from
    disk: CRS84 GeoJSON with ``properties`` only, coordinates to about a metre."""
    small = gpd.GeoDataFrame(frame[list(properties)], geometry=frame.geometry, crs=frame.crs)
    data = json.loads(small.to_crs(4326).to_json(drop_id=True, to_wgs84=False))
    text = json.dumps(data, separators=(",", ":"))
    rounded = json.loads(text, parse_float=lambda x: round(float(x), COORD_DECIMALS))
    payload = json.dumps(rounded, separators=(",", ":"), ensure_ascii=False)
    target = f"(window.GeoTileData = window.GeoTileData || {{}})[{json.dumps(collection)}]"
    return f"{target} = {payload};\n"


class VectorTiles(JSCSSMixin, Layer):
    """A collection's features from vector tiles, each coloured by the class of
    ``property`` × ``scale`` (``classes``), polygons filled or points as circles; a click
    opens a popup of ``fields`` in the map's language."""

    default_js = [("vectorgrid", f"{STATIC_PLACEHOLDER}/{SCRIPT}")]  # noqa: RUF012
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var c = {{ this.config|tojson }};
          var map = {{ this._parent.get_name() }};
          /* VectorGrid 1.3's click test assumes the map's zoom is the tiles' (ours snaps to
             quarter levels) and calls L.DomEvent.fakeStop, gone in Leaflet 1.9: find the
             feature under the pointer in the tile's own pixels instead (set before any tile);
             a point gets the latlng Leaflet 1.9 reads from a clicked circle marker */
          if (!L.Canvas.Tile.prototype._geoClick) {
            L.Canvas.Tile.prototype._geoClick = L.Canvas.Tile.prototype._onClick = function (e) {
              var m = this._map, hit = null;
              if (!m) { return; }
              var point = m.project(m.mouseEventToLatLng(e), this._tileCoord.z)
                .subtract(this._tileCoord.scaleBy(this._size));
              for (var id in this._layers) {
                var l = this._layers[id];
                if (l.options.interactive && l._containsPoint(point)) { hit = l; }
              }
              if (hit && hit._point && !hit._latlng) {  /* a point: Leaflet reads its latlng */
                hit._latlng = m.unproject(
                  hit._point.add(this._tileCoord.scaleBy(this._size)), this._tileCoord.z);
              }
              if (hit && !m._draggableMoved(hit)) {
                L.DomEvent.stopPropagation(e);
                this._fireEvent([hit], e);
              }
            };
          }
          var classOf = function (v) {
            if (v === null || v === undefined || isNaN(v)) { return c.missing; }
            v = Math.round(v * c.scale * 10) / 10;
            var i = 0;
            while (i < c.upper.length && c.upper[i] < v) { i++; }
            return c.colours[Math.min(i, c.colours.length - 1)];
          };
          var style = function (p) {
            return Object.assign({fillColor: classOf(p[c.property]), interactive: true}, c.style);
          };
          var fmt = function (f, v) {
            if (v === null || v === undefined || v === "") { return c.none; }
            if (f.kind === "text") { return String(v); }
            if (f.kind === "date") {
              return new Date(String(v).slice(0, 10) + "T00:00:00Z").toLocaleDateString(
                c.locale, {dateStyle: "medium", timeZone: "UTC"});
            }
            var s = (Number(v) * f.scale).toLocaleString(c.locale, {
              minimumFractionDigits: f.least === null ? f.decimals : f.least,
              maximumFractionDigits: f.decimals});
            return f.unit ? s + " " + f.unit : s;
          };
          var escape = function (s) {
            return String(s).replace(/[&<>"]/g, function (ch) {
              return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[ch];
            });
          };
          /* above the map's canvas of outlines (which would take the clicks), below the
             streets drawn on top, the labels and popups */
          if (!map.getPane("vectorTiles")) { map.createPane("vectorTiles").style.zIndex = 410; }
          var options = {rendererFactory: L.canvas.tile, interactive: true, maxNativeZoom: 16,
                         pane: "vectorTiles", vectorTileLayerStyles: {}};
          var layer;
          if (location.protocol === "file:") {
            options.vectorTileLayerStyles.sliced = style;
            layer = L.vectorGrid.slicer((window.GeoTileData || {})[c.collection] ||
              {type: "FeatureCollection", features: []}, options);
          } else {
            options.vectorTileLayerStyles[c.collection] = style;
            layer = L.vectorGrid.protobuf(c.url, options);
          }
          layer.on("click", function (e) {
            var p = e.layer.properties, html = "";
            c.fields.forEach(function (f) {
              var v = escape(fmt(f, p[f.property]));
              html += "<tr><th>" + escape(f.label) + "</th><td>" + v + "</td></tr>";
            });
            L.popup().setLatLng(e.latlng).setContent("<table>" + html + "</table>").openOn(map);
          });
          {% if this.show %}layer.addTo(map);{% endif %}
          return layer;
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        name: str,
        collection: str,
        value: str,
        classes: Classes,
        fields: Sequence[Field],
        style: dict[str, Any],
        *,
        locale: str,
        none: str,
        scale: float = 1.0,
        overlay: bool = True,
        show: bool = True,
    ) -> None:
        """A layer ``name`` of ``collection``'s tiles coloured by ``value`` × ``scale``."""
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "VectorTiles"
        self.config = {
            "collection": collection,
            "url": TILE_URL.format(collection=collection),
            "property": value,
            "scale": scale,
            "upper": [float(u) for u in classes.upper],
            "colours": list(classes.colours),
            "missing": MISSING,
            "style": style,
            "fields": [f.__dict__ for f in fields],
            "locale": locale,
            "none": none,
        }


def load_sidecar(m: Any, collection: str) -> None:
    """Make the map load ``collection``'s features from static/ when opened from disk (a
    parser-blocking script written only for ``file:`` pages, so served maps never fetch it)."""
    src = f"{STATIC_PLACEHOLDER}/{sidecar_name(collection)}"
    loader = (
        '<script>if (location.protocol === "file:") '
        f"document.write('<script src=\"{src}\"><\\/script>');</script>"
    )
    m.get_root().header.add_child(Element(loader), name=f"tiles-{collection}")
