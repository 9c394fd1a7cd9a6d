"""Result models of the services as pandas tables (the notebooks' view of the API's answers).

An empty answer keeps its documented columns: notebooks index columns by name and must not
fail with KeyError when a filter matches nothing or a used database changed the households."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel


def records(rows: Sequence[BaseModel]) -> list[dict[str, Any]]:
    """Result models as JSON-like dicts, exactly as the HTTP API serialises them."""
    return [r.model_dump(mode="json") for r in rows]


def framed(rows: pd.DataFrame | list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """``rows`` as a frame with at least ``columns`` (in that order, any others after them):
    an empty answer still has its documented columns."""
    df = pd.DataFrame(rows)
    if df.empty:  # no rows: object columns, so joins on text keys still work
        return pd.DataFrame({c: pd.Series(dtype=object) for c in dict.fromkeys([*columns, *df])})
    return df.reindex(columns=[*columns, *(c for c in df.columns if c not in columns)])


def frame(
    rows: Sequence[BaseModel],
    columns: list[str] | None = None,
    model: type[BaseModel] | None = None,
) -> pd.DataFrame:
    """Result models as a table: the given ``columns``, or every field (those of ``model``
    first, so that a table without rows still has them)."""
    data = [r.model_dump(mode="json", include=set(columns) if columns else None) for r in rows]
    if columns is not None:
        return pd.DataFrame(data, columns=columns)
    return framed(data, list(model.model_fields) if model else [])
