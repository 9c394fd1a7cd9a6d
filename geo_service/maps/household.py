"""The household ranking map: a form for the profile, the ranked flats (kept apart on screen,
zoomed to), their explanations in words and what is within reach of the best flat."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import folium
import geopandas as gpd
from pydantic import ValidationError

from geo_service.i18n.languages import language_problem
from geo_service.maps.base import base_map, finish, labels, table
from geo_service.maps.labels import Labels
from geo_service.maps.legend import RANK, Legend, palette
from geo_service.scoring.household import Household
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import RankedFlat

REACH_COLOURS = palette("Blues", 2)  # largest area first, drawn below the smaller
TRANSIT_COLOURS = palette("Oranges", 2)  # bus and walk: 30 min below 15 min
REACH_M = (500.0, 1000.0)
FORM_STYLE = """<style>
#household-panel{position:fixed;top:86px;left:60px;z-index:999;background:#fff;width:250px;
 padding:8px 10px;border-radius:4px;font:13px "DejaVu Sans",Arial,sans-serif;
 box-shadow:0 1px 4px rgba(0,0,0,.3)}
#household-panel label{display:block;margin-top:5px}
#household-panel input[type=number],#household-panel input[type=text],
#household-panel input[type=date],#household-panel select{width:100%;box-sizing:border-box}
#household-panel .need{display:block;font-weight:normal;margin:1px 0}
#household-error{color:#a50f15;background:#fee;padding:4px 6px;margin:4px 0;border-radius:3px}
.rank-marker{background:#54278f;color:#fff;border:2px solid #fff;border-radius:50%;width:22px;
 height:22px;text-align:center;font:bold 12px/22px "DejaVu Sans",Arial,sans-serif;
 box-shadow:0 1px 3px rgba(0,0,0,.5);transform:translate(-50%,-50%)}
</style>"""

# a code quoted in a message: German („xx“) or English ('xx', “xx”)


def describe(household: dict[str, Any], lab: Labels) -> str:
    """A household profile in words for the title (the non-identifying fields only)."""
    ages = ", ".join(map(str, household.get("children_ages") or []))
    langs = ", ".join(lab.language(x) for x in household.get("languages") or [])
    needs = ", ".join(lab.need(x) for x in household.get("needs") or [])
    parts = [f"{household['size']} {lab['persons']}"]
    parts += [f"{lab['children']}: {ages}"] if ages else []
    parts += [langs] if langs else []
    parts += [needs] if needs else []
    return " · ".join([*parts, f"{lab['move_in']} {lab.date(household.get('move_in'))}"])


def form_html(
    lab: Labels,
    profile: ScoringProfile,
    languages: Sequence[str],
    household: dict[str, Any] | None,
    errors: Sequence[str],
) -> str:
    """The household form (prefilled), with the errors of the last try in the page's language."""
    h = household or {}
    chosen = set(h.get("languages") or [])
    options = "".join(
        f'<option value="{escape(c)}"{" selected" if c in chosen else ""}>'
        f"{escape(lab.language(c))}</option>"
        for c in sorted(set(languages) | chosen, key=lab.language)
    )
    needs = "".join(
        f'<label class="need"><input type="checkbox" name="needs" value="{escape(n)}"'
        f"{' checked' if n in (h.get('needs') or []) else ''}> {escape(lab.need(n))}</label>"
        for n in profile.needs
    )
    error = "".join(f"<div>{escape(e)}</div>" for e in errors)
    ages = ", ".join(map(str, h.get("children_ages") or []))
    size = escape(str(h.get("size", "")))
    try:
        move_in = lab.date(h["move_in"]) if h.get("move_in") else ""
    except ValueError:
        move_in = str(h["move_in"])
    return (
        f'<div id="household-panel"><b>{escape(lab["household_form"])}</b>'
        + (f'<div id="household-error" role="alert">{error}</div>' if errors else "")
        + f'<form id="household-form" method="get" action="">'
        f'<label>{escape(lab["size"])}<input type="number" name="size" min="1" max="20" '
        f'value="{size}" required></label>'
        f'<label>{escape(lab["children"])}<input type="text" name="children_ages" '
        f'value="{escape(ages)}" placeholder="{escape(lab["children_hint"])}"></label>'
        f'<label>{escape(lab["languages"])}<select name="languages" multiple size="4">'
        f"{options}</select></label>"
        f"<label>{escape(lab['needs'])}</label>{needs}"
        f'<label>{escape(lab["move_in"])}<input type="text" name="move_in" '
        f'value="{escape(move_in)}" placeholder="{escape(lab["date_hint"])}" required></label>'
        f'<p><button type="submit">{escape(lab["show_ranking"])}</button></p></form></div>'
    )


