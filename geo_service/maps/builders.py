"""The four public maps: districts and social structure, infrastructure, offers, flats."""

from __future__ import annotations

from html import escape
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import FastMarkerCluster

from geo_service.maps.base import base_map, finish, labels, table
from geo_service.maps.labels import Labels
from geo_service.maps.legend import (
    BURDEN,
    GAPS,
    GOOD,
    MISSING,
    USE,
    Classes,
    Legend,
    count_classes,
    fixed_classes,
    palette,
    quantile_classes,
)
from geo_service.maps.tiles import Field, VectorTiles, load_sidecar, sidecar
from geo_service.scoring.profile import CategoryInfo, IndicatorInfo

UTILISATION_BOUNDS = (0.5, 0.8, 0.9, 1.0)  # share of the quota used: the factor falls from 0.8
GAPS_PANE = "gaps"  # the gap fill's own pane, below the offers
NOT_COUNTED = "#e3e3e3"  # districts without households: no gaps counted (not "none")


def year_of(d: gpd.GeoDataFrame) -> int | None:
    """The year the districts' figures are of (the latest indicator year)."""
    years = pd.to_numeric(d.get("year"), errors="coerce").dropna() if "year" in d else []
    return int(max(years)) if len(years) else None


def _tooltips(
    d: gpd.GeoDataFrame, indicators: list[IndicatorInfo], suppressed: str, small: str
) -> list[str]:
    """A district's figures in words and German numbers (the same on every district layer);
    a small number of placements is hidden with its utilisation (``small``)."""
    lab = labels()
    tips = []
    for _, r in d.iterrows():
        rows = {
            "Stadtteil" if lab.lang == "de" else "District": f"{r['name']} ({r['code']})",
            lab["status_class"]: lab.status_class(r.get("status_class"), suppressed),
        }
        if pd.notna(r.get("utilisation")):
            rows[lab["utilisation"]] = (
                f"{lab.percent(r['utilisation'])} ({r['placements']:.0f} / {r['capacity']:.0f})"
            )
        elif pd.notna(r.get("small_count")) and bool(r.get("small_count")):
            rows[lab["utilisation"]] = small
        for ind in indicators:
            value = r.get(ind.key)
            rows[lab.indicator(ind)] = suppressed if pd.isna(value) else lab.number(value)
        tips.append(table(rows))
    return tips


def _district_layer(
    d: gpd.GeoDataFrame, name: str, colours: list[str], tips: list[str], show: bool
) -> folium.GeoJson:
    """District polygons with a colour each, as a base layer (one choropleth at a time)."""
    layer = gpd.GeoDataFrame({"c": colours, "tip": tips}, geometry=d.geometry.values, crs=4326)
    return folium.GeoJson(
        layer.to_json(),
        name=name,
        overlay=False,
        show=show,
        style_function=lambda f: {
            "fillColor": f["properties"]["c"],
            "color": "#444",
            "weight": 0.8,
            "fillOpacity": 0.7,
        },
        highlight_function=lambda _: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    )


def districts_map(
    d: gpd.GeoDataFrame, indicators: list[IndicatorInfo], min_population: int, min_cell: int
) -> folium.Map:
    """Status class, utilisation and every indicator of the profile as switchable layers, each
    with its legend (title, unit, year); suppressed districts grey."""
    lab = labels()
    year = year_of(d)
    stand = lab.text("year", year=year) if year else ""
    suppressed = lab.text("suppressed", n=lab.number(min_population, 0))
    small = lab.text("small_count", n=min_cell)
    tips = _tooltips(d, indicators, suppressed, small)
    m = base_map(lab["districts"], d, d)
    legends: dict[Any, Legend] = {}
    status_colours = palette(BURDEN, 4)
    cls = [status_colours[int(c) - 1] if pd.notna(c) else MISSING for c in d["status_class"]]
    layer = _district_layer(d, lab["status_class"], cls, tips, True)
    items = [(c, lab.status_class(i + 1)) for i, c in enumerate(status_colours)]
    legends[layer] = Legend(lab["status_class"], stand, [*items, (MISSING, suppressed)])
    layer.add_to(m)
    util = d["utilisation"].astype(float)
    classes = fixed_classes(util.fillna(0).to_numpy(), UTILISATION_BOUNDS, USE)
    layer = _district_layer(d, lab["utilisation"], [classes.colour(v) for v in util], tips, False)
    legends[layer] = Legend(
        lab["utilisation"],
        lab["utilisation_unit"],
        [
            *classes.items(lab, 0.0, lambda v: lab.percent(v)),
            (MISSING, suppressed),
            (MISSING, small),
        ],
    )
    layer.add_to(m)
    for ind in indicators:
        values = d[ind.key].astype(float)
        classes = quantile_classes(values.tolist(), BURDEN)
        if ind.direction < 0:  # higher is better: the lowest values carry the darkest colour
            classes = Classes(classes.upper, list(reversed(classes.colours)))
        layer = _district_layer(
            d, lab.indicator(ind), [classes.colour(v) for v in values], tips, False
        )
        low = float(values.min()) if values.notna().any() else 0.0
        legends[layer] = Legend(
            lab.indicator(ind),
            stand,
            [*classes.items(lab, low, lab.number), (MISSING, suppressed)],
        )
        layer.add_to(m)
    return finish(m, legends, lines_on_top=True)


