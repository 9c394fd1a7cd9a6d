"""People: personal accounts, browser sessions and failed logins (the web workspace).

``users`` holds a login, one role (as for API keys; a partner bound to its organisation) and an
argon2 password hash; accounts are disabled, never deleted. ``web_sessions`` is the one browser
session of every page (a person, or an API key logged in on /maps/login), stored as the SHA-256
of the cookie's token with its form (CSRF) token and last use. ``login_failures`` feeds the login
throttle. Reservations and allocations record who placed them as an API key's id or
``user:<login>``, so their foreign key to ``api_keys`` goes (keys are revoked, never deleted: it
never fired). A change of an account moves the state version (HTTP Basic checks are cached
per version). The service role gets row access from ``db migrate``.

Revision ID: 0011
Revises: 0010 (renumbered after 0009_waiting_list_state and 0010_retention)
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geo_service.db.downgrade_guard import refuse_data_loss, rows
from geo_service.i18n import _

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "'viewer', 'partner', 'planner', 'housing_office', 'admin'"


def _at(name: str) -> sa.Column[object]:
    """A ``timestamptz`` column defaulting to the transaction time."""
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("login", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        _at("created_at"),
        _at("password_changed_at"),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "login ~ '^[a-z0-9][a-z0-9._-]{1,39}$'", name=op.f("ck_users_login_format")
        ),
        sa.CheckConstraint(f"role IN ({ROLES})", name=op.f("ck_users_role_enum")),
        sa.CheckConstraint(
            "(role = 'partner') = (organisation_id IS NOT NULL)", name=op.f("ck_users_partner_org")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("api_key_id", sa.Text(), nullable=True),
        sa.Column("csrf", sa.Text(), nullable=False),
        _at("created_at"),
        _at("last_seen_at"),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (api_key_id IS NULL)", name=op.f("ck_web_sessions_one_principal")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_web_sessions_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        _at("at"),
        sa.Column("login", sa.Text(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_at"), "login_failures", ["at"])
    op.create_index("ix_login_failures_login_at", "login_failures", ["login", "at"])
    op.create_index("ix_login_failures_client_at", "login_failures", ["client", "at"])
    # a changed or disabled account moves the state version: HTTP Basic checks cached at
    # the version before are made again (the function comes from revision 0006)
    op.execute(
        "CREATE CONSTRAINT TRIGGER users_bump_state_version AFTER INSERT OR UPDATE OR DELETE "
        "ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
        "bump_state_version()"
    )
    op.drop_constraint("fk_reservations_api_key_id_api_keys", "reservations", type_="foreignkey")
    op.drop_constraint("fk_allocations_api_key_id_api_keys", "allocations", type_="foreignkey")


def downgrade() -> None:
    """Revert this revision (people's rows in reservations and allocations lose their name);
    refused while personal accounts exist (sessions and login failures are transient)."""
    accounts = _("rows of {table}").format(table="users")
    refuse_data_loss("0011", {accounts: rows("users")})
    for table in ("reservations", "allocations"):
        op.execute(f"UPDATE {table} SET api_key_id = NULL WHERE api_key_id LIKE 'user:%'")
        op.create_foreign_key(
            f"fk_{table}_api_key_id_api_keys",
            table,
            "api_keys",
            ["api_key_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute("DROP TRIGGER IF EXISTS users_bump_state_version ON users")
    op.drop_table("login_failures")
    op.drop_table("web_sessions")
    op.drop_table("users")
