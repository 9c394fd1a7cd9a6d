"""A wheel that works alone: `python -m build` makes an sdist and a wheel carrying the pinned
web assets (with their licences); the wheel installed into a fresh virtualenv outside the
checkout (uv, pinned by constraints.txt, from uv's cache when it has everything) serves /docs,
the maps and their assets against the test database; a missing asset stops the start with one
clear line, never a 500."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from geo_service import __version__, webassets
from geo_service.api.server import free_port, wait_ready
from geo_service.auth.keys import create_key
from geo_service.maps.assets import NPM_FILES
from tests.conftest import PROJECT_ROOT

BIN = Path(sys.executable).parent  # the checkout's venv: python -m build, uv
TIMEOUT = 60.0


@dataclass
class Installed:
    """The built distributions, the fresh virtualenv and its running server."""

    wheel: Path
    sdist: Path
    venv: Path
    env: dict[str, str]
    base: str
    viewer: str


def run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    """Run a command outside the checkout; its stdout, or fail with its stderr."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}: {done.stderr[-2000:]}"
    return done.stdout


def install(wheel: Path, venv: Path, cwd: Path) -> None:
    """A fresh virtualenv with the wheel, pinned by constraints.txt: offline from uv's cache
    (filled by `make deps`), online only for what the cache lacks."""
    uv = BIN / "uv"
    env = {**os.environ, "VIRTUAL_ENV": ""}
    run([uv, "venv", "-q", "--python", sys.executable, venv], cwd, env)
    pip = [uv, "pip", "install", "-q", "--python", venv / "bin/python"]
    pip += ["-c", PROJECT_ROOT / "constraints.txt", wheel]
    done = subprocess.run([str(a) for a in [*pip, "--offline"]], cwd=cwd, env=env, check=False)
    if done.returncode != 0:
        run(pip, cwd, env)


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This module's database: the sample, scored (the maps show scores)."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, sample_engine: Engine, sample_database_url: str
) -> Iterator[Installed]:
    """Build, install outside the checkout, render the public maps and serve with the
    installed `geo-service` (working directory, home and maps outside the checkout)."""
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    run([sys.executable, "-m", "build", "--installer", "uv", "-o", out, PROJECT_ROOT], out, env)
    wheel, sdist = next(out.glob("*.whl")), next(out.glob("*.tar.gz"))
    venv = out / "venv"
    install(wheel, venv, out)
    with sample_engine.begin() as conn:
        viewer = create_key(conn, "viewer", "wheel test viewer")[1]
    served = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(out),
        "XDG_DATA_HOME": str(out / "data"),
        "DATABASE_URL": sample_database_url,
        "GEO_SERVICE_PROFILE_PATH": str(PROJECT_ROOT / "data/profiles/salzgitter.toml"),
        "GEO_SERVICE_MAPS_DIR": str(out / "maps"),
    }
    geo = venv / "bin/geo-service"
    run([geo, "maps", "render"], out, served)
    port = free_port()
    proc = subprocess.Popen(
        [geo, "serve", "--port", str(port)],
        cwd=out,
        env=served,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(proc, f"{base}/ready", TIMEOUT)
    yield Installed(wheel, sdist, venv, served, base, viewer)
    proc.terminate()
    proc.wait(timeout=20)


def test_distributions_carry_the_assets_and_licences(installed: Installed) -> None:
    """Wheel and sdist hold every served asset, each package's licence (or package.json
    naming it) and nothing else of node_modules; the wheel carries no checkout path."""
    wanted = {f"geo_service/npm/{name}" for name in webassets.files()}
    assert any("LICENSE" in name for name in wanted) and len(wanted) > 40
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert {n for n in names if n.startswith("geo_service/npm/")} == wanted
    assert not [n for n in names if "node_modules" in n or n.startswith(("tests/", "data/"))]
    with tarfile.open(installed.sdist) as sdist:
        root = sdist.getnames()[0].split("/")[0]
        held = {n.removeprefix(f"{root}/") for n in sdist.getnames()}
    assert wanted <= held and "hatch_build.py" in held and "CHANGELOG.md" in held


def test_installed_wheel_serves_docs_maps_and_assets(installed: Installed) -> None:
    """The installed package (not the checkout) answers /health with its version, /docs
    with Swagger UI's files, and a map behind the login with its assets."""
    where = run(
        [installed.venv / "bin/python", "-c", "import geo_service; print(geo_service.__file__)"],
        installed.venv.parent,
        installed.env,
    )
    assert where.startswith(str(installed.venv)), where
    with httpx.Client(base_url=installed.base, timeout=TIMEOUT) as client:
        assert client.get("/health").json() == {"status": "ok", "version": __version__}
        docs = client.get("/docs")
        assert docs.status_code == 200 and "/docs/static/swagger-ui-bundle.js" in docs.text
        for name in webassets.SWAGGER_FILES:
            asset = client.get(f"/docs/static/{name}")
            npm = PROJECT_ROOT / "node_modules" / webassets.SWAGGER_UI / name
            assert asset.status_code == 200 and asset.content == npm.read_bytes(), name
        assert client.post("/maps/login", data={"key": installed.viewer}).status_code == 303
        page = client.get("/maps/districts.html")
        assert page.status_code == 200 and 'src="static/leaflet/leaflet.js"' in page.text
        for path in (
            "leaflet/leaflet.js",
            "leaflet/images/marker-icon.png",
            "fontawesome/webfonts/fa-solid-900.woff2",
            "vectorgrid/Leaflet.VectorGrid.bundled.min.js",
        ):
            asset = client.get(f"/maps/static/{path}")
            npm = PROJECT_ROOT / "node_modules" / NPM_FILES[path]
            assert asset.status_code == 200 and asset.content == npm.read_bytes(), path


def test_missing_asset_stops_the_start_with_one_line(installed: Installed) -> None:
    """An installed package missing one asset refuses to start: exit code 3, one line in
    German and English naming the file, no traceback (last: it breaks the installation)."""
    site = next(installed.venv.glob("lib/python*/site-packages/geo_service/npm"))
    gone = site / webassets.SWAGGER_UI / "swagger-ui.css"
    gone.unlink()
    done = subprocess.run(
        [installed.venv / "bin/geo-service", "serve", "--port", str(free_port())],
        cwd=installed.venv.parent,
        env=installed.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 3 and len(lines) == 1, done.stderr
    assert "web assets missing" in lines[0] and str(gone) in lines[0]
