"""The city's house addresses: the local geocoder's index (``import addresses``).

One row per OSM object with ``addr:street`` and ``addr:housenumber`` (a node, or a building's
point on its surface), the street name and house number normalised for comparison, and a
trigram index (pg_trgm, a trusted extension the database owner may create) over the street
names so that a misspelt street is still found. The service role gets row access from
``db migrate``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from geo_service.db.crs import migration_srid

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    srid = migration_srid(op.get_bind())
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "addresses",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("street", sa.Text(), nullable=False),
        sa.Column("housenumber", sa.Text(), nullable=False),
        sa.Column("postcode", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("street_key", sa.Text(), nullable=False),
        sa.Column("number_key", sa.Text(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT", srid=srid, dimension=2, spatial_index=False, nullable=False
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    op.create_geospatial_index(
        "idx_addresses_geom",
        "addresses",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_addresses_street_key_trgm",
        "addresses",
        ["street_key"],
        postgresql_using="gin",
        postgresql_ops={"street_key": "gin_trgm_ops"},
    )
    op.create_index("ix_addresses_street_number", "addresses", ["street_key", "number_key"])


def downgrade() -> None:
    """Revert this revision (the extension stays: others may use it)."""
    op.drop_table("addresses")
