"""Generate the ILLUSTRATIVE household batches for allocation (non-identifying profiles only).

Run: ``.venv/bin/python data/sample/households/generate.py`` (fixed seed, byte-identical output).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent
LANGUAGES = ["ar", "fa", "ps", "ku", "ti", "so", "ru", "uk", "tr", "sq", "sr", "en", "fr"]


def batch(n: int, sizes: list[int], weights: list[float], seed: int) -> list[dict[str, object]]:
    """``n`` household profiles: size, children's ages, languages, needs, move-in date."""
    rng = np.random.default_rng(seed)
    out = []
    for size in rng.choice(sizes, size=n, p=weights):
        kids = int(rng.integers(0, size)) if size > 1 else 0
        langs = sorted(set(rng.choice(LANGUAGES, size=int(rng.integers(1, 3)), replace=False)))
        needs = [
            str(x)
            for x in rng.choice(
                ["near_gp", "barrier_free", "near_transit"],
                size=int(rng.random() < 0.2),
                replace=False,
            )
        ]
        day = int(rng.integers(0, 120))
        out.append(
            {
                "size": int(size),
                "children_ages": sorted(int(a) for a in rng.integers(0, 18, kids)),
                "languages": [str(x) for x in langs],
                "needs": needs,
                "move_in": str(np.datetime64("2026-12-01") + day),
            }
        )
    return out


def main() -> None:
    """Write plentiful (40), scarce (150 large families) and large (2,000) batches."""
    batches = {
        "plentiful": batch(40, [1, 2, 3, 4], [0.3, 0.3, 0.25, 0.15], 1),
        "scarce": batch(150, [4, 5, 6], [0.3, 0.4, 0.3], 2),
        "large": batch(2000, [1, 2, 3, 4, 5, 6], [0.25, 0.25, 0.2, 0.15, 0.1, 0.05], 3),
    }
    for name, households in batches.items():
        doc = {
            "description": f"ILLUSTRATIVE {name} batch: generated, non-identifying profiles",
            "households": households,
        }
        (OUT / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
