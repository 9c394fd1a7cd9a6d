"""Options several commands share: the scoring profile to read rules from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo_service.config import get_settings
from geo_service.scoring.profile import ScoringProfile, load_profile

ProfilePath = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        help="Scoring profile TOML of the city (default: GEO_SERVICE_PROFILE_PATH, the "
        "Salzgitter sample's).",
    ),
]


def profile_from(path: Path | None) -> ScoringProfile:
    """The profile at ``path``, or the configured one."""
    return load_profile(path or get_settings().profile_path)
