"""Any city: the recorded storage CRS, and indicators as data (one row per district, year, key).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.i18n import _

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The five indicators the fixed columns held until now (the Salzgitter sample keeps them).
LEGACY = ("unemployment_rate", "sgb2_share", "child_poverty_rate", "foreign_share")
LEGACY_PER_1000 = "refugees_per_1000"

# The SRID every geometry column was created in (by 0001/0002, from GEO_SERVICE_CRS).
RECORD_CRS = """
INSERT INTO storage_crs (id, srid, code)
SELECT 1, s.srid, s.auth_name || ':' || s.auth_srid
FROM spatial_ref_sys s
WHERE s.srid = Find_SRID(current_schema()::text, 'districts', 'geom')
"""


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "storage_crs",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("srid", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_storage_crs_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_crs")),
    )
    op.execute(RECORD_CRS)
    op.create_table(
        "district_indicator_values",
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "indicator ~ '^[a-z][a-z0-9_]{0,62}$'",
            name=op.f("ck_district_indicator_values_indicator_key"),
        ),
        sa.CheckConstraint(
            "value = value AND value > '-Infinity' AND value < 'Infinity'",
            name=op.f("ck_district_indicator_values_finite"),
        ),
        sa.ForeignKeyConstraint(
            ["district_code", "year"],
            ["district_indicators.district_code", "district_indicators.year"],
            name=op.f("fk_district_indicator_values_district_code_district_indicators"),
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "district_code", "year", "indicator", name=op.f("pk_district_indicator_values")
        ),
    )
    op.create_index(
        op.f("ix_district_indicator_values_indicator"),
        "district_indicator_values",
        ["indicator"],
        unique=False,
    )
    moved = " UNION ALL ".join(
        f"SELECT district_code, year, '{k}', {k} FROM district_indicators"
        for k in (*LEGACY, LEGACY_PER_1000)
    )
    op.execute(
        f"INSERT INTO district_indicator_values (district_code, year, indicator, value) {moved}"
    )
    op.drop_constraint(
        op.f("ck_district_indicators_percent_range"), "district_indicators", type_="check"
    )
    op.drop_constraint(
        op.f("ck_district_indicators_per_1000_range"), "district_indicators", type_="check"
    )
    for k in (*LEGACY, LEGACY_PER_1000):
        op.drop_column("district_indicators", k)


def downgrade() -> None:
    """Revert this revision (indicators other than the five legacy ones are lost)."""
    legacy = ", ".join(f"'{k}'" for k in (*LEGACY, LEGACY_PER_1000))
    refuse_data_loss(
        "0003",
        {
            _("indicator values the old columns cannot hold"): rows(
                "district_indicator_values", f"indicator NOT IN ({legacy})"
            )
        },
    )
    for k in (*LEGACY, LEGACY_PER_1000):
        op.add_column("district_indicators", sa.Column(k, sa.Float(), nullable=True))
        op.execute(
            f"UPDATE district_indicators i SET {k} = COALESCE((SELECT v.value FROM "
            "district_indicator_values v WHERE v.district_code = i.district_code "
            f"AND v.year = i.year AND v.indicator = '{k}'), 0)"
        )
        op.alter_column("district_indicators", k, nullable=False)
    op.create_check_constraint(
        op.f("ck_district_indicators_percent_range"),
        "district_indicators",
        " AND ".join(f"{k} BETWEEN 0 AND 100" for k in LEGACY),
    )
    op.create_check_constraint(
        op.f("ck_district_indicators_per_1000_range"),
        "district_indicators",
        f"{LEGACY_PER_1000} BETWEEN 0 AND 1000",
    )
    op.drop_index(
        op.f("ix_district_indicator_values_indicator"), table_name="district_indicator_values"
    )
    op.drop_table("district_indicator_values")
    op.drop_table("storage_crs")
