"""The Makefile's install steps: every extra named is installed, and a stamp is written only
over a complete install (``make notebooks`` once wrote its stamp with JupyterLab missing)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT


def make(*args: str) -> subprocess.CompletedProcess[str]:
    """Run make in the checkout (the installed venv's stamp kept as it is)."""
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("stamp", "extras"), [("NB_STAMP", "dev,notebooks"), ("BENCH_STAMP", "dev,bench")]
)
def test_every_extra_is_installed(tmp_path: Path, stamp: str, extras: str) -> None:
    """The install command of ``make notebooks`` and ``make bench`` names both extras (it
    named only the first), and checks them before the stamp is written."""
    target = tmp_path / "stamp"
    planned = make("-n", f"{stamp}={target}", str(target)).stdout
    assert f'-e ".[{extras}]"' in planned
    check = planned.index(f"tools/extras_installed.py {extras.replace(',', ' ')}")
    assert check < planned.index(f"touch {target}")


def test_no_stamp_over_an_incomplete_install(tmp_path: Path) -> None:
    """An install that leaves an extra's package missing (here: uv replaced by `true`) fails
    naming it, and writes no stamp."""
    probe = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/python"), "tools/extras_installed.py", "notebooks"],
        cwd=PROJECT_ROOT,
        check=False,
    )
    if probe.returncode == 0:
        pytest.skip("JupyterLab is installed in this venv: nothing would be missing")
    target = tmp_path / "stamp"
    done = make(f"NB_STAMP={target}", "UV=true", str(target))
    assert done.returncode != 0
    assert "not installed: jupyterlab (extra 'notebooks')" in done.stderr + done.stdout
    assert not target.exists()


def test_apt_waits_for_a_held_dpkg_lock() -> None:
    """Every apt-get of the Makefile (Debian packages, npm) waits for dpkg's lock held by another
    apt-get or an unattended upgrade, instead of failing ``make demo`` at once."""
    planned = make("-n", "-B", "apt", "node_modules/.installed").stdout
    calls = planned.split("apt-get")[1:]
    assert len(calls) >= 3, planned  # update and install of apt, install of nodejs
    assert all(c.startswith(" -o DPkg::Lock::Timeout=") for c in calls), planned
