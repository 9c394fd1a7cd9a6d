"""The maps in a real headless Chromium, read as a planner reads them: offline from disk, a
base map with place names, district outlines and names on every map, a legend that follows
the visible layer, German words and numbers instead of codes, a metric scale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine

from geo_service.catalogue.service import coverage, public_rows
from geo_service.maps import data
from geo_service.maps import household as household_page
from geo_service.scoring.profile import ScoringProfile
from tests.maps.conftest import HOUSEHOLD, leaflet_map, open_offline, raw_keys

REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']https?://""", re.IGNORECASE)
MAPS = ["districts", "infrastructure", "offers", "flats", "household"]


DATA_LEGEND = "#map-legend .legend-block:not(.legend-basemap)"  # not the base map's key


def legend_titles(page: Page) -> list[str]:
    """The titles of the legend blocks shown for the data layers."""
    return [t.strip() for t in page.locator(f"{DATA_LEGEND} .legend-title").all_inner_texts()]


def base_layers(page: Page) -> list[str]:
    """Names of the layer control's radio (one-at-a-time) layers."""
    return [t.strip() for t in page.locator(".leaflet-control-layers-base label").all_inner_texts()]


@pytest.mark.parametrize("name", MAPS)
def test_map_works_offline(browser: Browser, rendered: dict[str, Path], name: str) -> None:
    """No remote asset, no console error, no failed request; title, legend, metric scale,
    layer control, fullscreen; the base layer's script loaded."""
    html = rendered[name].read_text(encoding="utf-8")
    assert not REMOTE.search(html)
    page, errors, failed = open_offline(browser, rendered[name])
    assert errors == [] and failed == []
    assert page.locator(".leaflet-container").count() == 1
    for selector in (
        "#map-title",
        "#map-legend",
        ".leaflet-control-layers",
        ".leaflet-control-zoom-fullscreen",
    ):
        assert page.locator(selector).count() == 1, selector
    assert page.evaluate("window.GEO_BASEMAP !== null && window.GEO_BASEMAP.places.length") > 0
    assert "illustrati" in page.locator(".leaflet-control-attribution").inner_text().lower()
    page.close()


@pytest.mark.parametrize("name", MAPS)
def test_scale_bar_is_metric(browser: Browser, rendered: dict[str, Path], name: str) -> None:
    """One scale line, in metres or kilometres; no miles or feet."""
    page, _, _ = open_offline(browser, rendered[name])
    lines = page.locator(".leaflet-control-scale-line").all_inner_texts()
    assert len(lines) == 1 and re.fullmatch(r"\d+ k?m", lines[0].strip()), lines
    page.close()


@pytest.mark.parametrize("name", MAPS)
def test_district_outlines_and_names_on_every_map(
    browser: Browser, rendered: dict[str, Path], name: str
) -> None:
    """Every map draws the 31 districts' names (and lists the outline layer)."""
    page, _, _ = open_offline(browser, rendered[name])
    names = page.locator(".district-label").all_inner_texts()
    assert len(names) == 31 and "Lebenstedt" in names and "Salzgitter-Bad" in names
    control = page.locator(".leaflet-control-layers").inner_text()
    assert "Stadtteile (Grenzen und Namen)" in control
    page.close()


