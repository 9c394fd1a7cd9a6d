"""Generate the ILLUSTRATIVE sample waiting list (non-identifying profiles only).

Run: ``.venv/bin/python data/sample/waiting_list/generate.py`` (fixed seed, byte-identical
output). Days are relative to the day the list is loaded (``entered_days_ago``), so the sample
never ages; ``status`` is the stage the loader moves the entry to through the real service
(offered, reserved and moved entries get the best fitting free flat at load time).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "waiting_list.json"
LANGUAGES = ["ar", "fa", "ps", "ku", "ti", "so", "ru", "uk", "tr", "sq", "sr", "en", "fr"]
UNITS = [("GU Am Stadion", "LEB"), ("GU Thiede Nord", "THI"), ("ZUE Salzgitter-Bad", "BAD")]
STATUSES = ["waiting"] * 58 + ["offered"] * 8 + ["reserved"] * 6 + ["moved"] * 6 + ["withdrawn"] * 4


WISHED = ["LEB", "BAD", "THI", "GEB", "SAL", "LIC"]
MORE = ["moved"] * 26 + ["waiting"] * 6 + ["offered"] * 4
OVERRIDE = "Arbeitsweg eines Elternteils (Beispiel)"


def wishing(first: int) -> list[dict[str, object]]:
    """36 more entries (their own seed, so the first 82 stay as they were): half with wished
    districts or weighted categories, most moved in; a few offered a flat outside their
    recommendations, with a reason (``override_reason``), for the fairness report."""
    rng = np.random.default_rng(2031)
    out: list[dict[str, object]] = []
    for i, status in enumerate(MORE):
        size = int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05]))
        kids = int(rng.integers(0, size)) if size > 1 else 0
        langs = sorted(set(rng.choice(LANGUAGES[:6], size=int(rng.integers(1, 3)), replace=False)))
        household: dict[str, object] = {
            "size": size,
            "children_ages": sorted(int(a) for a in rng.integers(0, 18, kids)),
            "languages": [str(x) for x in langs],
            "needs": ["near_gp"] if rng.random() < 0.15 else [],
        }
        if rng.random() < 0.5:
            wished = rng.choice(WISHED, size=int(rng.integers(1, 3)), replace=False)
            household["preferences"] = {
                "districts": [str(x) for x in wished],
                "categories": {"language_course": 2.0} if rng.random() < 0.3 else {},
            }
        unit, district = UNITS[int(rng.integers(0, len(UNITS)))]
        entry: dict[str, object] = {
            "case_ref": f"BEISPIEL-{first + i + 1:04d}",
            "household": household,
            "entered_days_ago": int(rng.integers(3, 200)),
            "accommodation_unit": unit,
            "unit_district": district,
            "status": status,
        }
        if status != "waiting" and rng.random() < 0.2:
            entry["override_reason"] = OVERRIDE
        out.append(entry)
    return out


def main() -> None:
    """Write 82 entries (sizes, children, languages and needs as the sample batches), then the
    36 of ``wishing``."""
    rng = np.random.default_rng(2017)
    entries = []
    for i, status in enumerate(STATUSES):
        size = int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05]))
        kids = int(rng.integers(0, size)) if size > 1 else 0
        langs = sorted(set(rng.choice(LANGUAGES, size=int(rng.integers(1, 3)), replace=False)))
        needs = (
            [str(rng.choice(["near_gp", "barrier_free", "near_transit"]))]
            if rng.random() < 0.2
            else []
        )
        unit, district = UNITS[int(rng.integers(0, len(UNITS)))]
        entries.append(
            {
                "case_ref": f"BEISPIEL-{i + 1:04d}",
                "household": {
                    "size": size,
                    "children_ages": sorted(int(a) for a in rng.integers(0, 18, kids)),
                    "languages": [str(x) for x in langs],
                    "needs": needs,
                },
                "entered_days_ago": int(rng.integers(3, 200)),
                "accommodation_unit": unit,
                "unit_district": district,
                "status": status,
            }
        )
    doc = {
        "description": "ILLUSTRATIVE sample waiting list: generated, non-identifying profiles; "
        "case references are made-up placeholders",
        "entries": entries + wishing(len(entries)),
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
