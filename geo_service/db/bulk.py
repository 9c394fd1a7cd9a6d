"""Replace a table's whole contents fast: binary COPY into an unindexed staging table, then
indexes and constraints built on it, then one swap by renaming, in the caller's transaction.

Readers are never blocked while rows are copied and indexes built (they read the old table);
the swap takes an exclusive lock on the old and the new table only, for two renames, until
the caller commits; readers waiting for it then read the new table (each READ COMMITTED
statement looks the name up again after its lock wait): they see the old or the new full set.
The swapped table keeps everything the old one had: columns, defaults, CHECK, NOT NULL, primary
key, unique and foreign keys, indexes (same names, so Alembic sees no drift), triggers (created
before the COPY, so row triggers such as the state_version bump fire as for inserts), grants,
comments, storage parameters and statistics (ANALYZEd before the swap).

Renaming and dropping tables needs ownership; the service role has none (see roles.py). A
caller that does not own the table gets the same contents in place: DELETE, then COPY into the
indexed table (slower: every row maintains the indexes and checks its foreign keys).

Dropping the old table would lock the tables its foreign keys reference (``flats``) exclusively
until commit, and could deadlock with readers that hold them; so it is renamed aside and
dropped after the commit by ``drop_replaced`` (a leftover is dropped by the next run).
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from geo_service.db.pgbinary import HEADER, TRAILER
from geo_service.errors import ConfigurationError, Conflict
from geo_service.i18n import _

log = logging.getLogger(__name__)
Method = Literal["swap", "in_place"]
REPLACED = "_replaced_"  # marks old tables renamed aside: _<table>_replaced_<txid>
# Cleanup waits this long per attempt for its locks (under the server's deadlock_timeout, 1 s,
# so that it, not a reader, gives way when they wait for each other), DROP_ATTEMPTS times.
DROP_LOCK_TIMEOUT, DROP_ATTEMPTS = "200ms", 5
# the swap waits this long for its exclusive locks per attempt (under deadlock_timeout, 1 s)
SWAP_LOCK_TIMEOUT, SWAP_LOCK_ATTEMPTS = "200ms", 100
LOCK_NOT_AVAILABLE = (
    "55P03"  # cleanup waits this long for readers of referenced tables, then gives up
)
UNSUPPORTED = {
    "incoming foreign keys": "SELECT count(*) FROM pg_constraint WHERE confrelid = :t",
    "views or rules": "SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
    "WHERE d.refobjid = :t AND r.ev_class <> :t",
    "owned sequences": "SELECT count(*) FROM pg_depend d JOIN pg_class s ON s.oid = d.objid "
    "WHERE d.refobjid = :t AND d.classid = 'pg_class'::regclass AND s.relkind = 'S'",
    "inheritance or partitions": "SELECT count(*) FROM pg_inherits WHERE inhparent = :t "
    "OR inhrelid = :t",
    "row security or column grants": "SELECT count(*) FROM pg_class c WHERE c.oid = :t AND "
    "(c.relrowsecurity OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid "
    "AND a.attacl IS NOT NULL))",
}


def _q(conn: Connection, name: str) -> str:
    """``name`` quoted as an identifier."""
    return conn.dialect.identifier_preparer.quote(name)


def copy_binary(
    conn: Connection, table: str, columns: Sequence[str], chunks: Iterable[bytes]
) -> None:
    """One binary COPY of ``chunks`` (rows without the stream's header and trailer)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    cols = ", ".join(_q(conn, c) for c in columns)
    statement = f"COPY {_q(conn, table)} ({cols}) FROM STDIN WITH (FORMAT binary)"
    # a writer thread sends while the caller encodes the next chunk (the server parses in turn)
    with raw.cursor() as cur, cur.copy(statement, writer=QueuedLibpqWriter(cur)) as cp:
        cp.write(HEADER)
        for chunk in chunks:
            cp.write(chunk)
        cp.write(TRAILER)


def owns(conn: Connection, table: str) -> bool:
    """Whether the current role owns ``table`` (and so may rename and drop it)."""
    return bool(
        conn.execute(
            text("SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE oid = :t"),
            {"t": _oid(conn, table)},
        ).scalar()
    )


def _oid(conn: Connection, table: str) -> int:
    """The table's oid (in the search path, i.e. ``public``)."""
    return int(conn.execute(text("SELECT to_regclass(:n)::oid"), {"n": table}).scalar_one())


@dataclass(frozen=True)
class Contents:
    """The new rows of one table: binary COPY ``chunks`` of ``columns`` (db/pgbinary.py)."""

    table: str
    columns: Sequence[str]
    chunks: Iterable[bytes]


def replace_table_contents(
    conn: Connection, table: str, columns: Sequence[str], chunks: Iterable[bytes]
) -> Method:
    """Replace every row of ``table`` with the binary COPY ``chunks`` (``columns`` in order),
    in the caller's transaction; by a swap when the current role owns the table, else in place.
    Call ``drop_replaced`` after the commit. Returns the method used."""
    return replace_tables(conn, [Contents(table, columns, chunks)])


def replace_tables(conn: Connection, contents: Sequence[Contents]) -> Method:
    """Replace several tables' rows (see ``replace_table_contents``): every staging table is
    loaded and indexed first, then all swaps follow one another, so the exclusive locks are
    taken together at the end, held for the renames only until the caller commits."""
    if not all(owns(conn, c.table) for c in contents):
        for c in contents:
            _ddl(conn, f"DELETE FROM {_q(conn, c.table)}")
            copy_binary(conn, c.table, c.columns, c.chunks)
        return "in_place"
    txid = conn.execute(text("SELECT txid_current()")).scalar_one()
    swaps = [_stage(conn, c, txid) for c in contents]
    _lock_all(conn, [c.table for c in contents])
    for statement in [s for swap in swaps for s in swap]:
        _ddl(conn, statement)
    return "swap"


def _lock_all(conn: Connection, tables: Sequence[str]) -> None:
    """Take the exclusive locks of all ``tables`` for the swap without risking a deadlock with
    a reader that holds one of them and waits for another: wait SWAP_LOCK_TIMEOUT (under the
    server's deadlock timeout) for all, else give back what was taken (savepoint) and retry;
    Conflict (nothing written) when readers kept them SWAP_LOCK_ATTEMPTS times."""
    names = ", ".join(_q(conn, t) for t in tables)
    for _attempt in range(SWAP_LOCK_ATTEMPTS):
        try:
            with conn.begin_nested():  # SET LOCAL: undone by the savepoint's rollback
                conn.execute(text(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'"))
                _ddl(conn, f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
            conn.execute(text("SET LOCAL lock_timeout = DEFAULT"))
            return
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            time.sleep(random.uniform(0.0, 0.05))
    raise Conflict(
        _(
            "{tables} stayed in use by readers for {n} attempts to swap them in; nothing was "
            "written: run it again"
        ).format(tables=names, n=SWAP_LOCK_ATTEMPTS)
    )


def _stage(conn: Connection, contents: Contents, txid: int) -> list[str]:
    """Load and index the staging table of ``contents``; return the swap's renames."""
    table = contents.table
    oid = _oid(conn, table)
    for what, query in UNSUPPORTED.items():
        if conn.execute(text(query), {"t": oid}).scalar():
            raise ConfigurationError(
                _(
                    "cannot replace {table} by a swap: it has {what}, which the swap would "
                    "lose; score as a role that does not own it (in place) or remove them"
                ).format(table=table, what=what)
            )
    staging = f"_{table}_staging"
    _create_staging(conn, table, staging)
    copy_binary(conn, staging, contents.columns, contents.chunks)
    _fire_deferred(conn, staging)
    renames = _build_keys(conn, oid, table, staging, txid)
    _ddl(conn, f"ANALYZE {_q(conn, staging)}")
    old = f"_{table}{REPLACED}{txid}"
    return [
        f"ALTER TABLE {_q(conn, table)} RENAME TO {_q(conn, old)}",
        *renames,
        f"ALTER TABLE {_q(conn, staging)} RENAME TO {_q(conn, table)}",
    ]


def _create_staging(conn: Connection, table: str, staging: str) -> None:
    """An empty copy of ``table``'s columns, defaults, CHECK constraints, comments, storage
    parameters, grants and triggers; no indexes or keys yet (built after the COPY)."""
    t, s = _q(conn, table), _q(conn, staging)
    _ddl(
        conn,
        f"CREATE TABLE {s} (LIKE {t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING COMMENTS INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING STATISTICS)",
    )
    row = conn.execute(
        text(
            "SELECT obj_description(c.oid, 'pg_class'), array_to_string(c.reloptions, ', '), "
            "format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(:n)"
        ),
        {"n": table},
    ).one()
    comment, options, qualified = row
    if comment is not None:
        _ddl(conn, f"COMMENT ON TABLE {s} IS {_literal(conn, comment)}")
    if options:
        _ddl(conn, f"ALTER TABLE {s} SET ({options})")
    _copy_grants(conn, table, staging)
    triggers = conn.execute(
        text(
            "SELECT pg_get_triggerdef(oid), tgenabled, quote_ident(tgname) FROM pg_trigger "
            "WHERE tgrelid = to_regclass(:n) AND NOT tgisinternal ORDER BY tgname"
        ),
        {"n": table},
    ).all()
    mode = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}
    for definition, enabled, name in triggers:
        _ddl(conn, _retarget(definition, f" ON {qualified} ", f" ON public.{s} "))
        if enabled in mode:
            _ddl(conn, f"ALTER TABLE {s} {mode[enabled]} TRIGGER {name}")


def _fire_deferred(conn: Connection, table: str) -> None:
    """Run the deferred constraint triggers queued by the COPY into ``table`` now (a table
    with pending trigger events cannot be altered), then defer them again."""
    names = (
        conn.execute(
            text(
                "SELECT quote_ident(tgname) FROM pg_trigger WHERE tgrelid = to_regclass(:n) "
                "AND tgdeferrable AND tginitdeferred AND NOT tgisinternal"
            ),
            {"n": table},
        )
        .scalars()
        .all()
    )
    if names:
        _ddl(conn, f"SET CONSTRAINTS {', '.join(names)} IMMEDIATE")
        _ddl(conn, f"SET CONSTRAINTS {', '.join(names)} DEFERRED")


def _retarget(definition: str, old: str, new: str) -> str:
    """A catalog definition (CREATE INDEX/TRIGGER) moved to another table or name."""
    if old not in definition:
        raise ConfigurationError(
            _("unexpected catalog definition, cannot retarget: {definition}").format(
                definition=definition
            )
        )
    return definition.replace(old, new, 1)


def _copy_grants(conn: Connection, table: str, staging: str) -> None:
    """Give ``staging`` exactly ``table``'s grants (default privileges may have added more)."""
    s = _q(conn, staging)
    held = conn.execute(
        text(
            "SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
            "ELSE quote_ident(pg_get_userbyid(a.grantee)) END "
            "FROM pg_class c, aclexplode(c.relacl) a "
            "WHERE c.oid = to_regclass(:n) AND a.grantee <> c.relowner"
        ),
        {"n": staging},
    ).scalars()
    for grantee in held:
        _ddl(conn, f"REVOKE ALL ON {s} FROM {grantee}")
    wanted = conn.execute(
        text(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
            "ELSE quote_ident(pg_get_userbyid(a.grantee)) END, a.privilege_type, a.is_grantable "
            "FROM pg_class c, aclexplode(c.relacl) a "
            "WHERE c.oid = to_regclass(:n) AND a.grantee <> c.relowner"
        ),
        {"n": table},
    ).all()
    for grantee, privilege, grantable in wanted:
        option = " WITH GRANT OPTION" if grantable else ""
        _ddl(conn, f"GRANT {privilege} ON {s} TO {grantee}{option}")


def _build_keys(conn: Connection, oid: int, table: str, staging: str, txid: int) -> list[str]:
    """Build ``table``'s keys and indexes on the loaded ``staging`` (index names taken
    temporarily); return the renames that give the old table's names to the new one."""
    s = _q(conn, staging)
    constraints = conn.execute(
        text(
            "SELECT conname, contype, pg_get_constraintdef(oid), conindid, "
            "obj_description(oid, 'pg_constraint') FROM pg_constraint "
            "WHERE conrelid = :t AND contype IN ('p', 'u', 'x', 'f') ORDER BY contype DESC, conname"
        ),
        {"t": oid},
    ).all()
    renames: list[str] = []
    for name, kind, definition, _table, comment in constraints:
        # names of foreign keys are per table (the real name right away), of keys per schema
        temp = name if kind == "f" else _temp_name(name, "n", txid)
        _ddl(conn, f"ALTER TABLE {s} ADD CONSTRAINT {_q(conn, temp)} {definition}")
        if comment is not None:
            _ddl(
                conn, f"COMMENT ON CONSTRAINT {_q(conn, temp)} ON {s} IS {_literal(conn, comment)}"
            )
        if kind != "f":
            renames += _rename_index(conn, name, temp, txid)
    backing = {c[3] for c in constraints if c[1] != "f"}
    indexes = conn.execute(
        text(
            "SELECT i.oid, i.relname, pg_get_indexdef(i.oid), "
            "format('%I.%I', n.nspname, t.relname), obj_description(i.oid, 'pg_class') "
            "FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE x.indrelid = :t ORDER BY 1"
        ),
        {"t": oid},
    ).all()
    for index, name, definition, qualified, comment in indexes:
        if index in backing:
            continue
        temp = _temp_name(name, "n", txid)
        old = f" INDEX {_q(conn, name)} ON {qualified} "
        _ddl(conn, _retarget(definition, old, f" INDEX {_q(conn, temp)} ON public.{s} "))
        if comment is not None:
            _ddl(conn, f"COMMENT ON INDEX {_q(conn, temp)} IS {_literal(conn, comment)}")
        renames += _rename_index(conn, name, temp, txid)
    return renames


def _ddl(conn: Connection, statement: str) -> None:
    """Run generated DDL as is (catalog definitions may hold ':' or '%' in literals)."""
    conn.exec_driver_sql(statement)


def _literal(conn: Connection, value: str) -> str:
    """``value`` as an SQL string literal, quoted by the server."""
    return str(conn.execute(text("SELECT quote_literal(:v)"), {"v": value}).scalar_one())


def _rename_index(conn: Connection, name: str, temp: str, txid: int) -> list[str]:
    """The two renames that move the old index ``name`` aside and give it to ``temp``."""
    aside = _temp_name(name, "r", txid)
    return [
        f"ALTER INDEX {_q(conn, name)} RENAME TO {_q(conn, aside)}",
        f"ALTER INDEX {_q(conn, temp)} RENAME TO {_q(conn, name)}",
    ]


def _temp_name(name: str, tag: str, txid: int) -> str:
    """A name for an index while two tables hold it (within PostgreSQL's 63 bytes)."""
    suffix = f"_{tag}{txid}"
    return name[: 63 - len(suffix)] + suffix


def drop_replaced(engine: Engine, tables: Sequence[str]) -> list[str]:
    """Drop the old tables that committed swaps of ``tables`` renamed aside; each in its own
    short transaction that gives way to readers (DROP_LOCK_TIMEOUT, DROP_ATTEMPTS) and at
    last leaves the table to the next run. Returns the tables dropped."""
    pattern = "^_(" + "|".join(re.escape(t) for t in tables) + f"){REPLACED}[0-9]+$"
    with engine.connect() as conn:
        leftovers = (
            conn.execute(
                text(
                    "SELECT c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname ~ :pattern "
                    "AND pg_get_userbyid(c.relowner) = current_user ORDER BY 1"
                ),
                {"pattern": pattern},
            )
            .scalars()
            .all()
        )
    dropped = []
    for name in leftovers:
        for attempt in range(1, DROP_ATTEMPTS + 1):
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_q(conn, name)}")
                dropped.append(name)
                break
            except DBAPIError as exc:  # busy readers: try again, at last leave it to next run
                if attempt == DROP_ATTEMPTS:
                    log.warning("could not drop %s yet (%s); the next run will", name, exc.orig)
                time.sleep(random.uniform(0.05, 0.2))
    return dropped
