"""Waiting list of the transition management: pseudonymous households and their status.

The service role gets row access to the table through ``db migrate`` (``grant_service_role``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.i18n import _

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = "'waiting', 'offered', 'reserved', 'moved', 'withdrawn'"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "waiting_list",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("case_ref_hash", sa.Text(), nullable=False),
        sa.Column("household", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("accommodation_unit", sa.Text(), nullable=True),
        sa.Column("unit_district", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="waiting", nullable=False),
        sa.Column("flat_id", sa.Text(), nullable=True),
        sa.Column("reservation_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "status_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"status IN ({STATES})", name=op.f("ck_waiting_list_status_enum")),
        sa.CheckConstraint(
            "(status IN ('offered', 'reserved', 'moved')) = (flat_id IS NOT NULL)",
            name=op.f("ck_waiting_list_flat_with_status"),
        ),
        sa.CheckConstraint(
            "(status IN ('reserved', 'moved')) = (reservation_id IS NOT NULL)",
            name=op.f("ck_waiting_list_reservation_with_status"),
        ),
        sa.CheckConstraint(
            "char_length(accommodation_unit) <= 80",
            name=op.f("ck_waiting_list_unit_length"),
        ),
        sa.ForeignKeyConstraint(
            ["flat_id"],
            ["flats.id"],
            name=op.f("fk_waiting_list_flat_id_flats"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_waiting_list_reservation_id_reservations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_district"],
            ["districts.code"],
            name=op.f("fk_waiting_list_unit_district_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_list")),
        sa.UniqueConstraint("case_ref_hash", name=op.f("uq_waiting_list_case_ref_hash")),
    )
    op.create_index(op.f("ix_waiting_list_status"), "waiting_list", ["status"], unique=False)
    op.create_index(
        "uq_waiting_list_active_flat",
        "waiting_list",
        ["flat_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('offered', 'reserved')"),
    )


def downgrade() -> None:
    """Revert this revision."""
    entries = _("waiting-list entries")
    refuse_data_loss("0005", {entries: rows("waiting_list")})
    op.drop_index(
        "uq_waiting_list_active_flat",
        table_name="waiting_list",
        postgresql_where=sa.text("status IN ('offered', 'reserved')"),
    )
    op.drop_index(op.f("ix_waiting_list_status"), table_name="waiting_list")
    op.drop_table("waiting_list")