def infrastructure_map(
    cells: gpd.GeoDataFrame,
    amenities: gpd.GeoDataFrame,
    categories: list[CategoryInfo],
    d: gpd.GeoDataFrame,
) -> folium.Map:
    """H3 area scores and each amenity category's accessibility as switchable layers with
    their legends; amenities clustered; the title names the distance mode."""
    lab = labels()
    modes = sorted(set(cells.get("distance_mode", []))) or ["straight"]
    mode = ", ".join(lab[x] for x in modes)
    m = base_map(f"{lab['infrastructure']} – {lab['mode']}: {mode}", cells, d, canvas=True)
    legends: dict[Any, Legend] = {}
    locale = "de-DE" if lab.lang == "de" else "en-GB"

    def layer(key: str, scale: float, name: str, subtitle: str, show: bool) -> None:
        """One layer of the cells' vector tiles, coloured by ``key`` × ``scale``."""
        v = (cells[key] * scale).round(1)
        classes = quantile_classes(v.tolist(), GOOD)
        field = Field(key, name, 1, scale)
        geo = VectorTiles(
            name,
            "area_scores",
            key,
            classes,
            [field],
            {"fill": True, "fillOpacity": 0.6, "weight": 0, "stroke": False},
            locale=locale,
            none=str(lab["none"]),
            scale=scale,
            overlay=False,
            show=show,
        )
        low = float(v.min()) if len(v) else 0.0
        legends[geo] = Legend(name, subtitle, classes.items(lab, low, lab.number))
        geo.add_to(m)

    unit = f"{lab['score_unit']} · {lab['mode']}: {mode}"
    layer("score", 1.0, lab["score"], unit, True)
    shown = [c for c in categories if c.key in cells]
    for cat in shown:
        title = f"{lab.category(cat.key) if lab.lang != 'de' else cat.label}"
        layer(cat.key, 100.0, title, f"{lab['amenity_value']} {unit}", False)
    load_sidecar(m, "area_scores")
    keys = ["score", *(c.key for c in shown)]
    m.sidecars = {"area_scores": sidecar("area_scores", cells, keys)}  # type: ignore[attr-defined]
    points = [[round(p.y, 6), round(p.x, 6)] for p in amenities.geometry]
    cluster = FastMarkerCluster(points, name=lab["amenities"], show=False)
    cluster.add_to(m)
    return finish(m, legends, lines_on_top=True, hidden=[cluster])


def gaps_text(gaps: str, lab: Labels) -> str:
    """ "counselling: ti, so; ..." as "Beratung: Tigrinya (ti), Somali (so); ..."."""
    out = []
    for part in filter(None, (p.strip() for p in gaps.split(";"))):
        cat, _, langs = part.partition(":")
        names = ", ".join(lab.language(x.strip()) for x in langs.split(",") if x.strip())
        out.append(f"{lab.category(cat.strip())}: {names}")
    return "; ".join(out)


