"""The k nearest targets of a category per flat, and their union over several target sets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Nearest:
    """k nearest distances (m; minutes for transit categories), global target numbers and
    names of one target set; for transit, ``detail`` adds per place the straight-line metres,
    the first route ridden and its headway (arrays shaped like ``dist``)."""

    dist: np.ndarray
    target: np.ndarray
    names: np.ndarray
    detail: dict[str, np.ndarray] | None = None


def merge_nearest(parts: list[Nearest], k: int) -> Nearest:
    """Union of several k-nearest lists (same target counted once), k smallest kept."""
    if len(parts) == 1:
        return parts[0]
    dist = np.concatenate([p.dist for p in parts], axis=1)
    target = np.concatenate([p.target for p in parts], axis=1)
    names = np.concatenate([p.names for p in parts], axis=1)
    detail = None
    if parts[0].detail is not None:
        detail = {
            key: np.concatenate([p.detail[key] for p in parts if p.detail is not None], axis=1)
            for key in parts[0].detail
        }
    order = np.lexsort((target, dist), axis=1)
    dist, target = np.take_along_axis(dist, order, 1), np.take_along_axis(target, order, 1)
    names = np.take_along_axis(names, order, 1)
    if detail is not None:
        detail = {key: np.take_along_axis(v, order, 1) for key, v in detail.items()}
    dup = np.zeros_like(dist, dtype=bool)
    dup[:, 1:] = (target[:, 1:] == target[:, :-1]) & (target[:, 1:] >= 0)
    dist = np.where(dup, np.inf, dist)
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return Nearest(
        np.take_along_axis(dist, order, 1),
        np.take_along_axis(target, order, 1),
        np.take_along_axis(names, order, 1),
        None
        if detail is None
        else {key: np.take_along_axis(v, order, 1) for key, v in detail.items()},
    )
