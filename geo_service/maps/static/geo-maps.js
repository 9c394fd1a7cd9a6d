/* geo_service maps: the offline base layer, a legend per visible layer, the metric scale,
   overlap-free rank markers and the household form. Plain Leaflet 1.9, no network. */
(function () {
  "use strict";

  /* Streets and built-up land in greys only: every hue on a map belongs to its data (status
     classes, scores, categories), so the base map must not carry yellow, orange or purple. */
  var ROADS = [ // class, colour, casing, width, min zoom
    ["minor", "#ffffff", "#d2cec7", 2.2, 14],
    ["tertiary", "#ffffff", "#bbb7b0", 3, 12],
    ["secondary", "#ffffff", "#a6a29b", 3.4, 10],
    ["primary", "#ffffff", "#8c8882", 4, 0],
    ["motorway", "#d9d9d9", "#5f5f5f", 4.6, 0]
  ];
  var AREAS = { // fill colour, min zoom
    residential: ["#e4e0d8", 0], industrial: ["#d3d1ce", 0], green: ["#c8e0b4", 0],
    water: ["#a9cfe0", 0]
  };
  var WATERWAY = "#8cbfd6", RAIL = "#6f6f6f";
  var PLACE_ZOOM = {1: 0, 2: 0, 3: 11, 4: 13, 5: 14, 6: 15};

  function multi(coords, polygon, style, renderer) {
    var options = Object.assign({renderer: renderer, interactive: false}, style);
    return polygon ? L.polygon(coords.map(function (p) { return p.map(swapRing); }), options)
                   : L.polyline(coords.map(swapRing), options);
  }
  function swap(c) { return [c[1], c[0]]; }
  function swapRing(r) { return r.map(swap); }

  function byZoom(map, entries) {
    function update() {
      var z = map.getZoom();
      entries.forEach(function (e) {
        var on = z >= e.minZoom;
        if (on && !map.hasLayer(e.layer)) { e.layer.addTo(map); }
        if (!on && map.hasLayer(e.layer)) { map.removeLayer(e.layer); }
      });
    }
    map.on("zoomend", update);
    update();
  }

  function basemap(map, data, skipNames, linesOnTop) {
    if (!data) { return; }
    map.createPane("basemap").style.zIndex = 150;
    /* on choropleth maps streets, rail and water run above the coloured areas */
    var lines = map.createPane("basemapLines");
    lines.style.zIndex = linesOnTop ? 420 : 160;
    lines.style.pointerEvents = "none";
    if (linesOnTop) { lines.style.opacity = 0.75; }
    var rl = L.canvas({pane: "basemapLines", padding: 0.3});
    map.createPane("basemapLabels").style.zIndex = 350;
    map.getPane("basemapLabels").style.pointerEvents = "none";
    var r = L.canvas({pane: "basemap", padding: 0.3});
    var entries = [];
    Object.keys(AREAS).forEach(function (kind) {
      (data.areas[kind] || []).length && entries.push({minZoom: AREAS[kind][1], layer:
        multi(data.areas[kind], true, {stroke: false, fillColor: AREAS[kind][0], fillOpacity: 1}, r)});
    });
    if ((data.lines.waterway || []).length) {
      entries.push({minZoom: 0, layer: multi(data.lines.waterway, false, {color: WATERWAY, weight: 3}, rl)});
    }
    if ((data.lines.rail || []).length) {
      entries.push({minZoom: 0, layer: multi(data.lines.rail, false, {color: RAIL, weight: 3}, rl)});
      entries.push({minZoom: 0, layer: multi(data.lines.rail, false, {color: "#ffffff", weight: 1.5, dashArray: "6 6"}, rl)});
    }
    ROADS.forEach(function (road) {
      var lines = data.lines[road[0]] || [];
      if (!lines.length) { return; }
      entries.push({minZoom: road[4], layer: multi(lines, false, {color: road[2], weight: road[3] + 1.6, lineCap: "round"}, rl)});
      entries.push({minZoom: road[4], layer: multi(lines, false, {color: road[1], weight: road[3], lineCap: "round"}, rl)});
    });
    var skip = {};
    (skipNames || []).forEach(function (n) { skip[n.toLowerCase()] = true; });
    data.places.forEach(function (p) {
      if (skip[p.name.toLowerCase()]) { return; }
      entries.push({minZoom: PLACE_ZOOM[p.rank] || 14, layer: L.marker([p.lat, p.lon], {
        pane: "basemapLabels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "place-label place-rank-" + p.rank, html: p.name,
                         iconSize: null})})});
    });
    byZoom(map, entries);
  }

  /* The base map's key: a swatch for each kind of thing it draws (areas as fills, lines as
     strokes in their casing colour), in the map's language; nothing the data lack. */
  function basemapKey(data, names) {
    if (!data || !names) { return ""; }
    var roads = {}; ROADS.forEach(function (r) { roads[r[0]] = r; });
    var minorRoads = ["minor", "tertiary", "secondary", "primary"].filter(function (k) {
      return (data.lines[k] || []).length; });
    var items = [];
    function has(kind) { return (data.areas[kind] || []).length; }
    ["residential", "industrial", "green"].forEach(function (kind) {
      if (has(kind)) { items.push(["fill", AREAS[kind][0], names[kind]]); }
    });
    if (has("water") || (data.lines.waterway || []).length) {
      items.push(["fill", AREAS.water[0], names.water]);
    }
    function road(r, name) { items.push(["line", r[1], name, r[2]]); }
    if (minorRoads.length) { road(roads[minorRoads[minorRoads.length - 1]], names.roads); }
    if ((data.lines.motorway || []).length) { road(roads.motorway, names.motorway); }
    if ((data.lines.rail || []).length) { items.push(["rail", RAIL, names.rail]); }
    if (!items.length) { return ""; }
    return '<div class="legend-block legend-titled legend-basemap"><div class="legend-title">' +
      names.title + '</div>' + items.map(function (i) {
        var border = i[3] ? ';border:1px solid ' + i[3] : '';
        return '<div class="legend-item"><span class="swatch swatch-' + i[0] +
          '" style="background-color:' + i[1] + border + '"></span>' + i[2] + '</div>';
      }).join("") + '</div>';
  }

  function legends(map, byLayer, base) {
    var box = L.DomUtil.create("div", "map-legend leaflet-control");
    box.id = "map-legend";
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () { return box; };
    control.addTo(map);
    function update() {
      var html = "";
      Object.keys(byLayer).forEach(function (name) {
        var layer = window[name];
        if (layer && map.hasLayer(layer)) { html += byLayer[name]; }
      });
      html += base || "";
      box.innerHTML = html;
      box.style.display = html ? "" : "none";
    }
    map.on("layeradd layerremove baselayerchange overlayadd overlayremove", function () {
      window.clearTimeout(update.t); update.t = window.setTimeout(update, 0);
    });
    update();
  }

  /* Rank markers that overlap on screen are moved apart (a leader line keeps the place). */
  function declutter(map, markers, dots) {
    var size = 26;
    var lines = L.layerGroup().addTo(map);
    function place() {
      lines.clearLayers();
      var taken = [];
      markers.forEach(function (m, i) {
        var home = map.latLngToLayerPoint(m.home);
        var p = home, step = 0;
        while (taken.some(function (q) { return Math.abs(q.x - p.x) < size && Math.abs(q.y - p.y) < size; })) {
          step += 1;
          var angle = step * 2.4, dist = size * (0.9 + 0.25 * step);
          p = L.point(home.x + Math.cos(angle) * dist, home.y + Math.sin(angle) * dist);
        }
        taken.push(p);
        var at = map.layerPointToLatLng(p);
        m.setLatLng(at);
        if (step) { L.polyline([m.home, at], {color: "#3f007d", weight: 1.5, interactive: false}).addTo(lines); }
      });
    }
    markers.forEach(function (m) { m.home = m.getLatLng(); });
    map.on("zoomend viewreset", place);
    place();
  }

  /* Popups open clear of the title and the household form, which float over the map:
     autopan keeps that room at the top left, and a popup taller than the room left scrolls
     instead of running under them. (Folium's popups copy Leaflet's defaults when they are
     made, so each one is given the room as it opens and laid out again.) */
  function popupRoom(map) {
    map.on("popupopen", function (e) {
      var box = map.getContainer().getBoundingClientRect();
      var title = document.getElementById("map-title");
      var panel = document.getElementById("household-panel");
      var top = title ? title.getBoundingClientRect().bottom - box.top + 10 : 5;
      var left = panel ? panel.getBoundingClientRect().right - box.left + 10 : 5;
      var room = [Math.max(left, 5), Math.max(top, 5)];
      var maxHeight = Math.max(box.height - room[1] - 60, 120);
      var o = e.popup.options;
      if (String(o.autoPanPaddingTopLeft) !== String(room) || o.maxHeight !== maxHeight) {
        o.autoPanPaddingTopLeft = room;
        o.maxHeight = maxHeight;
        e.popup.update();
      }
    });
  }

  /* The household form: builds the profile JSON and opens /maps/household?household=... */
  function householdForm(form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = form.elements;
      var ages = f.children_ages.value.split(/[,;\s]+/).filter(Boolean).map(Number);
      var pick = function (name) {
        return Array.prototype.filter.call(form.querySelectorAll("[name=" + name + "]"),
          function (e) { return e.checked || e.selected; }).map(function (e) { return e.value; });
      };
      var languages = Array.prototype.map.call(f.languages.selectedOptions, function (o) { return o.value; });
      var d = f.move_in.value.trim().match(/^(\d{1,2})\.(\d{1,2})\.(\d{4})$/);
      var moveIn = d ? d[3] + "-" + ("0" + d[2]).slice(-2) + "-" + ("0" + d[1]).slice(-2)
                     : f.move_in.value.trim();
      var household = {size: Number(f.size.value), children_ages: ages, languages: languages,
                       needs: pick("needs"), move_in: moveIn};
      window.location.search = "?household=" + encodeURIComponent(JSON.stringify(household));
    });
  }

  window.GeoMaps = {
    setup: function (map, config) {
      (config.hidden || []).forEach(function (n) { map.removeLayer(window[n]); });
      L.control.scale({metric: true, imperial: false, maxWidth: 150}).addTo(map);
      popupRoom(map);
      basemap(map, window.GEO_BASEMAP, config.districtNames, config.linesOnTop);
      legends(map, config.legends || {}, basemapKey(window.GEO_BASEMAP, config.basemapNames));
      if (config.ranks) {
        declutter(map, config.ranks.map(function (n) { return window[n]; }));
      }
      if (config.fit) {
        map.fitBounds(config.fit, {paddingTopLeft: map.options.fitPadding || [60, 120],
                                   paddingBottomRight: [60, 60], maxZoom: 15});
      }
      var form = document.getElementById("household-form");
      if (form) { householdForm(form); }
    }
  };
})();
