"""Retention: waiting-list entries, holds and allocation runs can be anonymised.

After the retention period (``geo-service privacy purge``) a closed waiting-list entry loses its
case reference hash and accommodation unit, a hold its case reference hash, an allocation run
the hashes in its households and result; ``anonymised_at`` says when. The household profiles,
statuses and dates stay (statistics, the audit log's decisions).

Revision ID: 0010
Revises: 0009 (re-chained after 0009, the waiting list state version)
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.i18n import _

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("waiting_list", "reservations", "allocations")


def upgrade() -> None:
    """Apply this revision."""
    for table in TABLES:
        op.add_column(table, sa.Column("anonymised_at", sa.DateTime(timezone=True)))
    op.alter_column("waiting_list", "case_ref_hash", existing_type=sa.Text(), nullable=True)
    op.create_check_constraint(
        op.f("ck_waiting_list_case_ref_until_anonymised"),
        "waiting_list",
        "(anonymised_at IS NULL) = (case_ref_hash IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_waiting_list_anonymised_when_closed"),
        "waiting_list",
        "anonymised_at IS NULL OR (status IN ('moved', 'withdrawn') "
        "AND accommodation_unit IS NULL)",
    )


def downgrade() -> None:
    """Revert this revision."""
    refuse_data_loss(
        "0010",
        {
            _("anonymised rows of {table}").format(table=t): rows(t, "anonymised_at IS NOT NULL")
            for t in TABLES
        },
    )
    op.drop_constraint(
        op.f("ck_waiting_list_anonymised_when_closed"), "waiting_list", type_="check"
    )
    op.drop_constraint(
        op.f("ck_waiting_list_case_ref_until_anonymised"), "waiting_list", type_="check"
    )
    op.alter_column("waiting_list", "case_ref_hash", existing_type=sa.Text(), nullable=False)
    for table in TABLES:
        op.drop_column(table, "anonymised_at")