def household_errors(data: Any, profile: ScoringProfile, lab: Labels) -> list[str]:
    """What is wrong with a household profile, in the page's language (empty when valid)."""
    fields, errs = lab["fields"], lab["errors"]
    if not isinstance(data, dict):
        return [f"{fields['household']}: {errs['invalid']}"]
    try:
        household = Household.model_validate(data)
    except ValidationError as exc:
        return [_message(e, fields, errs) for e in exc.errors()]
    return [
        f"{fields['needs']}: {errs['unknown_need'].format(value=n)}"
        for n in household.needs
        if n not in profile.needs
    ]


def _message(err: Any, fields: dict[str, str], errs: dict[str, str]) -> str:
    """One pydantic error in words: the field's label and what is wrong."""
    loc = [str(p) for p in err["loc"]]
    field = fields.get(loc[0], loc[0]) if loc else fields["household"]
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        what = errs["missing"]
    elif loc[:1] == ["children_ages"] and kind in ("greater_than_equal", "less_than_equal"):
        what = errs["child_age"]
    elif kind == "greater_than_equal":
        what = errs["too_small"].format(min=ctx.get("ge"))
    elif kind == "less_than_equal":
        what = errs["too_big"].format(max=ctx.get("le"))
    elif kind == "too_short" and loc[:1] == ["languages"]:
        what = errs["no_language"]
    elif kind.startswith("int_"):
        what = errs["not_a_number"]
    elif kind.startswith("date") or loc[:1] == ["move_in"]:  # dates.py's own value errors too
        what = errs["not_a_date"]
    elif loc[:1] == ["languages"] and kind == "value_error":  # the unknown code, by name
        codes = err.get("input") if isinstance(err.get("input"), list) else []
        bad = next((str(c) for c in codes if language_problem(str(c))), "")
        what = errs["not_a_language"].format(value=bad)
    elif not loc and kind == "value_error":  # the household's one rule across fields
        field, what = fields["children_ages"], errs["no_adult"]
    else:
        what = errs["invalid"]
    return f"{field}: {what}"


def _popup(r: RankedFlat, lab: Labels, address: str | None, categories: dict[str, str]) -> str:
    """A ranked flat's explanation in words and German numbers."""
    best = sorted(r.contributions.items(), key=lambda kv: -kv[1])[:5]
    rows: dict[str, Any] = {
        lab["rank"]: r.rank,
        lab["flat"]: f"{r.flat_id}" + (f", {address}" if address else ""),
        lab["placement"]: lab.number(r.placement_score),
        lab["score"]: lab.number(r.infrastructure_score),
        lab["factor"]: f"{lab.number(r.district.factor, 2)} ({r.district.name})",
        lab["mode"]: lab[r.distance_mode] + (f" ({lab['unreachable']})" if r.unreachable else ""),
    }
    rows |= {
        categories.get(k, lab.category(k)): f"+{lab.number(v)} {lab['points']}" for k, v in best
    }
    for k, places in list(r.nearest.items())[:6]:
        if places:
            name = categories.get(k, lab.category(k))
            rows[f"{lab['nearest']}: {name}"] = (
                f"{places[0].name} ({lab.metres(places[0].distance_m)})"
            )
    return table(rows)


def reach_layers(
    best: tuple[float, float] | None, isochrones: gpd.GeoDataFrame | None, lab: Labels
) -> list[tuple[folium.Element, str, str]]:
    """What lies within 500 m and 1,000 m of rank 1, measured as the ranking measured: walking
    isochrones over the network, or straight-line circles."""
    out: list[tuple[folium.Element, str, str]] = []
    if isochrones is not None:
        for i, (limit, geom) in enumerate(
            zip(isochrones["limit_m"], isochrones.geometry, strict=True)
        ):
            name = lab.text("reach_network", m=lab.number(limit, 0))
            c = REACH_COLOURS[i % 2]
            layer = folium.GeoJson(
                gpd.GeoSeries([geom], crs=4326).to_json(),
                name=name,
                style_function=lambda _, c=c: {"color": c, "weight": 0, "fillOpacity": 0.3},
                interactive=False,
            )
            out.append((layer, name, c))
    elif best is not None:
        for i, limit in enumerate(sorted(REACH_M, reverse=True)):
            name = lab.text("reach_straight", m=lab.number(limit, 0))
            c = REACH_COLOURS[i % 2]
            fg = folium.FeatureGroup(name=name)
            folium.Circle(
                [best[1], best[0]],
                radius=limit,
                color=c,
                weight=1,
                fill=True,
                fill_color=c,
                fill_opacity=0.25,
                interactive=False,
            ).add_to(fg)
            out.append((fg, name, c))
    return out


