"""The bench imports the domain, never the reverse: no module outside geo_service/bench/ and
geo_service/cli/ imports geo_service.bench (at the top or inside a function)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "geo_service"
ALLOWED = ("bench", "cli")


def imported(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved against its package."""
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    package = parts[:-1]  # a module's package; an __init__'s is its own folder
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            out |= {module, *(f"{module}.{alias.name}" for alias in node.names)}
    return out


def test_nothing_outside_bench_and_cli_imports_the_bench() -> None:
    """The domain packages never import the measuring tool."""
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(
            m
            for m in imported(path)
            if m == "geo_service.bench" or m.startswith("geo_service.bench.")
        )
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ALLOWED
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_walk_sees_imports_inside_functions_and_relative_ones() -> None:
    """The walk finds the bench's own imports of itself (relative and inside functions), so an
    empty answer above is not a blind one."""
    cli = imported(PACKAGE / "cli" / "bench.py")
    assert "geo_service.bench.runner" in cli
    found = set().union(*(imported(p) for p in (PACKAGE / "bench").rglob("*.py")))
    assert any(m.startswith("geo_service.bench.") for m in found)
