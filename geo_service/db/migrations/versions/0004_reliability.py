"""Reliability: audit_log append-only through the shared helper, expiring and demo API keys.

The audit log's triggers move to the generic append-only function of ``db/roles.py`` (which
also revokes UPDATE, DELETE and TRUNCATE from every role but the owner); ``db migrate`` then
grants the service role SELECT and INSERT on it only. API keys get an expiry and a demo mark.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.db.roles import append_only_sql, drop_append_only_sql
from geo_service.i18n import _

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_AUDIT_TRIGGERS = """
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


def upgrade() -> None:
    """Apply this revision."""
    op.execute(drop_append_only_sql("audit_log"))
    op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
    op.execute(append_only_sql("audit_log"))
    op.add_column("api_keys", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "api_keys",
        sa.Column("demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    """Revert this revision."""
    refuse_data_loss(
        "0004",
        {
            _("API key expiry dates"): rows("api_keys", "expires_at IS NOT NULL"),
            _("demo API keys"): rows("api_keys", "demo"),
        },
    )
    op.drop_column("api_keys", "demo")
    op.drop_column("api_keys", "expires_at")
    op.execute(drop_append_only_sql("audit_log"))
    op.execute(OLD_AUDIT_TRIGGERS)