def test_base_map_draws_the_city_and_its_place_names(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """The base layer's canvases are drawn below the overlays; zoomed into Lebenstedt the
    neighbourhood's name appears (places named like a district are left to the district)."""
    page, _, _ = open_offline(browser, rendered["flats"])
    assert page.locator(".leaflet-basemap-pane canvas").count() >= 1
    assert page.locator(".leaflet-basemapLines-pane canvas").count() >= 1
    assert page.locator(".place-label", has_text="Fredenberg").count() == 0  # not at city zoom
    m = leaflet_map(page)
    page.evaluate(f"void {m}.setView([52.166, 10.322], 14, {{animate: false}})")
    page.wait_for_timeout(300)
    labels = page.locator(".place-label").all_inner_texts()
    assert any(t.startswith("Fredenberg") for t in labels), labels
    assert not any(t == "Lebenstedt" for t in labels)  # the district label names it
    page.close()


BASE_KINDS = {
    "residential": "Wohngebiete",
    "industrial": "Gewerbe und Industrie",
    "green": "Grünflächen und Wald",
    "water": "Gewässer",
    "waterway": "Gewässer",
    "rail": "Bahnstrecke",
    "motorway": "Autobahn",
    **{k: "Straßen" for k in ("primary", "secondary", "tertiary", "minor")},
}
GREYS = ("Wohngebiete", "Gewerbe und Industrie", "Straßen", "Autobahn", "Bahnstrecke")


def chroma(css: str) -> float:
    """Colourfulness (0 grey .. 1 pure hue) of a CSS ``rgb(r, g, b)`` colour: max - min."""
    rgb = [int(x) / 255 for x in re.findall(r"\d+", css)[:3]]
    return max(rgb) - min(rgb)


def test_base_map_is_explained_in_neutral_greys(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """The legend explains every kind of thing the base map draws (the sample's steelworks
    block is "Gewerbe und Industrie", its straight A 39 an "Autobahn"), and streets, the
    motorway, rail and built-up land are greys that no status or score colour is confused
    with (the swatches are drawn from the base map's own style)."""
    page, _, _ = open_offline(browser, rendered["districts"])
    kinds = page.evaluate(
        "(() => { const b = window.GEO_BASEMAP; const has = o => Object.keys(o)"
        ".filter(k => o[k].length); return [...has(b.areas), ...has(b.lines)]; })()"
    )
    assert {"industrial", "motorway", "rail", "primary"} <= set(kinds)
    key = page.locator("#map-legend .legend-basemap")
    assert key.locator(".legend-title").inner_text() == "Grundkarte"
    items = key.locator(".legend-item")
    names = [t.strip() for t in items.all_inner_texts()]
    assert sorted(set(names)) == sorted({BASE_KINDS[k] for k in kinds})
    for i, name in enumerate(names):
        if name in GREYS:
            swatch = items.nth(i).locator(".swatch")
            for prop in ("background-color", "border-top-color"):
                colour = swatch.evaluate(f"e => getComputedStyle(e)['{prop}']")
                if "rgba(0, 0, 0, 0)" not in colour:
                    assert chroma(colour) < 0.06, (name, prop, colour)  # was 0.48 (orange)
    page.close()


def test_districts_legend_follows_the_layer(
    browser: Browser, rendered: dict[str, Path], profile: ScoringProfile
) -> None:
    """Status class, utilisation and each indicator are one-at-a-time layers; picking one
    shows its legend (label, unit, year) and no other choropleth's."""
    page, _, _ = open_offline(browser, rendered["districts"])
    layers = base_layers(page)
    expected = [
        "Statusklasse",
        "Auslastung der Aufnahmekapazität",
        *(f"{i.label} ({i.unit})" if i.unit else i.label for i in profile.indicator_list()),
    ]
    assert layers == expected
    assert legend_titles(page) == ["Statusklasse"]
    legend = page.locator("#map-legend").inner_text()
    assert "Stand 2024" in legend and "4 – sehr niedrig" in legend and "1 – hoch" in legend
    for i, name in enumerate(layers):
        page.locator(".leaflet-control-layers-base input").nth(i).check()
        page.wait_for_timeout(50)
        assert legend_titles(page) == [name]
        assert page.locator("path.leaflet-interactive").count() == 31
    assert "% der Quote" not in page.locator("#map-legend").inner_text()
    page.close()


def test_district_tooltip_in_words_and_german_numbers(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """A district's tooltip: status class in words, utilisation in per cent, decimal comma."""
    page, _, _ = open_offline(browser, rendered["districts"])
    page.locator("path.leaflet-interactive").nth(20).hover(force=True)
    tip = page.locator(".leaflet-tooltip").inner_text()
    assert re.search(r"Statusklasse\s+(\d – \w+|unterdrückt)", tip), tip
    assert re.search(r"\d+,\d", tip) and not re.search(r"\d\.\d{1,2}\b", tip), tip
    page.close()


def test_infrastructure_legend_follows_the_layer(
    browser: Browser, rendered: dict[str, Path], profile: ScoringProfile
) -> None:
    """The score and every category are one-at-a-time layers under their labels; each shows
    its own legend naming the distance mode (a kita layer never shows the score's legend)."""
    page, _, _ = open_offline(browser, rendered["infrastructure"])
    assert page.locator(".marker-cluster").count() == 0  # amenities start hidden
    layers = base_layers(page)
    labels = [c.label for c in profile.category_list("amenity")]
    assert layers == ["Infrastrukturwert", *labels]
    for i, name in enumerate(layers):
        page.locator(".leaflet-control-layers-base input").nth(i).check()
        page.wait_for_timeout(50)
        assert legend_titles(page) == [name]
        assert "Luftlinie" in page.locator("#map-legend").inner_text()
    assert "Luftlinie" in page.locator("#map-title").inner_text()
    page.close()


def test_offers_legend_per_category_and_gaps(browser: Browser, rendered: dict[str, Path]) -> None:
    """Each shown category has its line in the legend; unticking it removes the line; the
    gaps layer brings its own legend with title and unit."""
    page, _, _ = open_offline(browser, rendered["offers"])
    assert page.locator("path.leaflet-interactive").count() == 110
    items = page.locator(f"{DATA_LEGEND} .legend-item").all_inner_texts()
    assert len(items) == 12 and "Brückenbauer" in items
    page.get_by_text("Kategorie: Brückenbauer").click()
    page.wait_for_timeout(50)  # the legend follows on the next tick
    items = page.locator(f"{DATA_LEGEND} .legend-item").all_inner_texts()
    assert len(items) == 11 and "Brückenbauer" not in items
    page.get_by_text("Versorgungslücken", exact=False).click()
    page.wait_for_timeout(50)
    assert legend_titles(page) == ["Versorgungslücken nach Sprache (2 km)"]
    assert "ohne Angebot" in page.locator("#map-legend").inner_text()
    page.get_by_text("Sprache: Arabisch (ar)").click()
    page.wait_for_timeout(50)
    assert "Angebot: Arabisch (ar)" in page.locator("#map-legend").inner_text()
    page.close()


def test_offer_popup_in_words(browser: Browser, rendered: dict[str, Path]) -> None:
    """An offer's popup names category, provider, languages by name and opening hours."""
    page, _, _ = open_offline(browser, rendered["offers"])
    page.locator("path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Träger" in text and "Kategorie" in text
    assert re.search(r"Sprachen\s+\w+ \([a-z]{2,3}\)", text), text
    assert "Deutsch (de)" in text or "Dolmetschen" in text
    page.close()


def test_offer_map_coverage_gaps_layer(
    browser: Browser, rendered: dict[str, Path], sample_engine: Engine, profile: ScoringProfile
) -> None:
    """Ticking the gaps layer draws the 31 districts; tooltips name the 2SFCA gaps by the
    category's label and the language's name, but not a language of fewer than min_cell
    households of the district (public_rows)."""
    rows = coverage(sample_engine, ["ti", "so"], ["counselling", "language_course"])
    gaps = [r for r in public_rows(rows, profile.min_cell) if r.gap]
    assert gaps, "the sample should have some Tigrinya/Somali gaps"
    html = rendered["offers"].read_text(encoding="utf-8")
    names = {"ti": "Tigrinya \\(ti\\)", "so": "Somali \\(so\\)"}
    cats = {"counselling": "Beratung", "language_course": "Sprachkurs"}
    for r in gaps:
        assert re.search(rf"{cats[r.category]}: [^;<]*{names[r.language]}", html), r
    page, _, _ = open_offline(browser, rendered["offers"])
    page.get_by_text("Versorgungslücken", exact=False).click()
    assert page.locator("path.leaflet-interactive").count() == 110 + 31
    page.close()


def test_gap_layer_stays_below_the_offers(browser: Browser, rendered: dict[str, Path]) -> None:
    """With the gap layer ticked (after the offers, as a planner does), every offer marker in
    view is still the topmost thing at its centre and a click opens its popup."""
    page, _, _ = open_offline(browser, rendered["offers"])
    page.get_by_text("Versorgungslücken", exact=False).click()
    page.wait_for_timeout(50)
    tops = page.evaluate(
        """() => [...document.querySelectorAll('path.leaflet-interactive')]
        .map(p => p.getBoundingClientRect())
        .filter(b => b.width > 0 && b.width < 20)
        .map(b => [b.left + b.width / 2, b.top + b.height / 2])
        .filter(([x, y]) => document.elementFromPoint(x, y)?.closest('.leaflet-map-pane'))
        .map(([x, y]) => {
          const e = document.elementFromPoint(x, y), b = e.getBoundingClientRect();
          return [x, y, e.tagName === 'path' && b.width < 20];
        })"""
    )
    assert len(tops) > 50, "most offers should be in view"
    covered = [(x, y) for x, y, marker in tops if not marker]
    assert covered == [], f"{len(covered)} offers under the gap fill"
    x, y, _ = tops[0]
    page.mouse.click(x, y)
    page.locator(".leaflet-popup-content").wait_for()
    assert "Träger" in page.locator(".leaflet-popup-content").inner_text()
    page.close()


def test_flat_popup_with_units_and_german_formats(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """The flats are vector tiles (from disk: cut in the browser from static/tiles-flats.js),
    not embedded in the page; a flat's popup: its id under "Wohnung", rent in €, area in m²,
    date as TT.MM.JJJJ."""
    html = rendered["flats"].read_text(encoding="utf-8")
    assert len(html.encode()) < 500_000 and "tiles-flats.js" in html
    assert "F-0001" not in html  # no flat embedded
    page, _, _ = open_offline(browser, rendered["flats"])
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-vectorTiles-pane canvas.leaflet-tile-loaded')"
        ".length > 0"
    )
    m = leaflet_map(page)
    xy = page.evaluate(
        "(() => { const f = window.GeoTileData.flats.features[0].geometry.coordinates;"
        f" const p = {m}.latLngToContainerPoint([f[1], f[0]]); return [p.x, p.y]; }})()"
    )
    page.mouse.click(xy[0], xy[1])
    page.locator(".leaflet-popup-content").wait_for()
    text = page.locator(".leaflet-popup-content").inner_text()
    assert re.search(r"Wohnung\s+F-\d{4}", text), text
    assert re.search(r"Bruttokaltmiete\s+[\d.]+,\d\d €", text), text
    assert re.search(r"Wohnfläche\s+\d+,\d m²", text), text
    assert re.search(r"frei ab\s+\d\d\.\d\d\.20\d\d", text), text
    assert legend_titles(page) == ["Infrastrukturwert"]
    page.close()


@pytest.mark.parametrize("name", MAPS)
def test_no_raw_vocabulary_key_is_shown(
    browser: Browser, rendered: dict[str, Path], profile: ScoringProfile, name: str
) -> None:
    """Neither the visible text (every layer shown in turn, so every legend appears) nor the
    layer names, tooltips and popups in the page show a bare code such as
    ``unemployment_rate``, ``primary_school``, ``bridge_builders`` or `` ar``."""
    pattern = raw_keys(profile)
    page, _, _ = open_offline(browser, rendered[name])
    seen = [page.locator("body").inner_text()]
    radios = page.locator(".leaflet-control-layers-base input")
    for i in range(radios.count()):
        radios.nth(i).check()
        seen.append(page.locator("body").inner_text())
    boxes = page.locator(".leaflet-control-layers-overlays input")
    for i in range(boxes.count()):
        boxes.nth(i).click()
        page.wait_for_timeout(20)
        seen.append(page.locator("#map-legend").inner_text())
    hits = sorted({h for text in seen for h in pattern.findall(text)})
    assert hits == [], hits
    # what tooltips and popups will say is in the page's script as HTML tables
    html = rendered[name].read_text(encoding="utf-8")
    cells = re.findall(r"<t[hd]>([^<]*)</t[hd]>", html)
    assert cells and not [c for c in cells if pattern.search(c)]
    page.close()


def test_household_map_ranked_flats_apart_and_in_view(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """Ten numbered flats, all inside the view (zoomed to them) and none hiding another; a
    click explains the flat with the district factor; title and layers name the same
    distance mode."""
    page, _, _ = open_offline(browser, rendered["household"])
    markers = page.locator(".rank-marker")
    assert markers.count() == 10
    boxes = [markers.nth(i).bounding_box() for i in range(10)]
    assert all(b is not None for b in boxes)
    for b in boxes:
        assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= 1280
        assert b["y"] >= 0 and b["y"] + b["height"] <= 800
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a is not None and b is not None
            apart = (
                a["x"] + a["width"] <= b["x"] + 1
                or b["x"] + b["width"] <= a["x"] + 1
                or a["y"] + a["height"] <= b["y"] + 1
                or b["y"] + b["height"] <= a["y"] + 1
            )
            assert apart, (a, b)
    title = page.locator("#map-title").inner_text()
    assert "4 Personen" in title and "Arabisch (ar)" in title and "01.12.2026" in title
    assert "Luftlinie" in title and "Fuß" not in title
    control = page.locator(".leaflet-control-layers").inner_text()
    assert "Luftlinie ≤ 500 m um Rang 1" in control
    # no walking-network layer in straight-line mode; by bus (and on foot to the stops) is
    # the transit categories' own measure
    walks = [line for line in control.splitlines() if "Fuß" in line]
    assert len(walks) == 2 and all(w.strip().startswith("Bus und Fußweg ≤") for w in walks)
    page.locator(".rank-marker").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Stadtteilfaktor B" in popup.inner_text() and "Punkte" in popup.inner_text()
    page.close()


def test_household_popups_open_clear_of_title_and_form(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """Each ranked flat's popup opens below the title and beside the household form (the
    map pans), fits in the window (scrolling if long), and its first row is readable."""
    page, _, _ = open_offline(browser, rendered["household"])
    m = leaflet_map(page)
    count = page.evaluate(
        f"(() => {{ window.rankMarkers = []; {m}.eachLayer(l => {{ if (l.getPopup && "
        "l.getPopup() && l.options.icon && /rank-marker/.test(l.options.icon.options.html))"
        " window.rankMarkers.push(l); }); return window.rankMarkers.length; })()"
    )
    assert count == 10
    title = page.locator("#map-title").bounding_box()
    form = page.locator("#household-panel").bounding_box()
    assert title is not None and form is not None
    for i in range(count):
        page.evaluate(f"window.rankMarkers[{i}].openPopup()")
        page.wait_for_timeout(400)  # the autopan animates
        box = page.locator(".leaflet-popup-content-wrapper").bounding_box()
        assert box is not None
        assert box["y"] >= title["y"] + title["height"], (i, box, title)
        assert box["x"] >= form["x"] + form["width"], (i, box, form)
        assert box["y"] + box["height"] <= 800, (i, box)
        first = page.locator(".leaflet-popup-content th").first.bounding_box()
        assert first is not None
        at = page.evaluate(
            f"document.elementFromPoint({first['x'] + 5}, {first['y'] + 5})"
            ".closest('.leaflet-popup') !== null"
        )
        assert at, f"the first row of popup {i + 1} is covered"
    page.close()


def test_every_map_title_stays_clear_of_the_layer_control(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """At 1280 px the title box and the layer list never overlap (the household map's transit
    layers have long names): a planner reads the whole title."""
    for name, path in rendered.items():
        page, _, _ = open_offline(browser, path)
        title = page.locator("#map-title").bounding_box()
        layers = page.locator(".leaflet-control-layers").bounding_box()
        assert title is not None and layers is not None, name
        assert title["x"] + title["width"] <= layers["x"], (name, title, layers)
        page.close()


def test_wrapped_layer_names_hang_right_of_their_checkbox(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """A layer name too long for one line (the household map's transit layers) continues
    under its own first word, not under the checkbox: each name starts right of its box."""
    page, _, _ = open_offline(browser, rendered["household"])
    boxes = page.locator(".leaflet-control-layers-list label").evaluate_all(
        """labels => labels.map(l => {
            const box = l.querySelector('input').getBoundingClientRect();
            const name = l.querySelector('input + span').getBoundingClientRect();
            return [box.right, name.left, name.height > 1.5 * box.height];
        })"""
    )
    assert any(wrapped for _, _, wrapped in boxes), "no layer name wraps: nothing to check"
    assert all(left >= right for right, left, _ in boxes), boxes
    page.close()


def test_household_without_a_fitting_flat_says_so(
    sample_engine: Engine, profile: ScoringProfile
) -> None:
    """A household for which no flat fits gets "keine passende Wohnung", not "Rang 1–0"."""
    with sample_engine.connect() as conn:
        d, f = data.districts(conn, profile.min_cell), data.flats(conn)
    m = household_page.household_map([], f, d, HOUSEHOLD, profile, form=["ar"])
    html = m.get_root().render()
    assert "Ranking: keine passende Wohnung" in html and "1–0" not in html


def test_household_form_is_prefilled(browser: Browser, rendered: dict[str, Path]) -> None:
    """The form shows the household: size, children's ages, languages by name, move-in."""
    page, _, _ = open_offline(browser, rendered["household"])
    form = page.locator("#household-form")
    assert form.locator("[name=size]").input_value() == "4"
    assert form.locator("[name=children_ages]").input_value() == "3, 8"
    assert form.locator("[name=move_in]").input_value() == "01.12.2026"
    chosen = form.locator("[name=languages] option:checked").all_inner_texts()
    assert chosen == ["Arabisch (ar)"]
    needs = form.locator("label.need").all_inner_texts()
    assert "barrierefreie Wohnung" in [n.strip() for n in needs]
    page.close()


def test_infrastructure_cells_come_from_tiles_and_open_their_value(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    """The cells are vector tiles (from disk: cut in the browser from
    static/tiles-area_scores.js), not embedded in the page; a click on a cell opens its value
    in German number format."""
    html = rendered["infrastructure"].read_text(encoding="utf-8")
    assert len(html.encode()) < 500_000 and "tiles-area_scores.js" in html
    assert (rendered["infrastructure"].parent / "static" / "tiles-area_scores.js").exists()
    page, _, _ = open_offline(browser, rendered["infrastructure"])
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-vectorTiles-pane canvas.leaflet-tile-loaded')"
        ".length > 0"
    )
    m = leaflet_map(page)
    xy = page.evaluate(f"(() => {{ const p = {m}.getSize(); return [p.x / 2, p.y / 2]; }})()")
    page.mouse.click(xy[0], xy[1])
    page.locator(".leaflet-popup-content").wait_for()
    text = page.locator(".leaflet-popup-content").inner_text()
    assert re.fullmatch(r"Infrastrukturwert\s+\d{1,3},\d", text.strip()), text
    page.close()
