"""Walking network: network_nodes and network_edges (storage CRS, metres), flat snap distance.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from geo_service.db.crs import migration_srid
from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.i18n import _

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _geom(kind: str, srid: int) -> Geometry:
    """A geometry column type in the storage CRS (the GiST index is created explicitly)."""
    return Geometry(geometry_type=kind, srid=srid, dimension=2, spatial_index=False, nullable=False)


def upgrade() -> None:
    """Apply this revision."""
    srid = migration_srid(op.get_bind())
    op.create_table(
        "network_nodes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("geom", _geom("POINT", srid), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_nodes")),
    )
    op.create_geospatial_index(
        "idx_network_nodes_geom",
        "network_nodes",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "network_edges",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("source", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("highway", sa.Text(), nullable=False),
        sa.Column("osm_way_id", sa.BigInteger(), nullable=False),
        sa.Column("geom", _geom("LINESTRING", srid), nullable=False),
        sa.CheckConstraint("length_m > 0", name=op.f("ck_network_edges_length_positive")),
        sa.ForeignKeyConstraint(
            ["source"],
            ["network_nodes.id"],
            name=op.f("fk_network_edges_source_network_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["network_nodes.id"],
            name=op.f("fk_network_edges_target_network_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_edges")),
    )
    op.create_index("ix_network_edges_source", "network_edges", ["source"], unique=False)
    op.create_index("ix_network_edges_target", "network_edges", ["target"], unique=False)
    op.create_geospatial_index(
        "idx_network_edges_geom",
        "network_edges",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.add_column("flat_features", sa.Column("snap_m", sa.Float(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    refuse_data_loss(
        "0002",
        {
            _("street network nodes"): rows("network_nodes"),
            _("street network edges"): rows("network_edges"),
            _("flat distances to the network (snap_m)"): rows(
                "flat_features", "snap_m IS NOT NULL"
            ),
        },
    )
    op.drop_column("flat_features", "snap_m")
    op.drop_geospatial_index(
        "idx_network_edges_geom",
        table_name="network_edges",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_index("ix_network_edges_target", table_name="network_edges")
    op.drop_index("ix_network_edges_source", table_name="network_edges")
    op.drop_table("network_edges")
    op.drop_geospatial_index(
        "idx_network_nodes_geom",
        table_name="network_nodes",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_table("network_nodes")
