"""Public transport: the GTFS feed (``ingest gtfs``) and transit travel times in flat features.

One feed at a time: stops (storage CRS), routes, trips, stop times in seconds after the service
day's noon minus 12 h (blank times at non-timepoint stops interpolated on import, flagged),
calendar, calendar dates, transfers and frequencies. ``flat_features`` gains the travel time
(minutes, the median over the profile's departure window), the route and its headway for
categories scored in distance mode ``transit``.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-06 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from geo_service.db.crs import migration_srid
from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.i18n import _

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "gtfs_frequencies",
    "gtfs_transfers",
    "gtfs_calendar_dates",
    "gtfs_calendar",
    "gtfs_stop_times",
    "gtfs_trips",
    "gtfs_routes",
    "gtfs_stops",
)


def upgrade() -> None:
    """Apply this revision."""
    srid = migration_srid(op.get_bind())
    op.create_table(
        "gtfs_stops",
        sa.Column("stop_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False, server_default=""),
        sa.Column("location_type", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.Column("parent_station", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(geometry_type="POINT", srid=srid, spatial_index=False, nullable=False),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("stop_id", name=op.f("pk_gtfs_stops")),
    )
    op.create_geospatial_index(
        "idx_gtfs_stops_geom",
        "gtfs_stops",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "gtfs_routes",
        sa.Column("route_id", sa.Text(), nullable=False),
        sa.Column("short_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("long_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("route_type", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("route_id", name=op.f("pk_gtfs_routes")),
    )
    op.create_table(
        "gtfs_trips",
        sa.Column("trip_id", sa.Text(), nullable=False),
        sa.Column("route_id", sa.Text(), nullable=False),
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column("headsign", sa.Text(), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["gtfs_routes.route_id"],
            name=op.f("fk_gtfs_trips_route_id_gtfs_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trip_id", name=op.f("pk_gtfs_trips")),
    )
    op.create_table(
        "gtfs_stop_times",
        sa.Column("trip_id", sa.Text(), nullable=False),
        sa.Column("stop_sequence", sa.Integer(), nullable=False),
        sa.Column("stop_id", sa.Text(), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.Column("departure_s", sa.Integer(), nullable=False),
        sa.Column("pickup_type", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.Column("drop_off_type", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.Column("interpolated", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.CheckConstraint("departure_s >= arrival_s", name=op.f("ck_gtfs_stop_times_ordered")),
        sa.ForeignKeyConstraint(
            ["trip_id"],
            ["gtfs_trips.trip_id"],
            name=op.f("fk_gtfs_stop_times_trip_id_gtfs_trips"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stop_id"],
            ["gtfs_stops.stop_id"],
            name=op.f("fk_gtfs_stop_times_stop_id_gtfs_stops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trip_id", "stop_sequence", name=op.f("pk_gtfs_stop_times")),
    )
    op.create_index("ix_gtfs_stop_times_stop_id", "gtfs_stop_times", ["stop_id"])
    op.create_table(
        "gtfs_calendar",
        sa.Column("service_id", sa.Text(), nullable=False),
        *(
            sa.Column(day, sa.Boolean(), nullable=False)
            for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        ),
        sa.Column("saturday", sa.Boolean(), nullable=False),
        sa.Column("sunday", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_gtfs_calendar")),
    )
    op.create_table(
        "gtfs_calendar_dates",
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("exception_type", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("exception_type IN (1, 2)", name=op.f("ck_gtfs_calendar_dates_type")),
        sa.PrimaryKeyConstraint("service_id", "date", name=op.f("pk_gtfs_calendar_dates")),
    )
    op.create_table(
        "gtfs_transfers",
        sa.Column("from_stop_id", sa.Text(), nullable=False),
        sa.Column("to_stop_id", sa.Text(), nullable=False),
        sa.Column("transfer_type", sa.SmallInteger(), nullable=False),
        sa.Column("min_transfer_time", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_stop_id"],
            ["gtfs_stops.stop_id"],
            name=op.f("fk_gtfs_transfers_from_stop_id_gtfs_stops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_stop_id"],
            ["gtfs_stops.stop_id"],
            name=op.f("fk_gtfs_transfers_to_stop_id_gtfs_stops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_stop_id", "to_stop_id", name=op.f("pk_gtfs_transfers")),
    )
    op.create_table(
        "gtfs_frequencies",
        sa.Column("trip_id", sa.Text(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("end_s", sa.Integer(), nullable=False),
        sa.Column("headway_s", sa.Integer(), nullable=False),
        sa.Column("exact_times", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.CheckConstraint("headway_s > 0", name=op.f("ck_gtfs_frequencies_headway_positive")),
        sa.ForeignKeyConstraint(
            ["trip_id"],
            ["gtfs_trips.trip_id"],
            name=op.f("fk_gtfs_frequencies_trip_id_gtfs_trips"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trip_id", "start_s", name=op.f("pk_gtfs_frequencies")),
    )
    op.add_column("flat_features", sa.Column("travel_min", sa.Float(), nullable=True))
    op.add_column("flat_features", sa.Column("transit_route", sa.Text(), nullable=True))
    op.add_column("flat_features", sa.Column("transit_headway_min", sa.Float(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    label = _("rows of {table}")
    would_drop = {label.format(table=t): rows(t) for t in TABLES}
    would_drop[_("travel times by public transport")] = rows(
        "flat_features", "travel_min IS NOT NULL"
    )
    refuse_data_loss("0008", would_drop)
    for column in ("transit_headway_min", "transit_route", "travel_min"):
        op.drop_column("flat_features", column)
    for table in TABLES:
        if table == "gtfs_stops":
            op.drop_geospatial_index(
                "idx_gtfs_stops_geom",
                table_name="gtfs_stops",
                postgresql_using="gist",
                column_name="geom",
            )
        op.drop_table(table)
