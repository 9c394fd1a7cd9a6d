"""The command line speaks German by default, English with ``--lang en`` or
``GEO_SERVICE_LANGUAGE=en``; an unknown language is refused in words."""

from __future__ import annotations

import os
import subprocess
import sys

BAD = '{"size": 2, "languages": ["arabisch"], "move_in": "2026-12-01"}'


def geo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``geo-service ARGS`` (no database needed: the household fails before one is used)."""
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "GEO_SERVICE_LANGUAGE": "de", **env},
        timeout=120,
        check=False,
    )


def test_the_cli_answers_in_german_and_in_english() -> None:
    """One error line in the chosen language: the flag beats the setting."""
    german = geo("rank", "--household", BAD)
    assert (german.returncode, german.stderr.strip()) == (
        2,
        "Fehler: household.languages: „arabisch“ ist kein Sprachcode; meinten Sie ar (Arabisch)?",
    )
    english = geo("--lang", "en", "rank", "--household", BAD)
    assert english.stderr.strip() == (
        "error: household.languages: “arabisch” is not a language code; did you mean ar (Arabic)?"
    )
    setting = geo("rank", "--household", BAD, GEO_SERVICE_LANGUAGE="en")
    assert setting.stderr == english.stderr
    assert geo("--lang", "de", "rank", "--household", BAD, GEO_SERVICE_LANGUAGE="en").stderr == (
        german.stderr
    )


def test_an_unknown_cli_language_is_refused() -> None:
    """``--lang fr``: exit 2 and the languages there are, in the configured language."""
    refused = geo("--lang", "fr", "vocab", GEO_SERVICE_LANGUAGE="en")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "error: --lang fr: choose one of de, en"
