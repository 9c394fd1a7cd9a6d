"""The npm files the maps and /docs serve, with the packages' licences: one list, copied into
the package (``geo_service/npm``) by the build hook (``hatch_build.py``) and by ``make npm``.

Standard library only: the build hook loads this file without installing geo_service. Paths
keep their npm layout (``leaflet/dist/leaflet.js``), so ``GEO_SERVICE_WEB_ASSETS_DIR`` may point
at a ``node_modules`` folder instead of the installed copy.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent / "npm"  # the installed copy (default)

FONTS = [f"{n}.{x}" for n in ("brands-400", "regular-400", "solid-900", "v4compatibility")
         for x in ("ttf", "woff2")]  # fmt: skip
# (folder under the maps' static/, npm folder, files): only what the maps load, with the
# images and fonts their stylesheets point at; never a package's demo page, sources or read-me
# (leaflet.fullscreen's index.html links a CDN)
MAPS = [
    ("leaflet", "leaflet/dist", ["leaflet.js", "leaflet.css"]),
    ("leaflet/images", "leaflet/dist/images", ["layers.png", "layers-2x.png", "marker-icon.png",
                                               "marker-icon-2x.png", "marker-shadow.png"]),
    ("jquery", "jquery/dist", ["jquery.min.js"]),
    ("bootstrap", "bootstrap/dist/js", ["bootstrap.bundle.min.js"]),
    ("bootstrap", "bootstrap/dist/css", ["bootstrap.min.css"]),
    ("awesome-markers", "drmonty-leaflet-awesome-markers/js", ["leaflet.awesome-markers.js"]),
    ("awesome-markers", "drmonty-leaflet-awesome-markers/css", ["leaflet.awesome-markers.css"]),
    ("awesome-markers/images", "drmonty-leaflet-awesome-markers/css/images",
     ["markers-soft.png", "markers-soft@2x.png", "markers-shadow.png", "markers-shadow@2x.png"]),
    ("fontawesome/css", "@fortawesome/fontawesome-free/css", ["all.min.css"]),
    ("fontawesome/webfonts", "@fortawesome/fontawesome-free/webfonts", [f"fa-{f}" for f in FONTS]),
    ("markercluster", "leaflet.markercluster/dist",
     ["leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"]),
    ("fullscreen", "leaflet.fullscreen",
     ["Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg"]),
    ("vectorgrid", "leaflet.vectorgrid/dist", ["Leaflet.VectorGrid.bundled.min.js"]),
]  # fmt: skip
SWAGGER_UI = "swagger-ui-dist"
# what the /docs page loads, and nothing else of the package (its demo index.html and
# initializer point at a public example API)
SWAGGER_FILES = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
# each npm package's licence files and its package.json (version and licence named; the only
# record for the two packages that ship no licence file)
LICENCES = {
    "@fortawesome/fontawesome-free": ["LICENSE.txt"],
    "bootstrap": ["LICENSE"],
    "drmonty-leaflet-awesome-markers": [],
    "jquery": ["LICENSE.txt"],
    "leaflet": ["LICENSE"],
    "leaflet.fullscreen": ["LICENSE"],
    "leaflet.markercluster": ["MIT-LICENCE.txt"],
    "leaflet.vectorgrid": [],
    SWAGGER_UI: ["LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"],
}


def served() -> list[str]:
    """npm paths of the files the maps and /docs serve."""
    maps = [f"{src}/{name}" for _to, src, names in MAPS for name in names]
    return [*maps, *(f"{SWAGGER_UI}/{name}" for name in SWAGGER_FILES)]


def files() -> list[str]:
    """npm paths of everything copied: the files served, the licences, the package.json."""
    notices = [f"{pkg}/{name}" for pkg, names in LICENCES.items() for name in names]
    return [*served(), *notices, *(f"{pkg}/package.json" for pkg in LICENCES)]


def copy(node_modules: Path, dest: Path = PACKAGE_DIR) -> int:
    """Copy ``files()`` from ``node_modules`` into ``dest`` (stray files in the npm packages'
    folders removed, unchanged files left alone); return how many; FileNotFoundError names
    the missing ones."""
    wanted = files()
    missing = [name for name in wanted if not (node_modules / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} web asset(s) missing under {node_modules}: {missing[0]} "
            "(install them with `make npm`, i.e. `npm ci --ignore-scripts`)"
        )
    for name in wanted:
        src, target = node_modules / name, dest / name
        if target.is_file() and target.read_bytes() == src.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    keep = {dest / name for name in wanted}
    folders = [dest / pkg for pkg in LICENCES if (dest / pkg).is_dir()]  # only npm's folders
    for stray in [f for d in folders for f in d.rglob("*") if f.is_file() and f not in keep]:
        stray.unlink()
    return len(wanted)


def complete(folder: Path = PACKAGE_DIR) -> bool:
    """Tell whether ``folder`` holds every file ``copy`` would write."""
    return all((folder / name).is_file() for name in files())


if __name__ == "__main__":  # `python -m geo_service.webassets NODE_MODULES` (make npm)
    print(f"web assets: {copy(Path(sys.argv[1]))} files in {PACKAGE_DIR}")
