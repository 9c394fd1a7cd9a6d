"""Downgrades that would drop data refuse: each migration's ``downgrade`` first counts what it
would destroy (rows of the tables it drops, values of the columns it drops) and stops with
``DataLossRefused`` naming them when anything is there. On an empty database, or one whose
new tables and columns were never used, a downgrade proceeds as before."""

from __future__ import annotations

from collections.abc import Mapping

from alembic import op
from sqlalchemy import text

from geo_service.errors import DataLossRefused
from geo_service.i18n import _


def refuse_data_loss(revision: str, would_drop: Mapping[str, str]) -> None:
    """Stop the downgrade of ``revision`` when any query of ``would_drop`` (what it describes
    -> ``SELECT count(*) ...`` of the rows that would be lost) counts a row."""
    conn = op.get_bind()
    found = {what: int(conn.execute(text(sql)).scalar_one()) for what, sql in would_drop.items()}
    lost = [f"{n} {what}" for what, n in found.items() if n]
    if lost:
        raise DataLossRefused(
            _(
                "downgrade of revision {revision} refused: it would drop {lost}. Make a backup "
                "(`geo-service backup --out FILE`) and keep this version, or remove that data "
                "deliberately first"
            ).format(revision=revision, lost=", ".join(lost))
        )


def rows(table: str, where: str = "true") -> str:
    """The count query of ``table``'s rows matching ``where``."""
    return f'SELECT count(*) FROM "{table}" WHERE {where}'