def gaps_layer(
    d: gpd.GeoDataFrame, gaps: pd.DataFrame, radius_km: float
) -> tuple[folium.GeoJson, Legend]:
    """Districts coloured by their number of coverage gaps (whole-number classes, darker the
    more), the gaps named in the tooltip; districts without households grey, saying that
    gaps are counted only where households live. Drawn in its own pane below the offers, so
    the markers stay on top and clickable."""
    lab = labels()
    g = d[["code", "name", "geom"]].merge(gaps, on="code", how="left")
    counted = g["n_gaps"].notna()
    km = lab.number(radius_km, 0)

    def tip(r: Any, counted: bool) -> str:
        """A district's gaps in words (or why it has none)."""
        if not counted:
            return f"<b>{escape(r['name'])}</b>: {escape(lab['no_households'])}"
        if not r["n_gaps"]:
            return f"<b>{escape(r['name'])}</b>: {escape(lab['no_gap'])}"
        names = escape(gaps_text(r["gaps"], lab))
        return f"<b>{escape(r['name'])}</b> – {escape(lab.text('gap_tip', km=km))}:<br>{names}"

    g["tip"] = [tip(r, c) for (_, r), c in zip(g.iterrows(), counted, strict=True)]
    classes = count_classes(g.loc[counted, "n_gaps"].astype(float).tolist(), GAPS)
    g["c"] = [
        classes.colour(v) if c else NOT_COUNTED for v, c in zip(g["n_gaps"], counted, strict=True)
    ]
    layer = gpd.GeoDataFrame(g[["c", "tip"]], geometry=g["geom"].values, crs=4326)
    name = lab.text("gaps", km=km)
    geo = folium.GeoJson(
        layer.to_json(),
        name=name,
        show=False,
        pane=GAPS_PANE,
        style_function=lambda f: {
            "fillColor": f["properties"]["c"],
            "color": "#444",
            "weight": 0.8,
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    )
    items = classes.items(lab, 0.0, lambda v: lab.number(v, 0))
    items[0] = (items[0][0], f"0 ({lab['no_gap']})")
    return geo, Legend(name, lab["gaps_unit"], [*items, (NOT_COUNTED, lab["no_households"])])


def offers_map(
    o: gpd.GeoDataFrame, d: gpd.GeoDataFrame, gaps: pd.DataFrame, radius_km: float
) -> folium.Map:
    """The catalogue: a layer per category (its colour in the legend) and per language (by
    name), popups in words, and the districts' coverage gaps (hidden until ticked)."""
    lab = labels()
    m = base_map(lab["offers"], d, d)
    # below the overlay pane (400) of the offers, above the base map's panes (150-160)
    folium.map.CustomPane(GAPS_PANE, z_index=300, pointer_events=True).add_to(m)
    gap_layer, gap_legend = gaps_layer(d, gaps, radius_km)
    gap_layer.add_to(m)
    legends: dict[Any, Legend] = {gap_layer: gap_legend}
    cats = sorted(o["category"].unique(), key=lab.category)
    colours = dict(zip(cats, palette("Paired", 12) * 2, strict=False))

    def marker(r: Any, colour: str) -> folium.CircleMarker:
        langs = [x.strip() for x in (r["languages"] or "").split(",") if x.strip()]
        popup = table(
            {
                lab["offer"]: r["name"],
                lab["category"]: lab.category(r["category"]),
                lab["provider"]: r["provider"],
                lab["languages"]: ", ".join(lab.language(x) for x in sorted(langs)),
                lab["interpreting"]: ("ja" if lab.lang == "de" else "yes")
                if r["interpreting"]
                else ("nein" if lab.lang == "de" else "no"),
                lab["hours"]: lab.hours(r["opening_hours"]),
                lab["capacity"]: lab.number(r["capacity_per_week"], 0),
            }
        )
        return folium.CircleMarker(
            [r["geom"].y, r["geom"].x],
            radius=6,
            color="#222",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.9,
            popup=folium.Popup(popup, max_width=380),
            tooltip=str(r["name"]),
        )

    for cat in cats:
        fg = folium.FeatureGroup(name=f"{lab['category']}: {lab.category(cat)}", show=True)
        for _, r in o[o["category"] == cat].iterrows():
            marker(r, colours[cat]).add_to(fg)
        legends[fg] = Legend("", "", [(colours[cat], lab.category(cat))])
        fg.add_to(m)
    langs = sorted({x.strip() for s in o["languages"].fillna("") for x in s.split(",") if x})
    for lang in sorted(langs, key=lab.language):
        fg = folium.FeatureGroup(name=f"{lab['language']}: {lab.language(lang)}", show=False)
        has = o["languages"].fillna("").str.contains(rf"\b{lang}\b")
        for _, r in o[has].iterrows():
            marker(r, "#ffffff").add_to(fg)
        legends[fg] = Legend("", "", [("#ffffff", f"{lab['offer']}: {lab.language(lang)}")])
        fg.add_to(m)
    return finish(m, legends)


def flats_map(f: gpd.GeoDataFrame, d: gpd.GeoDataFrame) -> folium.Map:
    """Available flats from the ``flats`` vector tiles, coloured by the infrastructure score
    of their H3 cell (classes in the legend), popups with the language's numbers and units."""
    lab = labels()
    m = base_map(lab["flats"], d, d, canvas=True)
    score = f["score"].astype(float).round(1)
    classes = quantile_classes(score.tolist(), GOOD)
    fields = [
        Field("id", lab["flat"], kind="text"),
        Field("rent_gross_cold_eur", lab["rent"], 2, unit="€"),
        Field("rooms", lab["rooms"], 1, least=0),
        Field("living_area_m2", lab["area"], 1, unit="m²"),
        Field("available_from", lab["available"], kind="date"),
        Field("score", lab["score"], 1),
    ]
    geo = VectorTiles(
        lab["flats"],
        "flats",
        "score",
        classes,
        fields,
        {"radius": 4, "fill": True, "fillOpacity": 0.95, "weight": 0.6, "color": "#333"},
        locale="de-DE" if lab.lang == "de" else "en-GB",
        none=str(lab["none"]),
    )
    geo.add_to(m)
    load_sidecar(m, "flats")
    m.sidecars = {"flats": sidecar("flats", f, [x.property for x in fields])}  # type: ignore[attr-defined]
    low = float(np.nanmin(score)) if score.notna().any() else 0.0
    legend = Legend(lab["score"], lab["score_unit"], classes.items(lab, low, lab.number))
    return finish(m, {geo: legend})
