"""SQLAlchemy 2 / GeoAlchemy2 table definitions.

Every geometry column is in the deployment's storage CRS (metres), which the migrations create
from ``GEO_SERVICE_CRS`` and record in ``storage_crs``; code asks ``db.crs.storage_crs`` for it
at run time, so the column types here leave the SRID open (GeoAlchemy2 reads it from the EWKB).
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

ROLES = ("viewer", "planner", "housing_office", "admin")  # each includes the ones before
# A partner is bound to one organisation: a viewer everywhere but for its own offers.
PARTNER = "partner"
KEY_ROLES = (ROLES[0], PARTNER, *ROLES[1:])
OFFER_STATES = ("draft", "active", "paused", "retired")
RESERVATION_STATES = ("held", "confirmed", "released", "expired")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _geom(kind: str) -> Geometry:
    """Return a geometry type (storage CRS, set by the migrations) with a GiST index."""
    return Geometry(geometry_type=kind, spatial_index=True)


def _now() -> Column[object]:
    """Return a ``timestamptz`` column defaulting to the transaction time."""
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _district_fk(nullable: bool = True) -> Column[str]:
    """Return a foreign key column to ``districts.code``."""
    return Column(
        "district_code",
        Text,
        ForeignKey("districts.code", ondelete="RESTRICT", onupdate="CASCADE"),
        nullable=nullable,
        index=True,
    )


imports = Table(
    "imports",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

districts = Table(
    "districts",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("ortschaft", Text),
    Column("geom", _geom("MULTIPOLYGON"), nullable=False),
    _now(),
    CheckConstraint("length(code) BETWEEN 1 AND 16", name="code_len"),
)

district_indicators = Table(
    "district_indicators",
    metadata,
    _district_fk(nullable=False),
    Column("year", Integer, nullable=False),
    Column("residents", Integer, nullable=False),
    _now(),
    PrimaryKeyConstraint("district_code", "year"),
    CheckConstraint("year BETWEEN 1990 AND 2100", name="year_range"),
    CheckConstraint("residents >= 0", name="residents_nonneg"),
)

# The city's own indicators (the profile's [district.indicators]), one row per district, year
# and indicator key; the residents stay a column above (suppression and capacity use them).
district_indicator_values = Table(
    "district_indicator_values",
    metadata,
    Column("district_code", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("indicator", Text, nullable=False, index=True),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("district_code", "year", "indicator"),
    ForeignKeyConstraint(
        ["district_code", "year"],
        ["district_indicators.district_code", "district_indicators.year"],
        ondelete="CASCADE",
        onupdate="CASCADE",
    ),
    CheckConstraint("indicator ~ '^[a-z][a-z0-9_]{0,62}$'", name="indicator_key"),
    CheckConstraint("value = value AND value > '-Infinity' AND value < 'Infinity'", name="finite"),
)

# The deployment's storage CRS, recorded by the first migration (one row).
storage_crs = Table(
    "storage_crs",
    metadata,
    Column("id", SmallInteger, primary_key=True, server_default="1"),
    Column("srid", Integer, nullable=False),
    Column("code", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("id = 1", name="one_row"),
)

quota_plan = Table(
    "quota_plan",
    metadata,
    _district_fk(nullable=False),
    Column("period", Text, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("placements_before", Integer, nullable=False, server_default="0"),
    _now(),
    PrimaryKeyConstraint("district_code", "period"),
    CheckConstraint("capacity >= 0", name="capacity_nonneg"),
    CheckConstraint("placements_before >= 0", name="placements_nonneg"),
)

# Free places of a district's services (kita, school levels, language courses) as of a day
# (``geo-service ingest capacities``); placements confirmed since then use them up.
service_capacities = Table(
    "service_capacities",
    metadata,
    _district_fk(nullable=False),
    Column("kind", Text, nullable=False),
    Column("free_places", Integer, nullable=False),
    Column("as_of", Date, nullable=False),
    _now(),
    PrimaryKeyConstraint("district_code", "kind"),
    CheckConstraint("free_places >= 0", name="free_places_nonneg"),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Text, primary_key=True),  # a short slug, e.g. "caritas"
    # The name as offers give it in ``provider``: imports assign offers to it by that name.
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("id ~ '^[a-z0-9][a-z0-9-]{0,39}$'", name="slug"),
    CheckConstraint("length(btrim(name)) BETWEEN 1 AND 200", name="name_len"),
)

offers = Table(
    "offers",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("category", Text, nullable=False, index=True),
    Column("provider", Text, nullable=False),
    Column("address", Text),
    Column("opening_hours", Text),
    Column("capacity_per_week", Integer),
    Column("contact_role", Text),
    Column("interpreting", Boolean, nullable=False, server_default=text("false")),
    Column("geom", _geom("POINT"), nullable=False),
    _district_fk(),
    _now(),
    Column("status", Text, nullable=False, server_default="active", index=True),
    Column(
        "organisation_id",
        Text,
        ForeignKey("organisations.id", ondelete="SET NULL"),
        index=True,
    ),
    # Raised by every change (API or import): the ETag for optimistic concurrency.
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint("capacity_per_week IS NULL OR capacity_per_week >= 0", name="capacity_nonneg"),
    CheckConstraint("status IN ('draft', 'active', 'paused', 'retired')", name="status_enum"),
)


def active_offer() -> ColumnElement[bool]:
    """Condition for offers the public sees (listings, OGC, maps, referral, coverage)."""
    return offers.c.status == "active"


# Every change of an offer (API edit, status change or import), append-only.
offer_versions = Table(
    "offer_versions",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("offer_id", Text, nullable=False, index=True),  # kept after the offer goes
    Column("version", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now(), index=True),
    Column("action", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("api_key_id", Text),
    Column("organisation_id", Text),
    # field -> {"old": ..., "new": ...}
    Column("changes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    CheckConstraint(
        "action IN ('create', 'update', 'pause', 'resume', 'retire', 'publish', 'import')",
        name="action_enum",
    ),
    CheckConstraint("source IN ('api', 'import')", name="source_enum"),
)

offer_languages = Table(
    "offer_languages",
    metadata,
    Column("offer_id", Text, ForeignKey("offers.id", ondelete="CASCADE"), nullable=False),
    Column("language", Text, nullable=False, index=True),
    PrimaryKeyConstraint("offer_id", "language"),
    CheckConstraint("language ~ '^[a-z]{2,3}$'", name="iso639"),
)

# Bridge builders and new-citizen guides: pseudonymous (a handle, never a name), with the
# languages they speak, where they live and how many households they can accompany.
volunteers = Table(
    "volunteers",
    metadata,
    Column("id", Text, primary_key=True),  # handle or an organisation-given code
    Column("organisation_id", Text, ForeignKey("organisations.id", ondelete="RESTRICT")),
    Column("languages", ARRAY(Text), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("geom", _geom("POINT"), nullable=False),
    _district_fk(),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    _now(),
    CheckConstraint("id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'", name="handle"),
    CheckConstraint("capacity BETWEEN 1 AND 20", name="capacity_range"),
    CheckConstraint("cardinality(languages) >= 1", name="has_language"),
)

# The coverage gaps as found at a time (written by every situation report), so that a later
# report can say which gaps opened or closed since an earlier date.
coverage_gap_snapshots = Table(
    "coverage_gap_snapshots",
    metadata,
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("district_code", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("language", Text, nullable=False),
    PrimaryKeyConstraint("taken_at", "district_code", "category", "language"),
)

amenities = Table(
    "amenities",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("source_id", Text, nullable=False),
    Column("category", Text, nullable=False, index=True),
    Column("name", Text),
    Column("geom", _geom("POINT"), nullable=False),
    _district_fk(),
    _now(),
    UniqueConstraint("source", "source_id"),
)

flats = Table(
    "flats",
    metadata,
    Column("id", Text, primary_key=True),
    Column("address", Text),
    Column("rooms", Float, nullable=False),
    Column("living_area_m2", Float, nullable=False),
    Column("rent_gross_cold_eur", Float, nullable=False),
    Column("floor", Integer, nullable=False, server_default="0"),
    Column("lift", Boolean, nullable=False, server_default=text("false")),
    Column("barrier_free", Boolean, nullable=False, server_default=text("false")),
    Column("available_from", Date, nullable=False),
    Column("available", Boolean, nullable=False, server_default=text("true")),
    Column("geom", _geom("POINT"), nullable=False),
    _district_fk(),
    _now(),
    CheckConstraint("rooms >= 1 AND rooms <= 20", name="rooms_range"),
    CheckConstraint("living_area_m2 > 0 AND living_area_m2 <= 1000", name="area_range"),
    CheckConstraint("rent_gross_cold_eur > 0", name="rent_positive"),
    CheckConstraint("floor BETWEEN -2 AND 60", name="floor_range"),
)

flat_features = Table(
    "flat_features",
    metadata,
    Column("flat_id", Text, ForeignKey("flats.id", ondelete="CASCADE"), nullable=False),
    Column("category", Text, nullable=False),
    # '' for categories that do not depend on language; an ISO 639 code for catalogue categories.
    Column("language", Text, nullable=False, server_default=""),
    Column("distances_m", ARRAY(Float), nullable=False),
    Column("target_ids", ARRAY(Text), nullable=False),
    Column("target_names", ARRAY(Text), nullable=False),
    Column("count_full", Integer, nullable=False),
    Column("count_zero", Integer, nullable=False),
    Column("distance_mode", Text, nullable=False),
    Column("profile_version", Text, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # metres from the flat to the street network (network mode only; NULL for straight line)
    Column("snap_m", Float),
    # categories in distance mode ``transit``: the median travel time (minutes) over the
    # profile's departure window, the route taken most often and its headway (minutes)
    Column("travel_min", Float),
    Column("transit_route", Text),
    Column("transit_headway_min", Float),
    PrimaryKeyConstraint("flat_id", "category", "language"),
)

area_scores = Table(
    "area_scores",
    metadata,
    Column("h3_index", Text, primary_key=True),
    Column("geom", _geom("POLYGON"), nullable=False),
    Column("score", Float, nullable=False),
    Column("category_values", JSONB, nullable=False),
    _district_fk(),
    Column("distance_mode", Text, nullable=False),
    Column("profile_version", Text, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
)

district_status = Table(
    "district_status",
    metadata,
    Column(
        "district_code",
        Text,
        ForeignKey("districts.code", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
    ),
    Column("year", Integer, nullable=False),
    Column("status_index", Float),
    Column("status_class", Integer),
    Column("suppressed", Boolean, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("capacity_source", Text, nullable=False),
    Column("placements", Integer, nullable=False),
    Column("utilisation", Float, nullable=False),
    Column("factor", Float, nullable=False),
    Column("profile_version", Text, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status_class IS NULL OR status_class BETWEEN 1 AND 4", name="class_range"),
    CheckConstraint("factor BETWEEN 0 AND 1", name="factor_range"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("key_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),  # NULL: never
    Column("demo", Boolean, nullable=False, server_default=text("false")),
    Column("organisation_id", Text, ForeignKey("organisations.id", ondelete="RESTRICT")),
    CheckConstraint(
        "role IN ('viewer', 'partner', 'planner', 'housing_office', 'admin')", name="role_enum"
    ),
    # A partner key names its organisation; no other key does.
    CheckConstraint("(role = 'partner') = (organisation_id IS NOT NULL)", name="partner_org"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=func.gen_random_uuid()),
    Column("flat_id", Text, ForeignKey("flats.id", ondelete="RESTRICT"), nullable=False),
    _district_fk(),
    Column("household", JSONB, nullable=False),
    Column("case_ref_hash", Text),
    Column("status", Text, nullable=False, server_default="held"),
    Column("placement_score", Float),
    Column("explanation", JSONB),
    Column("profile_version", Text, nullable=False),
    # Who placed it: an API key's id, or ``user:<login>`` for a personal account (revision
    # 0009 dropped the key constraint so that both can be named).
    Column("api_key_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("released_at", DateTime(timezone=True)),
    # service places the household takes in the flat's district (kind -> places), and why a
    # clerk held a flat outside the household's recommendations
    Column("services", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("override_reason", Text),
    Column("anonymised_at", DateTime(timezone=True)),  # case_ref_hash removed (retention)
    CheckConstraint("status IN ('held', 'confirmed', 'released', 'expired')", name="status_enum"),
    # At most one active hold or confirmation per flat, enforced by the database.
    Index(
        "uq_reservations_active_flat",
        "flat_id",
        unique=True,
        postgresql_where=text("status IN ('held', 'confirmed')"),
    ),
)

allocations = Table(
    "allocations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=func.gen_random_uuid()),
    Column("method", Text, nullable=False),
    Column("households", JSONB, nullable=False),
    Column("result", JSONB, nullable=False),
    Column("objective", Float, nullable=False),
    Column("placed", Integer, nullable=False),
    Column("profile_version", Text, nullable=False),
    Column("api_key_id", Text),  # an API key's id or user:<login> (as reservations)
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("anonymised_at", DateTime(timezone=True)),  # ref_hash removed (retention)
    CheckConstraint("method IN ('optimal', 'greedy', 'balanced')", name="method_enum"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("action", Text, nullable=False, index=True),
    Column("role", Text),
    Column("api_key_id", Text),
    Column("profile_version", Text),
    Column("data_timestamp", DateTime(timezone=True)),
    Column("request", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)


def _node_fk() -> ForeignKey:
    """Return a foreign key to ``network_nodes.id`` (edges go when their nodes go)."""
    return ForeignKey("network_nodes.id", ondelete="CASCADE")


# The walkable street network (``import network``): junctions and the ways between them.
network_nodes = Table(
    "network_nodes",
    metadata,
    Column("id", BigInteger, primary_key=True),  # OSM node id
    Column("geom", _geom("POINT"), nullable=False),
)

network_edges = Table(
    "network_edges",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "source", BigInteger, ForeignKey("network_nodes.id", ondelete="CASCADE"), nullable=False
    ),
    Column(
        "target", BigInteger, ForeignKey("network_nodes.id", ondelete="CASCADE"), nullable=False
    ),
    Column("length_m", Float, nullable=False),
    Column("highway", Text, nullable=False),
    Column("osm_way_id", BigInteger, nullable=False),
    Column("geom", _geom("LINESTRING"), nullable=False),
    CheckConstraint("length_m > 0", name="length_positive"),
    Index("ix_network_edges_source", "source"),
    Index("ix_network_edges_target", "target"),
)

# One counter moved (at commit, by triggers of revision 0006) by every change to what the API
# caches: keys, reservations, district status, imports, flats, areas, districts, amenities,
# offers. Workers compare it with the version their caches were filled at.
state_version = Table(
    "state_version",
    metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("version", BigInteger, nullable=False),
    CheckConstraint("id", name="one_row"),
)

# The transition management's waiting list: pseudonymous households (profile only, the case
# reference as a keyed hash) moving waiting -> offered -> reserved -> moved, or withdrawn.
waiting_list = Table(
    "waiting_list",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=func.gen_random_uuid()),
    # NULL once anonymised (retention): the entry is then no longer linked to its case
    Column("case_ref_hash", Text, unique=True),
    Column("household", JSONB, nullable=False),
    Column("entered_on", Date, nullable=False),
    Column("accommodation_unit", Text),
    Column(
        "unit_district",
        Text,
        ForeignKey("districts.code", ondelete="RESTRICT", onupdate="CASCADE"),
    ),
    Column("status", Text, nullable=False, server_default="waiting", index=True),
    Column("flat_id", Text, ForeignKey("flats.id", ondelete="RESTRICT")),
    Column(
        "reservation_id", UUID(as_uuid=True), ForeignKey("reservations.id", ondelete="RESTRICT")
    ),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status_changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("offered_at", DateTime(timezone=True)),
    Column("reserved_at", DateTime(timezone=True)),
    Column("moved_at", DateTime(timezone=True)),
    Column("withdrawn_at", DateTime(timezone=True)),
    Column("override_reason", Text),  # the offer's flat was not among the recommendations
    Column("anonymised_at", DateTime(timezone=True)),
    CheckConstraint(
        "status IN ('waiting', 'offered', 'reserved', 'moved', 'withdrawn')", name="status_enum"
    ),
    CheckConstraint(
        "(anonymised_at IS NULL) = (case_ref_hash IS NOT NULL)", name="case_ref_until_anonymised"
    ),
    CheckConstraint(
        "anonymised_at IS NULL OR (status IN ('moved', 'withdrawn') "
        "AND accommodation_unit IS NULL)",
        name="anonymised_when_closed",
    ),
    CheckConstraint(
        "(status IN ('offered', 'reserved', 'moved')) = (flat_id IS NOT NULL)",
        name="flat_with_status",
    ),
    CheckConstraint(
        "(status IN ('reserved', 'moved')) = (reservation_id IS NOT NULL)",
        name="reservation_with_status",
    ),
    CheckConstraint("char_length(accommodation_unit) <= 80", name="unit_length"),
    # At most one household is offered (or holds) a flat at a time.
    Index(
        "uq_waiting_list_active_flat",
        "flat_id",
        unique=True,
        postgresql_where=text("status IN ('offered', 'reserved')"),
    ),
)


# People's own accounts (the web workspace): a login, one role as for API keys (a partner bound
# to its organisation), an argon2 password hash; disabled, never deleted (the audit names them).
users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("login", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("organisation_id", Text, ForeignKey("organisations.id", ondelete="RESTRICT")),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column(
        "password_changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()
    ),
    Column("disabled_at", DateTime(timezone=True)),
    CheckConstraint("login ~ '^[a-z0-9][a-z0-9._-]{1,39}$'", name="login_format"),
    CheckConstraint(
        "role IN ('viewer', 'partner', 'planner', 'housing_office', 'admin')", name="role_enum"
    ),
    CheckConstraint("(role = 'partner') = (organisation_id IS NOT NULL)", name="partner_org"),
)

# Browser sessions (one cookie for every page): the SHA-256 of the cookie's random token, the
# person (or, logged in with a key on /maps/login, the API key), the form token, and when it
# was last used (the idle timeout).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True),
    Column("api_key_id", Text, ForeignKey("api_keys.id", ondelete="CASCADE")),
    Column("csrf", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("(user_id IS NULL) <> (api_key_id IS NULL)", name="one_principal"),
)

# Failed logins, by the login tried and the client's address: the throttle counts them.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now(), index=True),
    Column("login", Text, nullable=False),
    Column("client", Text, nullable=False),
    Index("ix_login_failures_login_at", "login", "at"),
    Index("ix_login_failures_client_at", "client", "at"),
)

# The city's own house addresses (``import addresses``, OSM addr:* of its extract): the local
# geocoder's index (geo_service/geocoding.py), keys normalised for trigram matching (pg_trgm).
addresses = Table(
    "addresses",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("source_id", Text, nullable=False),  # n123, w45
    Column("street", Text, nullable=False),
    Column("housenumber", Text, nullable=False),
    Column("postcode", Text),
    Column("city", Text),
    Column("street_key", Text, nullable=False),
    Column("number_key", Text, nullable=False),
    Column("geom", _geom("POINT"), nullable=False),
    Index(
        "ix_addresses_street_key_trgm",
        "street_key",
        postgresql_using="gin",
        postgresql_ops={"street_key": "gin_trgm_ops"},
    ),
    Index("ix_addresses_street_number", "street_key", "number_key"),
)
# The public transport feed (``ingest gtfs``, one feed at a time). Times are seconds after the
# service day's noon minus 12 h (GTFS times, past 24:00:00 for trips after midnight).
gtfs_stops = Table(
    "gtfs_stops",
    metadata,
    Column("stop_id", Text, primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("location_type", SmallInteger, nullable=False, server_default="0"),
    Column("parent_station", Text),
    Column("geom", _geom("POINT"), nullable=False),
)

gtfs_routes = Table(
    "gtfs_routes",
    metadata,
    Column("route_id", Text, primary_key=True),
    Column("short_name", Text, nullable=False, server_default=""),
    Column("long_name", Text, nullable=False, server_default=""),
    Column("route_type", Integer, nullable=False),
)

gtfs_trips = Table(
    "gtfs_trips",
    metadata,
    Column("trip_id", Text, primary_key=True),
    Column(
        "route_id",
        Text,
        ForeignKey("gtfs_routes.route_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("service_id", Text, nullable=False),
    Column("headsign", Text, nullable=False, server_default=""),
)

gtfs_stop_times = Table(
    "gtfs_stop_times",
    metadata,
    Column("trip_id", Text, ForeignKey("gtfs_trips.trip_id", ondelete="CASCADE"), nullable=False),
    Column("stop_sequence", Integer, nullable=False),
    Column("stop_id", Text, ForeignKey("gtfs_stops.stop_id", ondelete="CASCADE"), nullable=False),
    Column("arrival_s", Integer, nullable=False),
    Column("departure_s", Integer, nullable=False),
    Column("pickup_type", SmallInteger, nullable=False, server_default="0"),
    Column("drop_off_type", SmallInteger, nullable=False, server_default="0"),
    # the time was blank in the feed (a non-timepoint stop) and interpolated on import
    Column("interpolated", Boolean, nullable=False, server_default=false()),
    CheckConstraint("departure_s >= arrival_s", name="ordered"),
    PrimaryKeyConstraint("trip_id", "stop_sequence"),
    Index("ix_gtfs_stop_times_stop_id", "stop_id"),
)

gtfs_calendar = Table(
    "gtfs_calendar",
    metadata,
    Column("service_id", Text, primary_key=True),
    *(
        Column(day, Boolean, nullable=False)
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    ),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
)

gtfs_calendar_dates = Table(
    "gtfs_calendar_dates",
    metadata,
    Column("service_id", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("exception_type", SmallInteger, nullable=False),  # 1 added, 2 removed
    CheckConstraint("exception_type IN (1, 2)", name="type"),
    PrimaryKeyConstraint("service_id", "date"),
)

gtfs_transfers = Table(
    "gtfs_transfers",
    metadata,
    Column(
        "from_stop_id", Text, ForeignKey("gtfs_stops.stop_id", ondelete="CASCADE"), nullable=False
    ),
    Column(
        "to_stop_id", Text, ForeignKey("gtfs_stops.stop_id", ondelete="CASCADE"), nullable=False
    ),
    Column("transfer_type", SmallInteger, nullable=False),
    Column("min_transfer_time", Integer),  # seconds
    PrimaryKeyConstraint("from_stop_id", "to_stop_id"),
)

gtfs_frequencies = Table(
    "gtfs_frequencies",
    metadata,
    Column("trip_id", Text, ForeignKey("gtfs_trips.trip_id", ondelete="CASCADE"), nullable=False),
    Column("start_s", Integer, nullable=False),
    Column("end_s", Integer, nullable=False),
    Column("headway_s", Integer, nullable=False),
    Column("exact_times", SmallInteger, nullable=False, server_default="0"),
    CheckConstraint("headway_s > 0", name="headway_positive"),
    PrimaryKeyConstraint("trip_id", "start_s"),
)

GTFS_TABLES = (
    gtfs_frequencies,
    gtfs_transfers,
    gtfs_calendar_dates,
    gtfs_calendar,
    gtfs_stop_times,
    gtfs_trips,
    gtfs_routes,
    gtfs_stops,
)  # children first: deleted in this order, written in the reverse
