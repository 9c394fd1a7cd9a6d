"""Backup and restore of the application database: one archive file an administrator can keep.

``backup`` writes a tar archive holding

- ``database.dump``: ``pg_dump`` in its custom format (compressed; PostgreSQL's own tool, so the
  dump restores with ``pg_restore`` too, without geo_service);
- ``storage_crs.json``: the storage CRS the geometries are in (a database restored under a
  different ``GEO_SERVICE_CRS`` would be refused at start: ``restore`` refuses it first);
- ``manifest.json``: schema revision, versions, the dump's SHA-256, and each table's row count
  and checksum (SHA-256 over its rows in key order, as text with fixed settings: time zone
  UTC, shortest exact floats), all taken in the dump's own snapshot (``pg_dump --snapshot``), so
  the figures describe exactly what is in the dump even while the service writes.

``restore`` puts the archive into an empty database (as its owner, with PostGIS created by an
administrator; a schema that holds no rows yet, e.g. just migrated, counts as empty); a
database holding data is refused unless forced, which drops its tables first.
The restore is one transaction (``pg_restore --single-transaction``); then the service role is
granted its rows as ``db migrate`` does, every table's checksum is compared with the manifest,
and the restore is audited.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, text

from geo_service import __version__
from geo_service.audit import record
from geo_service.config import Settings, get_settings
from geo_service.db import crs, migrate, roles
from geo_service.errors import ConfigurationError, DataLossRefused, InputError
from geo_service.i18n import _

FORMAT = "geo_service-backup/1"
DUMP, MANIFEST, STORAGE = "database.dump", "manifest.json", "storage_crs.json"
# Session settings that make a table's text form the same on every server.
STABLE_TEXT = (
    "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; "
    "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 1; "
    "SET LOCAL bytea_output = 'hex'"
)
# pg_restore list entries left out: PostGIS and the public schema exist already (made by an
# administrator), and its spatial_ref_sys belongs to the extension.
SKIPPED_ENTRIES = ("EXTENSION", "SCHEMA - public", "TABLE DATA public spatial_ref_sys")


class TableSum(BaseModel):
    """One table's row count and checksum."""

    rows: int
    sha256: str


class Manifest(BaseModel):
    """What a backup archive holds."""

    format: str = FORMAT
    created_at: datetime
    geo_service_version: str
    postgres_version: str
    revision: str | None
    storage_crs: dict[str, Any]
    dump_sha256: str
    tables: dict[str, TableSum]


class RestoreReport(BaseModel):
    """What a restore did."""

    manifest: Manifest
    replaced_tables: int = Field(description="Tables with rows that --force replaced.")
    migrate_needed: bool


def client_args(engine: Engine) -> tuple[str, dict[str, str]]:
    """``engine``'s database as a libpq URL for pg_dump and pg_restore, and their environment
    with the password in PGPASSWORD (never on a command line, which other users could see)."""
    url = engine.url.set(drivername="postgresql")
    env = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    return url.set(password=None).render_as_string(hide_password=False), env


def user_tables(conn: Connection) -> list[tuple[str, list[str]]]:
    """The database's own tables in ``public`` (not PostGIS's), each with its primary key
    columns (empty: none), in name order."""
    rows = conn.execute(
        text(
            """
            SELECT c.relname,
                   coalesce((SELECT array_agg(a.attname ORDER BY k.n)
                             FROM pg_index i
                             CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                             WHERE i.indrelid = c.oid AND i.indisprimary), '{}')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
            ORDER BY c.relname
            """
        )
    ).all()
    return [(name, list(keys)) for name, keys in rows]


def table_sums(conn: Connection) -> dict[str, TableSum]:
    """Every own table's row count and SHA-256 over its rows (COPY text, in key order; by the
    whole row where a table has no key), streamed, so tables of any size fit."""
    conn.exec_driver_sql(STABLE_TEXT)
    raw = conn.connection.driver_connection
    assert raw is not None
    out = {}
    for table, keys in user_tables(conn):
        order = ", ".join(f'"{k}"' for k in keys) if keys else "t::text"
        digest, rows = hashlib.sha256(), 0
        with (
            raw.cursor() as cur,
            cur.copy(f'COPY (SELECT * FROM "{table}" t ORDER BY {order}) TO STDOUT') as copy,
        ):
            for block in copy:
                digest.update(block)
                rows += bytes(block).count(b"\n")
        out[table] = TableSum(rows=rows, sha256=digest.hexdigest())
    return out


