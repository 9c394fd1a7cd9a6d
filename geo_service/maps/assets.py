"""Offline web assets for Folium maps: vendored from the npm packages the Makefile installs.

Folium links Leaflet, jQuery, Bootstrap, Font Awesome and plugins from CDNs. We copy the exact
versions it expects (see ``package.json``) into ``static/`` next to the maps and rewrite every
link, so a map opened from disk or served by the API never touches the network.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from geo_service.config import PROJECT_ROOT, get_settings
from geo_service.errors import GeoServiceError
from geo_service.maps import basemap
from geo_service.maps.base import STATIC_PLACEHOLDER

NODE_MODULES = PROJECT_ROOT / "node_modules"

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


# static/ target -> source (file or folder) in node_modules or folium's templates
SOURCES = {
    "leaflet": NODE_MODULES / "leaflet/dist",
    "jquery/jquery.min.js": NODE_MODULES / "jquery/dist/jquery.min.js",
    "bootstrap/bootstrap.bundle.min.js": NODE_MODULES / "bootstrap/dist/js/bootstrap.bundle.min.js",
    "bootstrap/bootstrap.min.css": NODE_MODULES / "bootstrap/dist/css/bootstrap.min.css",
    "awesome-markers/leaflet.awesome-markers.js": NODE_MODULES
    / "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.js",
    "awesome-markers/leaflet.awesome-markers.css": NODE_MODULES
    / "drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css",
    "awesome-markers/images": NODE_MODULES / "drmonty-leaflet-awesome-markers/css/images",
    "fontawesome/css/all.min.css": NODE_MODULES / "@fortawesome/fontawesome-free/css/all.min.css",
    "fontawesome/webfonts": NODE_MODULES / "@fortawesome/fontawesome-free/webfonts",
    "folium/leaflet.awesome.rotate.min.css": Path(__file__).parent
    / "vendor/leaflet.awesome.rotate.min.css",
    "markercluster": NODE_MODULES / "leaflet.markercluster/dist",
    "fullscreen": NODE_MODULES / "leaflet.fullscreen",
    "geo-maps.js": Path(__file__).parent / "static/geo-maps.js",
    "vectorgrid": NODE_MODULES / "leaflet.vectorgrid/dist",
}
REMOTE_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']https?://""", re.IGNORECASE)


class AssetsMissing(GeoServiceError):
    """The vendored npm packages are not installed."""

    exit_code = 3


def vendor(static_dir: Path, basemap_source: Path | None = None) -> Path:
    """Copy every asset into ``static_dir`` (idempotent), with the city's base layer
    (``basemap_source``, else the one there, else the configured maps folder's, else none);
    return it."""
    missing = [str(src) for src in SOURCES.values() if not src.exists()]
    if missing:
        raise AssetsMissing(f"map assets not installed ({missing[0]}): run `make` (npm ci)")
    for target, src in SOURCES.items():
        dest = static_dir / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, dest)
    default = get_settings().maps_dir / "static" / basemap.FILE
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
            f"a remote asset is left in a map: {html[bad.start() : bad.end() + 60]}"
        )
    return html
