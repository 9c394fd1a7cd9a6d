"""Peers of the bench: other projects doing the same job, installed only for the bench."""

from __future__ import annotations

from importlib.util import find_spec

from geo_service.bench.runner import Entry

INSTALL_HINT = "run `make bench` (installs the [bench] extra)"


def missing(module: str) -> str | None:
    """Why the peer ``module`` cannot run here (not installed), or None when it can."""
    return None if find_spec(module) else f"{module} is not installed: {INSTALL_HINT}"


def without_peer(entry: Entry, peer: str, why: str) -> Entry:
    """``entry`` with its peer named and the reason it did not run, instead of a baseline."""
    return {**entry, "peer": peer, "peer_missing": why}