def _run(
    args: list[str], what: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client tool; its last error line becomes a ConfigurationError."""
    proc = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise ConfigurationError(
            _("{tool} failed: {reason}").format(
                tool=what, reason=lines[-1] if lines else proc.returncode
            )
        )
    return proc


def _file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(engine: Engine, out: Path, settings: Settings | None = None) -> Manifest:
    """Write the archive of ``engine``'s database (connect as its owner) to ``out``."""
    settings = settings or get_settings()
    url, env = client_args(engine)
    with engine.connect() as plain, tempfile.TemporaryDirectory() as tmp:
        conn = plain.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        dump = Path(tmp) / DUMP
        _run(
            [
                str(settings.pg_bin / "pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                "--no-owner",
                "--no-privileges",
                f"--dbname={url}",
            ],
            "pg_dump",
            env,
        )
        storage = crs.storage_crs(conn)
        manifest = Manifest(
            created_at=datetime.now(UTC),
            geo_service_version=__version__,
            postgres_version=conn.exec_driver_sql("SHOW server_version").scalar_one(),
            revision=conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar(),
            storage_crs={"srid": storage.srid, "code": storage.code},
            dump_sha256=_file_sha256(dump),
            tables=table_sums(conn),
        )
        conn.rollback()  # read only: nothing to keep
        partial = out.with_name(f".{out.name}.{os.getpid()}.part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w") as tar:
            for name, data in (
                (MANIFEST, manifest.model_dump_json(indent=1)),
                (STORAGE, json.dumps(manifest.storage_crs, indent=1)),
            ):
                _add_bytes(tar, name, data.encode())
            tar.add(dump, arcname=DUMP)
        partial.replace(out)  # a backup file is complete or absent
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    """Add ``data`` to ``tar`` as the file ``name``."""
    import io

    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


@contextmanager
def opened(archive: Path) -> Iterator[tuple[Manifest, Path]]:
    """The archive's manifest and its dump unpacked to a temporary file, checked against the
    manifest's SHA-256."""
    try:
        with tarfile.open(archive) as tar, tempfile.TemporaryDirectory() as tmp:
            names = set(tar.getnames())
            if not {DUMP, MANIFEST} <= names:
                raise InputError(
                    _("{path}: not a geo_service backup (no {manifest} or {dump})").format(
                        path=archive, manifest=MANIFEST, dump=DUMP
                    )
                )
            meta = tar.extractfile(MANIFEST)
            assert meta is not None
            manifest = Manifest.model_validate_json(meta.read())
            tar.extract(DUMP, tmp, filter="data")
            dump = Path(tmp) / DUMP
            if manifest.format != FORMAT:
                raise InputError(
                    _("{path}: backup format {found}, this version reads {wanted}").format(
                        path=archive, found=manifest.format, wanted=FORMAT
                    )
                )
            if _file_sha256(dump) != manifest.dump_sha256:
                raise InputError(
                    _("{path}: the dump does not match its checksum (damaged)").format(path=archive)
                )
            yield manifest, dump
    except (tarfile.TarError, OSError) as exc:
        raise InputError(
            _("{path}: cannot read the backup ({reason})").format(path=archive, reason=exc)
        ) from None


# Rows the migrations write themselves: a freshly migrated database holds only these.
SCHEMA_ROWS = ("alembic_version", "storage_crs", "state_version")


def tables_with_rows(conn: Connection) -> list[str]:
    """The database's own tables that hold data (not only what the migrations write)."""
    return [
        table
        for table, _ in user_tables(conn)
        if table not in SCHEMA_ROWS
        and conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')).scalar_one()
    ]


def drop_own_objects(conn: Connection) -> None:
    """Drop the database's own tables, views and functions (for ``restore --force``)."""
    for kind, name in conn.execute(
        text(
            """
            SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                   quote_ident(c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid
                              AND d.deptype IN ('e', 'a', 'i'))
            UNION ALL
            SELECT 'FUNCTION', p.oid::regprocedure::text
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
            """
        )
    ).all():
        conn.execute(text(f"DROP {kind} IF EXISTS {name} CASCADE"))


def restore(
    engine: Engine,
    archive: Path,
    *,
    force: bool = False,
    service_role: str | None = None,
    settings: Settings | None = None,
) -> RestoreReport:
    """Restore ``archive`` into ``engine``'s database (connect as its owner): refused when it
    holds tables (unless ``force``), when its storage CRS is not the configured one or when the
    backup's schema is newer than this version; checked table by table against the manifest."""
    settings = settings or get_settings()
    with opened(archive) as (manifest, dump):
        _check_compatible(manifest, settings)
        with engine.begin() as conn:
            if not conn.execute(
                text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
            ).first():
                raise ConfigurationError(
                    _(
                        "PostGIS is missing in the target database: an administrator runs "
                        "`CREATE EXTENSION postgis` there first (docs/guides/administrator.md, "
                        "Operations)"
                    )
                )
            found = tables_with_rows(conn)
            if found and not force:
                raise DataLossRefused(
                    _(
                        "the target database is not empty ({n} tables hold rows, e.g. "
                        "{tables}): restore refuses to overwrite it; restore into an empty "
                        "database, or replace everything in it with --force"
                    ).format(n=len(found), tables=", ".join(found[:3]))
                )
            drop_own_objects(conn)  # nothing (or, forced, what is to be replaced)
        _pg_restore(engine, dump, settings)
    with engine.begin() as conn:
        me = conn.execute(text("SELECT current_user")).scalar_one()
        if service_role and service_role != me:
            roles.grant_service_role(conn, service_role)
        sums = table_sums(conn)
    differ = sorted(
        t for t in manifest.tables.keys() | sums.keys() if manifest.tables.get(t) != sums.get(t)
    )
    if differ:
        raise ConfigurationError(
            _("the restored database does not match the backup's manifest: {tables}").format(
                tables=", ".join(differ)
            )
        )
    with engine.begin() as conn:
        record(
            conn,
            "backup.restore",
            role="cli",
            key_id=None,
            detail={
                "backup_created_at": manifest.created_at.isoformat(),
                "revision": manifest.revision,
            },
        )
    return RestoreReport(
        manifest=manifest,
        replaced_tables=len(found),
        migrate_needed=manifest.revision != migrate.head_revision(),
    )


def _check_compatible(manifest: Manifest, settings: Settings) -> None:
    """Refuse a backup in another storage CRS than the configured one, or of a schema this
    version does not know."""
    configured = crs.configured(settings)
    if manifest.storage_crs.get("srid") != configured.srid:
        raise ConfigurationError(
            _(
                "the backup's geometries are in {backup}, this installation's GEO_SERVICE_CRS "
                "is {configured}: set GEO_SERVICE_CRS to the backup's before restoring"
            ).format(backup=manifest.storage_crs.get("code"), configured=configured.code)
        )
    script = ScriptDirectory.from_config(migrate.alembic_config())
    known = [r.revision for r in script.walk_revisions()]
    if manifest.revision is not None and manifest.revision not in known:
        raise ConfigurationError(
            _(
                "the backup's schema revision {revision} is newer than this version of "
                "geo_service knows ({head}): restore it with that version"
            ).format(revision=manifest.revision, head=migrate.head_revision())
        )


def _pg_restore(engine: Engine, dump: Path, settings: Settings) -> None:
    """``pg_restore`` the dump in one transaction, without PostGIS's own entries."""
    tool = str(settings.pg_bin / "pg_restore")
    url, env = client_args(engine)
    listing = _run([tool, "--list", str(dump)], "pg_restore --list").stdout.splitlines()
    kept = [line for line in listing if not any(f" {s} " in line for s in SKIPPED_ENTRIES)]
    with tempfile.NamedTemporaryFile("w", suffix=".list") as fh:
        fh.write("\n".join(kept) + "\n")
        fh.flush()
        _run(
            [
                tool,
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--use-list={fh.name}",
                f"--dbname={url}",
                str(dump),
            ],
            "pg_restore",
            env,
        )
