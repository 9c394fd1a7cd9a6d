"""Options several commands share: the scoring profile to read rules from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from geo_service.scoring.profile import ScoringProfile

ProfilePath = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        help="Scoring profile TOML of the city (default: GEO_SERVICE_PROFILE_PATH, the "
        "Salzgitter sample's).",
    ),
]


def profile_from(path: Path | None) -> ScoringProfile:
    """The profile at ``path``, or the configured one (imported lazily: fast ``--help``)."""
    from geo_service.config import get_settings
    from geo_service.scoring.profile import load_profile

    return load_profile(path or get_settings().profile_path)
