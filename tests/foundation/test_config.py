"""Safe defaults: a secret generated per installation, no public serving with a weak secret,
and the state directory found from any working directory."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from geo_service import config
from geo_service.cli.serve import check_exposure
from geo_service.config import OLD_DEFAULT_SECRET, Settings, server_secret
from geo_service.errors import InputError

CHECKOUT = Path(__file__).resolve().parents[2]


def test_secret_is_generated_once_per_installation(tmp_path: Path) -> None:
    """Unset, the secret is random, stored with mode 600 in the state directory and the same
    for every later process; a configured secret wins."""
    home = tmp_path / ".geo_service"
    first = server_secret(Settings(home=home))
    path = home / "secret"
    assert len(first) >= 48 and path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    code = (
        "from geo_service.config import Settings, server_secret; "
        f"print(server_secret(Settings(home={str(home)!r})))"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == first
    assert server_secret(Settings(home=home, secret_key="y" * 40)) == "y" * 40
    assert server_secret(Settings(home=tmp_path / "elsewhere")) != first


@pytest.mark.parametrize(
    ("host", "secret", "refused"),
    [
        ("0.0.0.0", OLD_DEFAULT_SECRET, True),
        ("192.0.2.10", "short-secret", True),
        ("::", "x" * 31, True),
        ("0.0.0.0", "x" * 40, False),
        ("0.0.0.0", None, False),  # generated per installation
        ("127.0.0.1", "short", False),
        ("localhost", OLD_DEFAULT_SECRET, False),
        ("::1", "short", False),
    ],
)
def test_public_serving_needs_a_strong_secret(
    tmp_path: Path, host: str, secret: str | None, refused: bool
) -> None:
    """A published or short secret is fine on loopback only."""
    settings = Settings(home=tmp_path, secret_key=secret)
    if refused:
        with pytest.raises(InputError, match="GEO_SERVICE_SECRET_KEY"):
            check_exposure(host, settings)
    else:
        check_exposure(host, settings)


def test_serve_refuses_to_start_publicly_with_a_weak_secret() -> None:
    """The real command exits 2 with one line before binding anything."""
    env = {**os.environ, "GEO_SERVICE_SECRET_KEY": OLD_DEFAULT_SECRET}
    out = subprocess.run(
        [sys.executable, "-m", "geo_service", "serve", "--host", "0.0.0.0", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2 and "Der Dienst startet nicht auf 0.0.0.0" in out.stderr, out.stderr


def test_state_directory_is_found_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a sub-folder of a checkout: that checkout's .geo_service; from outside any
    checkout: the checkout this package runs from; without one: a per-user directory."""
    monkeypatch.delenv("GEO_SERVICE_HOME", raising=False)
    monkeypatch.chdir(CHECKOUT / "notebooks")
    assert Settings().home == CHECKOUT / ".geo_service"
    assert Settings().maps_dir == CHECKOUT / "maps"
    other = tmp_path / "other-checkout"
    (other / "docs").mkdir(parents=True)
    (other / "pyproject.toml").write_text('[project]\nname = "geo_service"\n')
    monkeypatch.chdir(other / "docs")
    assert Settings().home == other / ".geo_service"
    monkeypatch.chdir(tmp_path)
    assert Settings().home == CHECKOUT / ".geo_service"
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path / "site-packages")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().home == tmp_path / "xdg" / "geo_service"


def test_cli_from_another_folder_uses_the_same_cluster() -> None:
    """`db status` from notebooks/ reports the checkout's running cluster (it used to look
    for one under notebooks/.geo_service and advise starting a second one)."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL is set: the embedded cluster is not used")
    env = {k: v for k, v in os.environ.items() if k != "GEO_SERVICE_HOME"}
    out = subprocess.run(
        [sys.executable, "-m", "geo_service", "db", "status"],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        cwd=CHECKOUT / "notebooks",
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Eingebettete PostGIS-Datenbank von {CHECKOUT / '.geo_service'}: läuft" in out.stdout
    assert "Datenbank: postgresql://" in out.stderr and str(CHECKOUT / ".geo_service") in out.stderr
