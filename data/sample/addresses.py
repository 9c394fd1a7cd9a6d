"""ILLUSTRATIVE house addresses of the sample city, added to ``network.osm.pbf`` by ``network.py``
as OSM address nodes (``addr:street``, ``addr:housenumber``, ``addr:postcode``, ``addr:city``),
the way a city's own extract carries them. Not real addresses: invented street names on the
generated street grid, numbered along each street (odd numbers on the left, even on the right),
with an invented postcode per district.

A street is a straight run of built-up grid edges (one row or one column of the grid, at most
eight edges long, split where it leaves a district); its name is drawn from common German
street names (trees, birds, flowers, animals, landscape), unique in the city while unused names
last, then unique within its postcode: a name may repeat, as it does after municipal mergers,
and the postcode tells the streets apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import shapely

SEED = 20163
CITY = "Salzgitter"
MAX_EDGES = 8  # a street is at most 8 grid edges (about 1.2 km) long
PER_SIDE = 2  # house numbers per side of an edge (about every 75 m)
SIDE_M = 12.0  # houses stand 12 m beside the street's centre line
STEMS = [
    "Ahorn", "Akazien", "Amsel", "Apfel", "Birken", "Buchen", "Drossel", "Eichen", "Ellern",
    "Erlen", "Eschen", "Falken", "Fasanen", "Fichten", "Finken", "Flieder", "Föhren", "Hasel",
    "Heide", "Holunder", "Kastanien", "Kiefern", "Kirsch", "Kranich", "Lärchen", "Lerchen",
    "Lilien", "Linden", "Meisen", "Mühlen", "Nelken", "Pappel", "Quellen", "Rosen", "Schwalben",
    "Tannen", "Tulpen", "Ulmen", "Veilchen", "Wacholder", "Weiden", "Wiesen", "Zedern",
    "Bach", "Berg", "Brunnen", "Feld", "Garten", "Graben", "Hof", "Kamp", "Moor", "Teich",
    "Anger", "Auen", "Eulen", "Specht", "Star", "Storchen", "Sonnen", "Distel", "Efeu", "Enzian",
    "Farn", "Flachs", "Gersten", "Ginster", "Hafer", "Hagebutten", "Hopfen", "Iris", "Jasmin",
    "Kamillen", "Klee", "Krokus", "Lavendel", "Malven", "Minzen", "Mohn", "Narzissen", "Primel",
    "Raps", "Reseda", "Roggen", "Salbei", "Schlehen", "Thymian", "Weizen", "Wicken", "Dohlen",
    "Elster", "Habicht", "Kiebitz", "Milan", "Möwen", "Nachtigallen", "Pirol", "Schwanen",
    "Sperber", "Stieglitz", "Wachtel", "Zeisig", "Dachs", "Fuchs", "Hasen", "Igel", "Luchs",
    "Otter", "Biber", "Hirsch", "Reh",
]
STREET_CLASSES = ("residential", "tertiary", "secondary", "primary")
KINDS = ["weg", "straße", "ring", "allee", "pfad", "stieg", "gasse", "winkel"]


def street_runs(edges: list[tuple[tuple, tuple, dict]], built: set[int]) -> Iterator[list[int]]:
    """Runs of consecutive built-up edges along one grid row or column (edge indices)."""
    by_line: dict[tuple[str, int], dict[int, int]] = {}
    for i, ((r, c), (r2, c2), _) in enumerate(edges):
        if i not in built:
            continue
        if r == r2:
            by_line.setdefault(("row", r), {})[c] = i
        else:
            by_line.setdefault(("col", c), {})[r] = i
    for _, steps in sorted(by_line.items()):
        run: list[int] = []
        last = None
        for position in sorted(steps):
            if run and (position != last + 1 or len(run) == MAX_EDGES):
                yield run
                run = []
            run.append(steps[position])
            last = position
        if run:
            yield run


def by_district(
    run: list[int],
    xy: np.ndarray,
    edges: list[tuple[tuple, tuple, dict]],
    districts: list[tuple[str, shapely.Geometry]],
) -> Iterator[tuple[str, list[int]]]:
    """The run split where it passes into another district (edges outside every district
    dropped), each part with its district's code."""
    part: list[int] = []
    current = None
    for i in run:
        mid = shapely.Point((xy[edges[i][0]] + xy[edges[i][1]]) / 2)
        code = next((c for c, shape in districts if shape.contains(mid)), None)
        if code != current and part:
            if current is not None:
                yield current, part
            part = []
        current = code
        part.append(i)
    if part and current is not None:
        yield current, part


def address_nodes(
    add_node: Callable[[float, float, dict], int],
    xy: np.ndarray,
    edges: list[tuple[tuple, tuple, dict]],
    classes: list[str],
    districts: list[tuple[str, shapely.Geometry]],
) -> int:
    """Add an address node per house along the residential and main streets of built-up land
    (``add_node(x, y, tags)``, metres); return how many."""
    rng = np.random.default_rng(SEED)
    streets = {i for i, c in enumerate(classes) if c in STREET_CLASSES}
    postcodes = {code: f"38{200 + 3 * n:03d}" for n, (code, _) in enumerate(districts)}
    names_used: dict[str, set[str]] = {}
    used_anywhere: set[str] = set()
    names = sorted(f"{stem}{kind}" for stem in STEMS for kind in KINDS)
    count = 0
    for whole in street_runs(edges, streets):
        for district, run in by_district(whole, xy, edges, districts):
            taken = names_used.setdefault(district, set())
            fresh = [n for n in names if n not in used_anywhere] or [
                n for n in names if n not in taken
            ]
            name = str(rng.choice(fresh))
            used_anywhere.add(name)
            taken.add(name)
            tags = {"addr:street": name, "addr:postcode": postcodes[district], "addr:city": CITY}
            start = xy[edges[run[0]][0]]
            odd, even = 1, 2
            for i in run:
                pa, pb = xy[edges[i][0]], xy[edges[i][1]]
                if np.hypot(*(pa - start)) > np.hypot(*(pb - start)):
                    pa, pb = pb, pa
                direction = (pb - pa) / np.hypot(*(pb - pa))
                left = np.array([-direction[1], direction[0]])
                for k in range(PER_SIDE):
                    along = pa + (pb - pa) * (k + 0.5) / PER_SIDE
                    for side, number in ((left, odd), (-left, even)):
                        x, y = along + side * SIDE_M
                        add_node(float(x), float(y), {**tags, "addr:housenumber": str(number)})
                        count += 1
                    odd, even = odd + 2, even + 2
    return count
