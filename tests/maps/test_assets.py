"""The web assets of the maps and /docs: a missing npm folder stops the start with one clear
line (not a 500 on the first page), and only the files the pages load are served."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.maps.assets import AssetsMissing, vendor
from tests.conftest import run_cli

# what would make a browser load something from elsewhere: a src, a stylesheet link, CSS
# url() and @import, a source map at an address (a link a reader may click, such as Leaflet's
# own in its attribution, loads nothing)
REMOTE = [
    re.compile(r"""src\s*=\s*["']?(?:https?:)?//""", re.I),
    re.compile(r"""<link[^>]*href\s*=\s*["']?(?:https?:)?//""", re.I),
    re.compile(r"""url\(\s*["']?(?:https?:)?//""", re.I),
    re.compile(r"""@import\s+(?:url\()?\s*["']?(?:https?:)?//""", re.I),
    re.compile(r"sourceMappingURL=(?:https?:)?//", re.I),
]


def test_serve_without_the_assets_stops_with_one_clear_line(tmp_path: Path) -> None:
    """`geo-service serve` with the npm folder pointed elsewhere (a `pip install` without
    `make`): exit code 3, one line in German and English naming a missing file and the
    command that installs them, no traceback; the app factory refuses alike."""
    nowhere = tmp_path / "no-node-modules"
    done = run_cli(
        "postgresql://nobody@127.0.0.1:1/none",
        "serve",
        "--port",
        "8151",
        GEO_SERVICE_WEB_ASSETS_DIR=str(nowhere),
    )
    assert done.returncode == 3, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "Web-Assets fehlen / web assets missing" in lines[0]
    assert str(nowhere / "leaflet/dist/leaflet.js") in lines[0] and "`make npm`" in lines[0]
    with pytest.raises(AssetsMissing, match=r"web assets missing: .*leaflet"):
        create_app(Settings(web_assets_dir=nowhere))


def test_only_the_files_the_maps_load_are_vendored(tmp_path: Path) -> None:
    """The maps' static folder holds no HTML page (leaflet.fullscreen's demo index.html links
    a CDN) and no file that would load anything from elsewhere; a stray file an older
    version copied is removed."""
    static = tmp_path / "static"
    (static / "fullscreen").mkdir(parents=True)
    (static / "fullscreen" / "index.html").write_text('<script src="https://cdn.example/x.js">')
    vendor(static)
    files = [f for f in static.rglob("*") if f.is_file()]
    assert len(files) > 20 and not [f for f in files if f.suffix in (".html", ".htm")]
    for f in files:
        if f.suffix in (".js", ".css", ".svg"):
            text = f.read_text(encoding="utf-8", errors="replace")
            hits = [m.group(0) for pattern in REMOTE for m in pattern.finditer(text)]
            assert hits == [], (f.relative_to(static), hits)
