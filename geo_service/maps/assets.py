"""Offline web assets for Folium maps: from the copy of the npm packages in the installed
package (``geo_service/npm``, see ``geo_service.webassets``).

Folium links Leaflet, jQuery, Bootstrap, Font Awesome and plugins from CDNs. We copy the exact
versions it expects (see ``package.json``) into ``static/`` next to the maps and rewrite every
link, so a map opened from disk or served by the API never touches the network.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from geo_service.config import Settings, get_settings
from geo_service.errors import ConfigurationError, GeoServiceError
from geo_service.i18n import _
from geo_service.maps import basemap
from geo_service.maps.base import STATIC_PLACEHOLDER
from geo_service.webassets import MAPS

HERE = Path(__file__).parent

# Folium's own resource names -> file under static/. The CDN addresses are read from Folium
# itself (see ``folium_urls``), so its pinned versions and ours cannot drift apart silently.
LOCAL_FILES = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "jquery": "jquery/jquery.min.js",
    "bootstrap": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap_css": "bootstrap/bootstrap.min.css",
    "awesome_markers": "awesome-markers/leaflet.awesome-markers.js",
    "awesome_markers_css": "awesome-markers/leaflet.awesome-markers.css",
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "awesome_rotate_css": "folium/leaflet.awesome.rotate.min.css",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
    "Control.Fullscreen.js": "fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "fullscreen/Control.FullScreen.css",
}
# Glyphicons (Bootstrap 3) are not used by our maps: the link is dropped, not vendored.
DROPPED = ("glyphicons_css",)


def folium_resources() -> list[tuple[str, str]]:
    """(name, CDN URL) of every script and stylesheet Folium and our plugins link."""
    from folium import folium as folium_map
    from folium.plugins import Fullscreen, MarkerCluster

    return [
        *folium_map._default_js,
        *folium_map._default_css,
        *MarkerCluster.default_js,
        *MarkerCluster.default_css,
        *Fullscreen.default_js,
        *Fullscreen.default_css,
    ]


# static/ target -> file in the npm packages (``web_assets_dir``, see geo_service.webassets)
NPM_FILES = {f"{to}/{name}": f"{src}/{name}" for to, src, names in MAPS for name in names}
OWN_FILES = {
    "folium/leaflet.awesome.rotate.min.css": HERE / "vendor/leaflet.awesome.rotate.min.css",
    "geo-maps.js": HERE / "static/geo-maps.js",
}
REMOTE_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']https?://""", re.IGNORECASE)


class AssetsMissing(ConfigurationError):
    """The web assets the maps and /docs load are not in the package (nor where
    GEO_SERVICE_WEB_ASSETS_DIR points)."""

    exit_code = 3


def sources(settings: Settings) -> dict[str, Path]:
    """static/ target -> the file it is copied from."""
    npm = settings.web_assets_dir
    return {**{t: npm / src for t, src in NPM_FILES.items()}, **OWN_FILES}


def check_installed(settings: Settings, also: Iterable[str] = ()) -> None:
    """Raise AssetsMissing, in one German and English line naming the missing files and the
    command that installs them, unless every asset of the maps (and the npm files ``also``,
    relative to ``web_assets_dir``) is there."""
    wanted = [*sources(settings).values(), *(settings.web_assets_dir / f for f in also)]
    missing = [str(f) for f in wanted if not f.is_file()]
    if missing:
        more = f" (+{len(missing) - 1} weitere/more)" if len(missing) > 1 else ""
        raise AssetsMissing(
            f"Web-Assets fehlen / web assets missing: {missing[0]}{more}. Installieren mit / "
            f"install with: `make npm` (im Projektordner / in the project folder; ein Wheel "
            "bringt sie mit / a wheel ships them), oder GEO_SERVICE_WEB_ASSETS_DIR auf ihren "
            "Ordner setzen / or point GEO_SERVICE_WEB_ASSETS_DIR at them"
        )


def vendor(static_dir: Path, basemap_source: Path | None = None) -> Path:
    """Copy the maps' assets (and nothing else: stray files are removed) into ``static_dir``
    (idempotent), with the city's base layer (``basemap_source``, else the one there, else
    the configured maps folder's, else none); return it."""
    settings = get_settings()
    check_installed(settings)
    files = sources(settings)
    for target, src in files.items():
        dest = static_dir / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    keep = {static_dir / t for t in files} | {static_dir / basemap.FILE}
    for stray in [f for f in static_dir.rglob("*") if f.is_file() and f not in keep]:
        stray.unlink()  # e.g. a package's demo page copied by an older version
    default = settings.maps_dir / "static" / basemap.FILE
    if basemap_source is None and not (static_dir / basemap.FILE).exists() and default.exists():
        basemap_source = default
    basemap.install(static_dir, basemap_source)
    return static_dir


def localise(html: str, prefix: str) -> str:
    """Point every CDN link of a rendered map at ``prefix`` (relative path or URL path)."""
    html = html.replace(STATIC_PLACEHOLDER, prefix)
    for name, url in folium_resources():
        if name in DROPPED:
            html = re.sub(rf"<link[^>]*{re.escape(url)}[^>]*>", "", html)
        elif name in LOCAL_FILES:
            html = html.replace(url, f"{prefix}/{LOCAL_FILES[name]}")
    if REMOTE_ASSET.search(html):
        bad = REMOTE_ASSET.search(html)
        assert bad is not None
        raise GeoServiceError(
            _("a remote asset is left in a map: {asset}").format(
                asset=html[bad.start() : bad.end() + 60]
            )
        )
    return html
