"""Initial schema: districts, indicators, quotas, offers, amenities, flats, scores, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 03:32:11.855333
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from geo_service.db.crs import migration_srid
from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.i18n import _

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE for every role.
AUDIT_APPEND_ONLY = """
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
"""

# every table this revision creates (a downgrade drops them all)
TABLES = (
    "api_keys",
    "audit_log",
    "districts",
    "imports",
    "allocations",
    "amenities",
    "area_scores",
    "district_indicators",
    "district_status",
    "flats",
    "offers",
    "quota_plan",
    "flat_features",
    "offer_languages",
    "reservations",
)


def upgrade() -> None:
    """Apply this revision."""
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    # every geometry column in the deployment's storage CRS (GEO_SERVICE_CRS, default 25832)
    srid = migration_srid(op.get_bind())
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('viewer', 'planner', 'housing_office', 'admin')",
            name=op.f("ck_api_keys_role_enum"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("api_key_id", sa.Text(), nullable=True),
        sa.Column("profile_version", sa.Text(), nullable=True),
        sa.Column("data_timestamp", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "request",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
    op.create_geospatial_table(
        "districts",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("ortschaft", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=srid,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("length(code) BETWEEN 1 AND 16", name=op.f("ck_districts_code_len")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_districts")),
    )
    op.create_geospatial_index(
        "idx_districts_geom",
        "districts",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "allocations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("households", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.Column("profile_version", sa.Text(), nullable=False),
        sa.Column("api_key_id", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "method IN ('optimal', 'greedy')", name=op.f("ck_allocations_method_enum")
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_allocations_api_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    op.create_geospatial_table(
        "amenities",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=srid,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("district_code", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_amenities_district_code_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amenities")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_amenities_source_source_id")),
    )
    op.create_geospatial_index(
        "idx_amenities_geom",
        "amenities",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_amenities_category"), "amenities", ["category"], unique=False)
    op.create_index(
        op.f("ix_amenities_district_code"), "amenities", ["district_code"], unique=False
    )
    op.create_geospatial_table(
        "area_scores",
        sa.Column("h3_index", sa.Text(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=srid,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("category_values", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=True),
        sa.Column("distance_mode", sa.Text(), nullable=False),
        sa.Column("profile_version", sa.Text(), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_area_scores_score_range")),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_area_scores_district_code_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("h3_index", name=op.f("pk_area_scores")),
    )
    op.create_geospatial_index(
        "idx_area_scores_geom",
        "area_scores",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_area_scores_district_code"), "area_scores", ["district_code"], unique=False
    )
    op.create_table(
        "district_indicators",
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.Column("unemployment_rate", sa.Float(), nullable=False),
        sa.Column("sgb2_share", sa.Float(), nullable=False),
        sa.Column("child_poverty_rate", sa.Float(), nullable=False),
        sa.Column("foreign_share", sa.Float(), nullable=False),
        sa.Column("refugees_per_1000", sa.Float(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "refugees_per_1000 BETWEEN 0 AND 1000",
            name=op.f("ck_district_indicators_per_1000_range"),
        ),
        sa.CheckConstraint("residents >= 0", name=op.f("ck_district_indicators_residents_nonneg")),
        sa.CheckConstraint(
            "unemployment_rate BETWEEN 0 AND 100 AND sgb2_share BETWEEN 0 AND 100 AND child_poverty_rate BETWEEN 0 AND 100 AND foreign_share BETWEEN 0 AND 100",
            name=op.f("ck_district_indicators_percent_range"),
        ),
        sa.CheckConstraint(
            "year BETWEEN 1990 AND 2100", name=op.f("ck_district_indicators_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_district_indicators_district_code_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("district_code", "year", name=op.f("pk_district_indicators")),
    )
    op.create_index(
        op.f("ix_district_indicators_district_code"),
        "district_indicators",
        ["district_code"],
        unique=False,
    )
    op.create_table(
        "district_status",
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Float(), nullable=True),
        sa.Column("status_class", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("capacity_source", sa.Text(), nullable=False),
        sa.Column("placements", sa.Integer(), nullable=False),
        sa.Column("utilisation", sa.Float(), nullable=False),
        sa.Column("factor", sa.Float(), nullable=False),
        sa.Column("profile_version", sa.Text(), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("factor BETWEEN 0 AND 1", name=op.f("ck_district_status_factor_range")),
        sa.CheckConstraint(
            "status_class IS NULL OR status_class BETWEEN 1 AND 4",
            name=op.f("ck_district_status_class_range"),
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_district_status_district_code_districts"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("district_code", name=op.f("pk_district_status")),
    )
    op.create_geospatial_table(
        "flats",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("rooms", sa.Float(), nullable=False),
        sa.Column("living_area_m2", sa.Float(), nullable=False),
        sa.Column("rent_gross_cold_eur", sa.Float(), nullable=False),
        sa.Column("floor", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lift", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("barrier_free", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("available_from", sa.Date(), nullable=False),
        sa.Column("available", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=srid,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("district_code", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("floor BETWEEN -2 AND 60", name=op.f("ck_flats_floor_range")),
        sa.CheckConstraint(
            "living_area_m2 > 0 AND living_area_m2 <= 1000", name=op.f("ck_flats_area_range")
        ),
        sa.CheckConstraint("rent_gross_cold_eur > 0", name=op.f("ck_flats_rent_positive")),
        sa.CheckConstraint("rooms >= 1 AND rooms <= 20", name=op.f("ck_flats_rooms_range")),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_flats_district_code_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flats")),
    )
    op.create_geospatial_index(
        "idx_flats_geom",
        "flats",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_flats_district_code"), "flats", ["district_code"], unique=False)
    op.create_geospatial_table(
        "offers",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("opening_hours", sa.Text(), nullable=True),
        sa.Column("capacity_per_week", sa.Integer(), nullable=True),
        sa.Column("contact_role", sa.Text(), nullable=True),
        sa.Column("interpreting", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=srid,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("district_code", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "capacity_per_week IS NULL OR capacity_per_week >= 0",
            name=op.f("ck_offers_capacity_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_offers_district_code_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    op.create_geospatial_index(
        "idx_offers_geom",
        "offers",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_offers_category"), "offers", ["category"], unique=False)
    op.create_index(op.f("ix_offers_district_code"), "offers", ["district_code"], unique=False)
    op.create_table(
        "quota_plan",
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("placements_before", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_quota_plan_capacity_nonneg")),
        sa.CheckConstraint("placements_before >= 0", name=op.f("ck_quota_plan_placements_nonneg")),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_quota_plan_district_code_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("district_code", "period", name=op.f("pk_quota_plan")),
    )
    op.create_index(
        op.f("ix_quota_plan_district_code"), "quota_plan", ["district_code"], unique=False
    )
    op.create_table(
        "flat_features",
        sa.Column("flat_id", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), server_default="", nullable=False),
        sa.Column("distances_m", postgresql.ARRAY(sa.Float()), nullable=False),
        sa.Column("target_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("target_names", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("count_full", sa.Integer(), nullable=False),
        sa.Column("count_zero", sa.Integer(), nullable=False),
        sa.Column("distance_mode", sa.Text(), nullable=False),
        sa.Column("profile_version", sa.Text(), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["flat_id"],
            ["flats.id"],
            name=op.f("fk_flat_features_flat_id_flats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("flat_id", "category", "language", name=op.f("pk_flat_features")),
    )
    op.create_table(
        "offer_languages",
        sa.Column("offer_id", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.CheckConstraint("language ~ '^[a-z]{2,3}$'", name=op.f("ck_offer_languages_iso639")),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_offer_languages_offer_id_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offer_id", "language", name=op.f("pk_offer_languages")),
    )
    op.create_index(
        op.f("ix_offer_languages_language"), "offer_languages", ["language"], unique=False
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("flat_id", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=True),
        sa.Column("household", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("case_ref_hash", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="held", nullable=False),
        sa.Column("placement_score", sa.Float(), nullable=True),
        sa.Column("explanation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("profile_version", sa.Text(), nullable=False),
        sa.Column("api_key_id", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('held', 'confirmed', 'released', 'expired')",
            name=op.f("ck_reservations_status_enum"),
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_reservations_api_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_reservations_district_code_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["flat_id"],
            ["flats.id"],
            name=op.f("fk_reservations_flat_id_flats"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_index(
        op.f("ix_reservations_district_code"), "reservations", ["district_code"], unique=False
    )
    op.create_index(
        "uq_reservations_active_flat",
        "reservations",
        ["flat_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('held', 'confirmed')"),
    )
    op.execute(AUDIT_APPEND_ONLY)


def downgrade() -> None:
    """Revert this revision."""
    label = _("rows of {table}")
    refuse_data_loss("0001", {label.format(table=t): rows(t) for t in TABLES})
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
    op.drop_index(
        "uq_reservations_active_flat",
        table_name="reservations",
        postgresql_where=sa.text("status IN ('held', 'confirmed')"),
    )
    op.drop_index(op.f("ix_reservations_district_code"), table_name="reservations")
    op.drop_table("reservations")
    op.drop_index(op.f("ix_offer_languages_language"), table_name="offer_languages")
    op.drop_table("offer_languages")
    op.drop_table("flat_features")
    op.drop_index(op.f("ix_quota_plan_district_code"), table_name="quota_plan")
    op.drop_table("quota_plan")
    op.drop_index(op.f("ix_offers_district_code"), table_name="offers")
    op.drop_index(op.f("ix_offers_category"), table_name="offers")
    op.drop_geospatial_index(
        "idx_offers_geom", table_name="offers", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("offers")
    op.drop_index(op.f("ix_flats_district_code"), table_name="flats")
    op.drop_geospatial_index(
        "idx_flats_geom", table_name="flats", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("flats")
    op.drop_table("district_status")
    op.drop_index(op.f("ix_district_indicators_district_code"), table_name="district_indicators")
    op.drop_table("district_indicators")
    op.drop_index(op.f("ix_area_scores_district_code"), table_name="area_scores")
    op.drop_geospatial_index(
        "idx_area_scores_geom",
        table_name="area_scores",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("area_scores")
    op.drop_index(op.f("ix_amenities_district_code"), table_name="amenities")
    op.drop_index(op.f("ix_amenities_category"), table_name="amenities")
    op.drop_geospatial_index(
        "idx_amenities_geom", table_name="amenities", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("amenities")
    op.drop_table("allocations")
    op.drop_table("imports")
    op.drop_geospatial_index(
        "idx_districts_geom", table_name="districts", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("districts")
    op.drop_index(op.f("ix_audit_log_action"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("api_keys")
