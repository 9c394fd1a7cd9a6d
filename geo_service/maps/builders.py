"""The five planners' maps: districts, infrastructure, offers, flats, household ranking."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
from folium.plugins import FastMarkerCluster

from geo_service.maps.base import base_map, colour, finish, labels, table
from geo_service.scoring.profile import CategoryInfo, IndicatorInfo
from geo_service.scoring.results import RankedFlat

CLASS_COLOURS = {1: "#1a9850", 2: "#a6d96a", 3: "#fdae61", 4: "#d7191c"}
ISOCHRONE_COLOURS = ("#9ecae1", "#3182bd")  # largest area first, drawn below the smaller


def _fmt(v: Any, pattern: str = "{}") -> str:
    """A figure for display, or the suppression label."""
    return labels()["suppressed"] if v is None or v != v else pattern.format(v)


def indicator_title(ind: IndicatorInfo) -> str:
    """An indicator's label with its unit, as layer names and tooltips show it."""
    return f"{ind.label} ({ind.unit})" if ind.unit else ind.label


def _district_layer(
    d: gpd.GeoDataFrame,
    name: str,
    fill: Any,
    show: bool,
    indicators: list[IndicatorInfo],
) -> folium.GeoJson:
    """District polygons coloured by ``fill(properties)`` with a tooltip of the figures."""
    lab = labels()
    props = d.drop(columns="geom").copy()
    keys = [i.key for i in indicators]
    props["tip"] = [
        table(
            {
                "": f"{r['name']} ({r['code']})",
                lab["status_class"]: _fmt(r["status_class"], "{:.0f}"),
                lab["utilisation"]: _fmt(r["utilisation"], "{:.0%}"),
                **{indicator_title(i): _fmt(r[i.key], "{:.1f}") for i in indicators},
            }
        )
        for _, r in props.iterrows()
    ]
    layer = gpd.GeoDataFrame(
        props[["code", "name", "tip", "status_class", "utilisation", *keys]],
        geometry=d.geometry.values,
        crs=4326,
    )
    return folium.GeoJson(
        layer.to_json(na="null"),
        name=name,
        show=show,
        style_function=lambda f: {
            "fillColor": fill(f["properties"]),
            "color": "#333",
            "weight": 1,
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    )


def districts_map(d: gpd.GeoDataFrame, indicators: list[IndicatorInfo]) -> folium.Map:
    """Status class choropleth, utilisation and each of the profile's indicators as layers
    (label and unit), district names, tooltips."""
    lab = labels()
    legend = [(CLASS_COLOURS[c], n) for c, n in zip(range(1, 5), lab["class_names"], strict=True)]
    m = base_map(lab["districts"], d, [*legend, ("#bdbdbd", lab["suppressed"])])
    cls = lambda p: CLASS_COLOURS.get(p["status_class"] or 0, "#bdbdbd")  # noqa: E731
    _district_layer(d, lab["status_class"], cls, True, indicators).add_to(m)
    util = lambda p: colour(p["utilisation"], 0, 1, reverse=True)  # noqa: E731
    _district_layer(d, lab["utilisation"], util, False, indicators).add_to(m)
    for ind in indicators:
        values = d[ind.key]
        lo = float(values.min()) if values.notna().any() else 0.0
        hi = float(values.max()) if values.notna().any() else 1.0
        # more burden is red: a direction of -1 (higher is better) turns the scale round
        fn = lambda p, k=ind.key, a=lo, b=hi, r=ind.direction > 0: colour(  # noqa: E731
            p[k], a, b if b > a else a + 1, reverse=r
        )
        _district_layer(d, indicator_title(ind), fn, False, indicators).add_to(m)
    names = folium.FeatureGroup(name="Namen", show=True)
    for _, r in d.iterrows():
        c = r["geom"].representative_point()
        # not interactive: labels must not catch the pointer meant for the polygons
        folium.Marker(
            [c.y, c.x],
            interactive=False,
            icon=folium.DivIcon(
                class_name="label-icon",
                html=f'<div class="district-label" style="font:10px sans-serif;'
                f'pointer-events:none">{r["name"]}</div>',
            ),
        ).add_to(names)
    names.add_to(m)
    return finish(m)


def infrastructure_map(
    cells: gpd.GeoDataFrame, amenities: gpd.GeoDataFrame, categories: list[CategoryInfo]
) -> folium.Map:
    """H3 area scores, a layer per amenity category of the profile (its label), amenities
    clustered; the title names the distance mode the scores were computed with."""
    lab = labels()
    modes = sorted(set(cells.get("distance_mode", []))) or ["straight"]
    m = base_map(
        f"{lab['infrastructure']} ({lab['mode']}: {', '.join(lab.get(x, x) for x in modes)})",
        cells,
        [(colour(v), f"{lab['score']} {v}") for v in (90, 70, 50, 30, 10)],
        canvas=True,
    )
    hexes = shapely.set_precision(cells.geometry.to_numpy(), 1e-5)  # ~1 m is plenty for cells

    def layer(column: str, name: str, show: bool, scale: float) -> folium.GeoJson:
        """One GeoJSON layer carrying only ``column`` (keeps the file small)."""
        gj = gpd.GeoDataFrame(
            {"v": (cells[column] * scale).round(1)}, geometry=hexes, crs=4326
        ).to_json()
        return folium.GeoJson(
            gj,
            name=name,
            show=show,
            style_function=lambda f: {
                "fillColor": colour(f["properties"]["v"]),
                "weight": 0,
                "fillOpacity": 0.55,
            },
            tooltip=folium.GeoJsonTooltip(fields=["v"], aliases=[name]),
        )

    layer("score", lab["score"], True, 1.0).add_to(m)
    for cat in (c for c in categories if c.key in cells):
        layer(cat.key, cat.label, False, 100.0).add_to(m)
    points = [[round(p.y, 6), round(p.x, 6)] for p in amenities.geometry]
    FastMarkerCluster(points, name=lab["amenities"], show=False).add_to(m)
    return finish(m)


def gaps_layer(d: gpd.GeoDataFrame, gaps: pd.DataFrame, radius_km: float) -> folium.GeoJson:
    """Districts coloured by their number of coverage gaps, the gaps listed in the tooltip."""
    lab = labels()
    g = d[["code", "name", "geom"]].merge(gaps, on="code", how="left")
    g["n_gaps"] = g["n_gaps"].fillna(0).astype(int)
    km = f"{radius_km:g}"
    g["tip"] = [
        f"{r['name']} – {lab['gap_tip'].format(km=km)}: {r['gaps']}"
        if r["n_gaps"]
        else f"{r['name']}: {lab['no_gap']}"
        for _, r in g.iterrows()
    ]
    worst = max(int(g["n_gaps"].max()), 1)
    layer = gpd.GeoDataFrame(g[["code", "n_gaps", "tip"]], geometry=g["geom"].values, crs=4326)
    return folium.GeoJson(
        layer.to_json(),
        name=lab["gaps"].format(km=km),
        show=False,
        style_function=lambda f: {
            "fillColor": colour(f["properties"]["n_gaps"], 0, worst, reverse=True),
            "color": "#333",
            "weight": 1,
            "fillOpacity": 0.5,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    )


def offers_map(
    o: gpd.GeoDataFrame, d: gpd.GeoDataFrame, gaps: pd.DataFrame, radius_km: float
) -> folium.Map:
    """The catalogue: a layer per category and per language, popups with the details, and
    the districts' coverage gaps (hidden until ticked)."""
    lab = labels()
    m = base_map(lab["offers"], o, [("#2c7fb8", lab["offers"])])
    gaps_layer(d, gaps, radius_km).add_to(m)

    def marker(r: Any) -> folium.CircleMarker:
        popup = table(
            {
                "": r["name"],
                lab["provider"]: r["provider"],
                lab["languages"]: r["languages"],
                lab["hours"]: r["opening_hours"],
                lab["capacity"]: r["capacity_per_week"],
            }
        )
        return folium.CircleMarker(
            [r["geom"].y, r["geom"].x],
            radius=6,
            color="#2c7fb8",
            fill=True,
            fill_opacity=0.8,
            popup=folium.Popup(popup),
        )

    for cat, group in o.groupby("category"):
        fg = folium.FeatureGroup(name=f"{lab['category']}: {cat}", show=True)
        for _, r in group.iterrows():
            marker(r).add_to(fg)
        fg.add_to(m)
    langs = sorted({x.strip() for s in o["languages"].fillna("") for x in s.split(",") if x})
    for lang in langs:
        fg = folium.FeatureGroup(name=f"{lab['language']}: {lang}", show=False)
        for _, r in o[o["languages"].fillna("").str.contains(rf"\b{lang}\b")].iterrows():
            marker(r).add_to(fg)
        fg.add_to(m)
    return finish(m)


def flats_map(f: gpd.GeoDataFrame, d: gpd.GeoDataFrame) -> folium.Map:
    """Available flats coloured by the infrastructure score of their H3 cell; boundaries."""
    lab = labels()
    legend = [(colour(v), f"{lab['score']} {v}") for v in (90, 70, 50, 30, 10)]
    m = base_map(lab["flats"], d, legend, canvas=True)
    folium.GeoJson(
        d[["code", "name", "geom"]].to_json(),
        name=lab["boundaries"],
        style_function=lambda _: {"fill": False, "color": "#555", "weight": 1},
    ).add_to(m)
    fields = ["id", "rent_gross_cold_eur", "rooms", "living_area_m2", "available_from", "score"]
    aliases = ["", lab["rent"], lab["rooms"], lab["area"], lab["available"], lab["score"]]
    # Plain properties; the popup table is built in the browser (keeps 10,000 flats small).
    layer = gpd.GeoDataFrame(f[fields], geometry=f.geometry.values, crs=4326)
    folium.GeoJson(
        layer.to_json(na="null", drop_id=True),
        name=lab["flats"],
        marker=folium.CircleMarker(radius=4, fill=True, fill_opacity=0.9, weight=0),
        style_function=lambda x: {"fillColor": colour(x["properties"]["score"])},
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
    ).add_to(m)
    return finish(m)


def describe(household: dict[str, Any]) -> str:
    """A household profile in words for a map title (the non-identifying fields only)."""
    lab = labels()
    parts = [
        f"{household['size']} {lab['persons']}",
        f"{lab['children']}: {', '.join(map(str, household.get('children_ages') or [])) or '–'}",
        f"{lab['languages']}: {', '.join(household.get('languages') or []) or '–'}",
        f"{lab['needs']}: {', '.join(household.get('needs') or []) or '–'}",
        f"{lab['move_in']} {household.get('move_in', '–')}",
    ]
    return " · ".join(parts)


def household_map(
    results: list[RankedFlat],
    f: gpd.GeoDataFrame,
    d: gpd.GeoDataFrame,
    household: dict[str, Any],
    isochrones: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The top flats numbered by rank with explanation, nearest places and district factor;
    the distance mode in the title and, if given, walking isochrones around the best flat."""
    lab = labels()
    modes = sorted({r.distance_mode for r in results}) or ["straight"]
    mode = ", ".join(lab.get(x, x) for x in ",".join(modes).split(","))
    legend = [("#6a51a3", lab["rank"])]
    if isochrones is not None:
        legend += [
            (ISOCHRONE_COLOURS[i], f"{lab['isochrone']} {v:.0f} m")
            for i, v in enumerate(isochrones["limit_m"])
        ]
    m = base_map(f"{lab['household']}: {describe(household)} ({lab['mode']}: {mode})", d, legend)
    if isochrones is not None:
        for i, (limit, geom) in enumerate(
            zip(isochrones["limit_m"], isochrones.geometry, strict=True)
        ):
            colour_i = ISOCHRONE_COLOURS[i]
            folium.GeoJson(
                gpd.GeoSeries([geom], crs=4326).to_json(),
                name=f"{lab['isochrone']} {limit:.0f} m",
                style_function=lambda _, c=colour_i: {"color": c, "weight": 0, "fillOpacity": 0.25},
            ).add_to(m)
    folium.GeoJson(
        d[["code", "name", "geom"]].to_json(),
        name=lab["boundaries"],
        style_function=lambda _: {"fill": False, "color": "#555", "weight": 1},
    ).add_to(m)
    where = f.set_index("id").geometry
    fg = folium.FeatureGroup(name=lab["rank"])
    for r in results:
        p = where[r.flat_id]
        best = sorted(r.contributions.items(), key=lambda kv: -kv[1])[:5]
        nearest = {k: f"{v[0].name} ({v[0].distance_m:.0f} m)" for k, v in r.nearest.items() if v}
        popup = table(
            {
                lab["rank"]: r.rank,
                "": r.flat_id,
                "placement": r.placement_score,
                lab["score"]: r.infrastructure_score,
                lab["factor"]: f"{r.district.factor} ({r.district.name})",
                lab["mode"]: lab.get(r.distance_mode, r.distance_mode)
                + (f" ({lab['unreachable']})" if r.unreachable else ""),
                **{k: f"+{v}" for k, v in best},
                **dict(list(nearest.items())[:6]),
            }
        )
        folium.Marker(
            [p.y, p.x],
            popup=folium.Popup(popup, max_width=400),
            icon=folium.DivIcon(
                html=f'<div class="rank-marker" style="background:#6a51a3;color:white;'
                f"border-radius:50%;width:22px;height:22px;text-align:center;"
                f'font:bold 12px/22px sans-serif">{r.rank}</div>'
            ),
        ).add_to(fg)
    fg.add_to(m)
    return finish(m)
