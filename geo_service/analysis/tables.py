"""Result models of the services as pandas tables (the notebooks' view of the API's answers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel


def records(rows: Sequence[BaseModel]) -> list[dict[str, Any]]:
    """Result models as JSON-like dicts, exactly as the HTTP API serialises them."""
    return [r.model_dump(mode="json") for r in rows]


def frame(rows: Sequence[BaseModel], columns: list[str] | None = None) -> pd.DataFrame:
    """Result models as a table (the given columns, also when there are no rows)."""
    data = [r.model_dump(mode="json", include=set(columns) if columns else None) for r in rows]
    if columns is None and not data:
        return pd.DataFrame()
    return pd.DataFrame(data, columns=columns)
