"""The analyst notebooks: stored without outputs, and each runs top to bottom in under 2 min."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from sqlalchemy import Engine

from tests.conftest import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
LIMIT_S = 120


def test_the_four_notebooks_are_there() -> None:
    """The issue's four notebooks, in order."""
    assert [p.name for p in NOTEBOOKS] == [
        "01_social_structure.ipynb",
        "02_infrastructure_access.ipynb",
        "03_offer_coverage.ipynb",
        "04_placement_scenarios.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path) -> None:
    """No outputs or execution counts are committed, and the data is labelled ILLUSTRATIVE."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert "ILLUSTRATIVE" in nb.cells[0].source


def execute(path: Path) -> float:
    """Run a notebook in a fresh kernel in its folder; seconds taken (CellExecutionError on
    the first failing cell)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=LIMIT_S, kernel_name="python3", resources={"metadata": {"path": path.parent}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_executes_top_to_bottom(
    path: Path,
    api_engine: Engine,
    sample_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every cell runs without error against a fresh scored sample database (Agg backend)."""
    monkeypatch.setenv("DATABASE_URL", sample_database_url)  # the kernel inherits it
    monkeypatch.setenv("MPLBACKEND", "Agg")
    seconds = execute(path)
    print(f"{path.name}: {seconds:.1f} s")
    assert seconds < LIMIT_S


def test_a_failing_cell_fails(tmp_path: Path) -> None:
    """The harness does not swallow errors: a cell that raises fails the run."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        execute(path)
