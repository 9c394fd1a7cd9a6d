"""Offline web assets for Folium maps: vendored from the npm packages the Makefile installs.

Folium links Leaflet, jQuery, Bootstrap, Font Awesome and plugins from CDNs. We copy the exact
versions it expects (see ``package.json``) into ``static/`` next to the maps and rewrite every
link, so a map opened from disk or served by the API never touches the network.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from geo_service.config import PROJECT_ROOT
from geo_service.errors import GeoServiceError

NODE_MODULES = PROJECT_ROOT / "node_modules"

# CDN URL (as folium writes it) -> file under static/
URLS = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": "awesome-markers/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": "awesome-markers/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": "folium/leaflet.awesome.rotate.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": "markercluster/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": "markercluster/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": "markercluster/MarkerCluster.Default.css",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": "fullscreen/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": "fullscreen/Control.FullScreen.css",
}
# Glyphicons (Bootstrap 3) are not used by our maps: the link is dropped, not vendored.
DROPPED = ("https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",)

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
}
REMOTE_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']https?://""", re.IGNORECASE)


class AssetsMissing(GeoServiceError):
    """The vendored npm packages are not installed."""

    exit_code = 3


def vendor(static_dir: Path) -> Path:
    """Copy every asset into ``static_dir`` (idempotent); return it."""
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
    return static_dir


def localise(html: str, prefix: str) -> str:
    """Point every CDN link of a rendered map at ``prefix`` (relative path or URL path)."""
    for url in DROPPED:
        html = re.sub(rf"<link[^>]*{re.escape(url)}[^>]*>", "", html)
    for url, local in URLS.items():
        html = html.replace(url, f"{prefix}/{local}")
    if REMOTE_ASSET.search(html):
        bad = REMOTE_ASSET.search(html)
        assert bad is not None
        raise GeoServiceError(
            f"a remote asset is left in a map: {html[bad.start() : bad.end() + 60]}"
        )
    return html
