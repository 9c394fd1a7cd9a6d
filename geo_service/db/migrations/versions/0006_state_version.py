"""State version: one counter that every change to what the API caches moves, at commit.

The API keeps API keys, held flats, district status, the ranker and OGC extents in memory,
keyed by this counter; reading it is one cheap query per request, and every worker sees the
same value, so a revoked key or a new reservation is seen on the next request everywhere.
Deferred constraint triggers bump it once per transaction when that transaction commits (the
row lock is held only between the trigger and the commit, not for a long scoring run).

Revision ID: 0006
Revises: 0007 (re-chained after main's 0005 and 0007 at the merge)
Create Date: 2026-11-29 02:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the tables whose rows the API caches (keys, holds, status, ranker inputs, OGC extents)
WATCHED = (
    "api_keys",
    "reservations",
    "district_status",
    "imports",
    "flats",
    "area_scores",
    "districts",
    "amenities",
    "offers",
)

FUNCTION = """
CREATE FUNCTION bump_state_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- once per transaction: the first deferred trigger at commit bumps, the others return
    IF current_setting('geo_service.state_bumped', true) IS DISTINCT FROM
       txid_current()::text THEN
        INSERT INTO state_version (id, version) VALUES (true, 1)
            ON CONFLICT (id) DO UPDATE SET version = state_version.version + 1;
        PERFORM set_config('geo_service.state_bumped', txid_current()::text, true);
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    """Apply this revision."""
    op.execute(
        "CREATE TABLE state_version (id boolean PRIMARY KEY DEFAULT true CHECK (id), "
        "version bigint NOT NULL)"
    )
    op.execute("INSERT INTO state_version (id, version) VALUES (true, 1)")
    op.execute(FUNCTION)
    for table in WATCHED:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_bump_state_version "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION bump_state_version()"
        )


def downgrade() -> None:
    """Revert this revision."""
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_state_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS bump_state_version()")
    op.execute("DROP TABLE IF EXISTS state_version")
