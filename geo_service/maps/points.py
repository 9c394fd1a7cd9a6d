"""Many points as one compact map layer: one array in the page, circle markers on the map's
canvas, the popup built when a point is clicked (no GeoJSON, no popup per point).

Ten thousand flats as GeoJSON with a popup each made a 2.6 MB page that took about three
seconds to load; as rows of rounded coordinates, a colour number and the popup's texts the
layer is a fraction of that and draws in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from folium.map import Layer
from jinja2 import Template

# Decimal places of longitude and latitude kept: 5 is about a metre, finer than a marker.
COORD_DECIMALS = 5


class CompactPoints(Layer):
    """Circle markers from rows of (lat, lon, colour, popup texts); the popup is a table of
    ``labels`` and the row's texts, built on click and escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var data = {{ this.data|tojson }};
          var map = {{ this._parent.get_name() }};
          var group = L.featureGroup();
          var escape = function (s) {
            return String(s).replace(/[&<>"]/g, function (c) {
              return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
            });
          };
          data.rows.forEach(function (r, i) {
            group.addLayer(L.circleMarker([r[0], r[1]], Object.assign(
              {fillColor: data.colours[r[2]], point: i}, data.style)));
          });
          group.on("click", function (e) {
            var r = data.rows[e.layer.options.point], html = "";
            data.labels.forEach(function (label, k) {
              html += "<tr><th>" + escape(label) + "</th><td>" + escape(r[k + 3]) + "</td></tr>";
            });
            L.popup().setLatLng(e.layer.getLatLng())
              .setContent("<table>" + html + "</table>").openOn(map);
          });
          return group.addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        name: str,
        lat: Sequence[float],
        lon: Sequence[float],
        colours: Sequence[str],
        labels: Sequence[str],
        texts: Sequence[Sequence[str]],
        style: dict[str, Any],
    ) -> None:
        """Points at ``lat``/``lon`` filled with ``colours`` (one per point), popups of
        ``labels`` and each point's ``texts`` (same order), drawn with ``style``."""
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CompactPoints"
        palette = sorted(set(colours))
        number = {c: i for i, c in enumerate(palette)}
        self.data = {
            "colours": palette,
            "labels": list(labels),
            "style": style,
            "rows": [
                [round(float(y), COORD_DECIMALS), round(float(x), COORD_DECIMALS), number[c], *t]
                for y, x, c, t in zip(lat, lon, colours, texts, strict=True)
            ],
        }
