"""The waiting list moves the state version: an offer holds its flat for the household, so the
API's cached held flats (rankings, scores) must see a new offer or a decline at once.

Revision ID: 0009
Revises: 0008 (re-chained after main's 0008 at the merge)
Create Date: 2026-12-06 22:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.execute(
        "CREATE CONSTRAINT TRIGGER waiting_list_bump_state_version "
        "AFTER INSERT OR UPDATE OR DELETE ON waiting_list DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW EXECUTE FUNCTION bump_state_version()"
    )


def downgrade() -> None:
    """Revert this revision."""
    op.execute("DROP TRIGGER IF EXISTS waiting_list_bump_state_version ON waiting_list")
