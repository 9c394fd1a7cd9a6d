"""Build hook: copy the pinned web assets (``geo_service.webassets.files()``) from
``node_modules`` into ``geo_service/npm`` before hatchling collects the files, so the sdist and
the wheel carry them (``artifacts`` in pyproject.toml: the folder is not in git). A wheel built
from the sdist finds them there already; without either, the build stops naming what is missing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class WebAssetsHook(BuildHookInterface):
    """Copy the web assets into the package."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Copy (or, from an sdist, check) the assets; an editable install leaves them to
        ``make npm``."""
        if version == "editable":
            return
        root = Path(self.root)
        source = root / "geo_service" / "webassets.py"
        spec = importlib.util.spec_from_file_location("webassets", source)
        assert spec is not None and spec.loader is not None
        webassets = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(webassets)
        dest = root / "geo_service" / "npm"
        if (root / "node_modules").is_dir():
            webassets.copy(root / "node_modules", dest)
        elif not webassets.complete(dest):
            webassets.copy(root / "node_modules", dest)  # raises, naming the first missing file
