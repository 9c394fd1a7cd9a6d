"""The README is short and points into the documentation: at most 250 lines, the two commands,
every link resolving; every screenshot under docs/img is shown on a page. (The site itself is
built with --strict by `make docs`, part of `make test`.)"""

from __future__ import annotations

import re

from tests.conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
DOCS = PROJECT_ROOT / "docs"
# the /docs page before Swagger UI 5, a record for its issue that no page ever showed
NOT_SHOWN = {"api-docs-before.png"}
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_readme_is_the_two_commands_and_links() -> None:
    """≤ 250 lines, the two commands, and a link to each guide and to the changelog."""
    assert len(README.splitlines()) <= 250
    assert "make demo" in README and "make test" in README
    for page in ("clerk", "partner", "planner", "analyst", "administrator"):
        assert f"(docs/guides/{page}.md)" in README, page
    assert "(CHANGELOG.md)" in README


def test_every_link_of_the_readme_resolves() -> None:
    """No relative link of the README points at a file that is not there."""
    targets = [t for t in LINK.findall(README) if not t.startswith(("http://", "https://"))]
    assert targets
    assert [t for t in targets if not (PROJECT_ROOT / t).exists()] == []


def test_every_screenshot_is_shown() -> None:
    """Each image under docs/img is referenced by a docs page."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md"))
    unused = {img.name for img in (DOCS / "img").glob("*.png") if f"img/{img.name}" not in pages}
    assert unused <= NOT_SHOWN, unused
