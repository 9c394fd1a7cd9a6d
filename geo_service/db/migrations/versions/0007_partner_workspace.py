"""Partner workspace: organisations, partner keys, offer status and versions, volunteers,
coverage-gap snapshots.

Offers get a status (draft/active/paused/retired; existing ones stay active), an owning
organisation and a version (the ETag of optimistic concurrency); every change of an offer is an
append-only ``offer_versions`` row (offers stored before get their first one here). API keys may have the role ``partner``, bound to one
organisation. Volunteers (bridge builders) are pseudonymous. The service role gets its grants
from ``db migrate`` (``offer_versions`` SELECT and INSERT only).

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-29 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from geo_service.db.crs import migration_srid
from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.db.roles import append_only_sql, drop_append_only_sql
from geo_service.i18n import _

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Offers stored before this revision get their first version: every field as it stands.
FIRST_VERSIONS = """
INSERT INTO offer_versions (offer_id, version, action, source, changes)
SELECT o.id, 1, 'import', 'import', (
    SELECT jsonb_object_agg(f.key, jsonb_build_object('old', NULL, 'new', f.value))
    FROM jsonb_each(jsonb_strip_nulls(jsonb_build_object(
        'name', o.name, 'category', o.category, 'provider', o.provider, 'address', o.address,
        'opening_hours', o.opening_hours, 'capacity_per_week', o.capacity_per_week,
        'contact_role', o.contact_role, 'interpreting', o.interpreting,
        'languages', (SELECT to_jsonb(array_agg(DISTINCT l.language ORDER BY l.language))
                      FROM offer_languages l WHERE l.offer_id = o.id),
        'lon', round(ST_X(ST_Transform(o.geom, 4326))::numeric, 6),
        'lat', round(ST_Y(ST_Transform(o.geom, 4326))::numeric, 6),
        'district_code', o.district_code, 'status', o.status))) AS f
)
FROM offers o
"""
OLD_ROLES = "role IN ('viewer', 'planner', 'housing_office', 'admin')"
NEW_ROLES = "role IN ('viewer', 'partner', 'planner', 'housing_office', 'admin')"


def _now(name: str = "created_at") -> sa.Column[object]:
    """A ``timestamptz`` column defaulting to the transaction time."""
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    """Apply this revision."""
    srid = migration_srid(op.get_bind())
    op.create_table(
        "organisations",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        _now(),
        sa.CheckConstraint("id ~ '^[a-z0-9][a-z0-9-]{0,39}$'", name=op.f("ck_organisations_slug")),
        sa.CheckConstraint(
            "length(btrim(name)) BETWEEN 1 AND 200", name=op.f("ck_organisations_name_len")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.add_column("offers", sa.Column("status", sa.Text(), server_default="active", nullable=False))
    op.add_column("offers", sa.Column("organisation_id", sa.Text(), nullable=True))
    op.add_column("offers", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_check_constraint(
        op.f("ck_offers_status_enum"),
        "offers",
        "status IN ('draft', 'active', 'paused', 'retired')",
    )
    op.create_foreign_key(
        op.f("fk_offers_organisation_id_organisations"),
        "offers",
        "organisations",
        ["organisation_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_offers_status"), "offers", ["status"])
    op.create_index(op.f("ix_offers_organisation_id"), "offers", ["organisation_id"])
    op.create_table(
        "offer_versions",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("offer_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _now("at"),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("api_key_id", sa.Text(), nullable=True),
        sa.Column("organisation_id", sa.Text(), nullable=True),
        sa.Column(
            "changes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'pause', 'resume', 'retire', 'publish', 'import')",
            name=op.f("ck_offer_versions_action_enum"),
        ),
        sa.CheckConstraint(
            "source IN ('api', 'import')", name=op.f("ck_offer_versions_source_enum")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_versions")),
    )
    op.create_index(op.f("ix_offer_versions_offer_id"), "offer_versions", ["offer_id"])
    op.create_index(op.f("ix_offer_versions_at"), "offer_versions", ["at"])
    op.execute(append_only_sql("offer_versions"))
    op.execute(FIRST_VERSIONS)
    op.add_column("api_keys", sa.Column("organisation_id", sa.Text(), nullable=True))
    op.create_foreign_key(
        op.f("fk_api_keys_organisation_id_organisations"),
        "api_keys",
        "organisations",
        ["organisation_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.drop_constraint(op.f("ck_api_keys_role_enum"), "api_keys", type_="check")
    op.create_check_constraint(op.f("ck_api_keys_role_enum"), "api_keys", NEW_ROLES)
    op.create_check_constraint(
        op.f("ck_api_keys_partner_org"),
        "api_keys",
        "(role = 'partner') = (organisation_id IS NOT NULL)",
    )
    op.create_geospatial_table(
        "volunteers",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Text(), nullable=True),
        sa.Column("languages", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "geom",
            Geometry(geometry_type="POINT", srid=srid, spatial_index=False, nullable=False),
            nullable=False,
        ),
        sa.Column("district_code", sa.Text(), nullable=True),
        _now(),
        _now("updated_at"),
        sa.CheckConstraint(
            "id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'", name=op.f("ck_volunteers_handle")
        ),
        sa.CheckConstraint("capacity BETWEEN 1 AND 20", name=op.f("ck_volunteers_capacity_range")),
        sa.CheckConstraint("cardinality(languages) >= 1", name=op.f("ck_volunteers_has_language")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_volunteers_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
            name=op.f("fk_volunteers_district_code_districts"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers")),
    )
    op.create_geospatial_index(
        "idx_volunteers_geom", "volunteers", ["geom"], postgresql_using="gist"
    )
    op.create_index(op.f("ix_volunteers_district_code"), "volunteers", ["district_code"])
    op.create_table(
        "coverage_gap_snapshots",
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "taken_at",
            "district_code",
            "category",
            "language",
            name=op.f("pk_coverage_gap_snapshots"),
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    refuse_data_loss(
        "0007",
        {
            _("organisations"): rows("organisations"),
            _("bridge builders"): rows("volunteers"),
            _("coverage-gap snapshots"): rows("coverage_gap_snapshots"),
            _("offer versions"): rows("offer_versions"),
            _("partner API keys"): rows("api_keys", "role = 'partner'"),
            _("offers not active"): rows("offers", "status <> 'active'"),
        },
    )
    op.drop_table("coverage_gap_snapshots")
    op.drop_geospatial_table("volunteers")
    op.drop_constraint(op.f("ck_api_keys_partner_org"), "api_keys", type_="check")
    op.drop_constraint(op.f("ck_api_keys_role_enum"), "api_keys", type_="check")
    op.execute("DELETE FROM api_keys WHERE role = 'partner'")
    op.create_check_constraint(op.f("ck_api_keys_role_enum"), "api_keys", OLD_ROLES)
    op.drop_constraint(
        op.f("fk_api_keys_organisation_id_organisations"), "api_keys", type_="foreignkey"
    )
    op.drop_column("api_keys", "organisation_id")
    op.execute(drop_append_only_sql("offer_versions"))
    op.drop_table("offer_versions")
    op.drop_index(op.f("ix_offers_organisation_id"), table_name="offers")
    op.drop_index(op.f("ix_offers_status"), table_name="offers")
    op.drop_constraint(
        op.f("fk_offers_organisation_id_organisations"), "offers", type_="foreignkey"
    )
    op.drop_constraint(op.f("ck_offers_status_enum"), "offers", type_="check")
    op.drop_column("offers", "version")
    op.drop_column("offers", "organisation_id")
    op.drop_column("offers", "status")
    op.drop_table("organisations")