def transit_layers(
    areas: gpd.GeoDataFrame | None, lab: Labels
) -> list[tuple[folium.Element, str, str]]:
    """What lies within 15 and 30 minutes of rank 1 by bus and on foot (median departure of
    the profile's window), under the walking areas."""
    out: list[tuple[folium.Element, str, str]] = []
    if areas is None:
        return out
    rows = zip(areas["limit_min"], areas["window"], areas.geometry, strict=True)
    for i, (limit, window, geom) in enumerate(rows):
        name = lab.text("reach_transit", min=lab.number(limit, 0), window=window)
        c = TRANSIT_COLOURS[i % 2]
        layer = folium.GeoJson(
            gpd.GeoSeries([geom], crs=4326).to_json(),
            name=name,
            style_function=lambda _, c=c: {"color": c, "weight": 1, "fillOpacity": 0.18},
            interactive=False,
        )
        out.append((layer, name, c))
    return out


def household_map(
    results: list[RankedFlat],
    f: gpd.GeoDataFrame,
    d: gpd.GeoDataFrame,
    household: dict[str, Any] | None,
    profile: ScoringProfile,
    isochrones: gpd.GeoDataFrame | None = None,
    form: Sequence[str] | None = None,
    errors: Sequence[str] = (),
    transit: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The top flats numbered by rank (moved apart where they would overlap), zoomed to; the
    distance mode named the same in title and layers; ``form`` (the languages to offer) adds
    the household form."""
    lab = labels()
    categories = {c.key: c.label for c in profile.category_list()} if lab.lang == "de" else {}
    mode = profile.distance_mode if not results else results[0].distance_mode
    title = lab["household"]
    if household is not None and not errors:
        title += f": {describe(household, lab)}"
    m = base_map(f"{title} – {lab['mode']}: {lab[mode]}", d, d)
    m.options["fitPadding"] = [330 if form is not None else 60, 120]
    root: Any = m.get_root()
    root.header.add_child(folium.Element(FORM_STYLE), name="household-style")
    if form is not None:
        root.html.add_child(folium.Element(form_html(lab, profile, form, household, errors)))
    where = f.set_index("id")
    legends: dict[Any, Legend] = {}
    first = where.geometry.get(results[0].flat_id) if results else None
    reach = reach_layers(
        (first.x, first.y) if first is not None and mode == "straight" else None,
        isochrones if mode == "network" else None,
        lab,
    )
    for layer, name, colour in [*transit_layers(transit, lab), *reach]:
        layer.add_to(m)
        legends[layer] = Legend("", "", [(colour, name)])
    ranked = household is not None and not errors
    if results:
        name, note, items = lab.text("ranked", n=len(results)), "", [(RANK, lab["rank"])]
    else:  # no "Rang 1–0": say why there is no ranking
        name = lab["ranked_none"] if ranked else lab["ranked_not_yet"]
        note, items = ("" if ranked else lab["household_empty"]), []
    fg = folium.FeatureGroup(name=name)
    markers = []
    for r in results:
        p = where.geometry[r.flat_id]
        address = where["address"].get(r.flat_id) if "address" in where else None
        folium.CircleMarker(
            [p.y, p.x], radius=3, color="#3f007d", fill=True, fill_opacity=1, weight=1
        ).add_to(fg)
        marker = folium.Marker(
            [p.y, p.x],
            popup=folium.Popup(_popup(r, lab, address, categories), max_width=420),
            tooltip=f"{lab['rank']} {r.rank}: {r.flat_id}",
            icon=folium.DivIcon(icon_size=(0, 0), html=f'<div class="rank-marker">{r.rank}</div>'),
        )
        marker.add_to(fg)
        markers.append(marker)
    fg.add_to(m)
    legends[fg] = Legend(name, note or f"{lab['mode']}: {lab[mode]}", items)
    fit = None
    if results:
        pts = gpd.GeoSeries([where.geometry[r.flat_id] for r in results], crs=4326)
        x0, y0, x1, y1 = pts.total_bounds
        fit = [[y0, x0], [y1, x1]]
    return finish(m, legends, ranks=markers, fit=fit)
