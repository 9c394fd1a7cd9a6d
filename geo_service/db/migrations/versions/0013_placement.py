"""Placement that listens: service capacities per district, the services a reservation takes,
and the reason a clerk gives for holding or offering a flat outside the recommendations.

``service_capacities`` holds the free places of each district's services (kita, school levels,
language courses) as of a day; reservations confirmed since then use up the places stored in
their ``services`` (kind -> places, from the profile's ``[services]`` when the hold was made).
A change to the capacities moves the state version, like the district status. Allocations
may also be made with the method ``balanced``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.i18n import _

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "service_capacities",
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("free_places", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("free_places >= 0", name="free_places_nonneg"),
        sa.ForeignKeyConstraint(
            ["district_code"], ["districts.code"], onupdate="CASCADE", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("district_code", "kind"),
    )
    op.create_index("ix_service_capacities_district_code", "service_capacities", ["district_code"])
    op.add_column(
        "reservations",
        sa.Column(
            "services",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column("reservations", sa.Column("override_reason", sa.Text(), nullable=True))
    op.add_column("waiting_list", sa.Column("override_reason", sa.Text(), nullable=True))
    op.drop_constraint(op.f("ck_allocations_method_enum"), "allocations", type_="check")
    op.create_check_constraint(
        op.f("ck_allocations_method_enum"),
        "allocations",
        "method IN ('optimal', 'greedy', 'balanced')",
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER service_capacities_bump_state_version "
        "AFTER INSERT OR UPDATE OR DELETE ON service_capacities DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW EXECUTE FUNCTION bump_state_version()"
    )


def downgrade() -> None:
    """Revert this revision (refused while service places, services taken, override reasons
    or balanced allocations are stored)."""
    refuse_data_loss(
        "0013",
        {
            _("rows of {table}").format(table="service_capacities"): rows("service_capacities"),
            _("reservations with service places"): rows("reservations", "services <> '{}'::jsonb"),
            _("reservations with reasons for holding a flat outside the recommendations"): rows(
                "reservations", "override_reason IS NOT NULL"
            ),
            _("offers with reasons for a flat outside the recommendations"): rows(
                "waiting_list", "override_reason IS NOT NULL"
            ),
            _("balanced allocations"): rows("allocations", "method = 'balanced'"),
        },
    )
    op.execute("DROP TRIGGER IF EXISTS service_capacities_bump_state_version ON service_capacities")
    op.drop_constraint(op.f("ck_allocations_method_enum"), "allocations", type_="check")
    op.create_check_constraint(
        op.f("ck_allocations_method_enum"), "allocations", "method IN ('optimal', 'greedy')"
    )
    op.drop_column("waiting_list", "override_reason")
    op.drop_column("reservations", "override_reason")
    op.drop_column("reservations", "services")
    op.drop_index("ix_service_capacities_district_code", table_name="service_capacities")
    op.drop_table("service_capacities")
