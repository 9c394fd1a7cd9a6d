"""The analyst notebooks: stored without outputs; each runs top to bottom (2 min per cell)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from geo_service.analysis.notebooks import execute, notebook_paths

NOTEBOOKS = notebook_paths()


def test_the_notebooks_are_there() -> None:
    """The analysts' notebooks, in order."""
    assert [p.name for p in NOTEBOOKS] == [
        "01_social_structure.ipynb",
        "02_infrastructure_access.ipynb",
        "03_offer_coverage.ipynb",
        "04_placement_scenarios.ipynb",
        "05_transition_management.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path) -> None:
    """No outputs or execution counts are committed, and the data is labelled ILLUSTRATIVE."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert "ILLUSTRATIVE" in nb.cells[0].source


@pytest.mark.usefixtures("sample_waiting_list")  # the module's sample database, scored
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_executes_top_to_bottom(path: Path, sample_database_url: str) -> None:
    """Every cell runs without error against a fresh scored sample database (Agg backend);
    run times are a bench entry (``geo-service bench --only notebooks``)."""
    print(f"{path.name}: {execute(path, sample_database_url):.1f} s")


def test_a_failing_cell_fails(tmp_path: Path, sample_database_url: str) -> None:
    """The harness does not swallow errors: a cell that raises fails the run."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        execute(path, sample_database_url)
