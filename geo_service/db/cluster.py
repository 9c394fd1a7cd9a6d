"""The embedded PostGIS cluster used when ``DATABASE_URL`` is unset.

It runs the system's PostgreSQL 15 binaries on a free loopback port. As root, the cluster runs as
an unprivileged OS user (``postgres`` by default); its data and socket live in a directory that
user can reach: ``.geo_service/cluster`` in the checkout when the user can enter it, otherwise a
directory under ``/var/tmp`` keyed to the checkout's path.

Three database roles, each with a generated password in a mode-600 file: the superuser (creates
databases and the PostGIS extension), the owner of the application database (runs migrations)
and the service role the API and CLI connect as (rows only, no DDL; see ``db/roles.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from geo_service.config import Settings
from geo_service.errors import ClusterError, InputError
from geo_service.i18n import _

# Which login each URL uses: the superuser, the schema owner, the service role.
ROLES = ("admin", "owner", "service")


@dataclass(frozen=True)
class Cluster:
    """Paths and identity of one embedded cluster."""

    base: Path
    os_user: str | None  # None: run as the current user
    settings: Settings

    @property
    def data_dir(self) -> Path:
        """PGDATA of the cluster."""
        return self.base / "pgdata"

    @property
    def socket_dir(self) -> Path:
        """Directory of the Unix socket."""
        return self.base / "run"

    @property
    def log_file(self) -> Path:
        """Server log."""
        return self.base / "postgres.log"

    @property
    def port_file(self) -> Path:
        """File holding the port the cluster last listened on."""
        return self.base / "port"

    @property
    def password_file(self) -> Path:
        """File holding the generated password of the database superuser."""
        return self.base / "password"

    def role_password_file(self, role: str) -> Path:
        """File holding the generated password of ``role`` (admin, owner or service)."""
        return self.password_file if role == "admin" else self.base / f"password-{role}"

    def user(self, role: str) -> str:
        """The database user name of ``role`` (admin, owner or service)."""
        s = self.settings
        if role not in ROLES:
            raise InputError(
                _("unknown database role “{role}”; use one of {roles}").format(
                    role=role, roles=", ".join(ROLES)
                )
            )
        return {"admin": s.db_user, "owner": s.db_owner, "service": s.db_service_user}[role]

    def port(self) -> int | None:
        """Return the recorded port, if the cluster was started before."""
        try:
            return int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def url(self, role: str = "service") -> str:
        """Return the SQLAlchemy URL of the application database as ``role``: the service
        role (default), the schema ``owner`` or the ``admin`` superuser."""
        port = self.port()
        user = self.user(role)
        try:
            password = self.role_password_file(role).read_text().strip()
        except OSError:
            port = None
        if port is None:
            raise ClusterError(
                _(
                    "the embedded cluster of {home} has not been started: run "
                    "`geo-service db start`"
                ).format(home=self.settings.home)
            )
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{port}/{self.settings.db_name}"


def locate(settings: Settings) -> Cluster:
    """Find (and create) the directory of the cluster belonging to this checkout."""
    home = settings.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return Cluster(base=home / "cluster", os_user=None, settings=settings)
    user = settings.pg_os_user
    try:
        pw = pwd.getpwnam(user)
    except KeyError as exc:
        raise ClusterError(
            _("the OS user “{user}” for the embedded cluster does not exist").format(user=user)
        ) from exc
    local = home / "cluster"
    local.mkdir(exist_ok=True)
    os.chown(local, pw.pw_uid, pw.pw_gid)
    if _user_can_write(user, local):
        return Cluster(base=local, os_user=user, settings=settings)
    key = hashlib.sha256(str(home).encode()).hexdigest()[:12]
    shared = Path("/var/tmp") / f"geo_service-{key}"
    shared.mkdir(mode=0o700, exist_ok=True)
    os.chown(shared, pw.pw_uid, pw.pw_gid)
    (home / "cluster-location").write_text(f"{shared}\n")
    return Cluster(base=shared, os_user=user, settings=settings)


def _user_can_write(user: str, path: Path) -> bool:
    """Tell whether ``user`` can enter and write ``path`` (checks every parent's permissions)."""
    probe = ["runuser", "-u", user, "--", "test", "-w", str(path), "-a", "-x", str(path)]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def _run(
    cluster: Cluster, args: list[str], *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL binary as the cluster's OS user and return the finished process."""
    cmd = [str(cluster.settings.pg_bin / args[0]), *args[1:]]
    if cluster.os_user:
        cmd = ["runuser", "-u", cluster.os_user, "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd="/")
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise ClusterError(f"{args[0]} failed: {detail[-1] if detail else proc.returncode}")
    return proc


def _chown(cluster: Cluster, path: Path) -> None:
    """Give ``path`` to the cluster's OS user (no-op when running unprivileged)."""
    if cluster.os_user:
        pw = pwd.getpwnam(cluster.os_user)
        os.chown(path, pw.pw_uid, pw.pw_gid)


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    """Tell whether PostgreSQL could listen on ``port`` on 127.0.0.1 again: like the server,
    with SO_REUSEADDR, so connections it closed at stop (TIME_WAIT, FIN-WAIT) do not move a
    restarted cluster to another port under the feet of running services."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def is_initialised(cluster: Cluster) -> bool:
    """Tell whether ``initdb`` has run for this cluster."""
    return (cluster.data_dir / "PG_VERSION").exists()


def running_pid(cluster: Cluster) -> int | None:
    """Return the postmaster's pid when the cluster is really running, else None."""
    pid_file = cluster.data_dir / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return None
    exe = Path(cmdline[0].decode(errors="replace")).name if cmdline else ""
    return (
        pid if exe == "postgres" and str(cluster.data_dir).encode() in b" ".join(cmdline) else None
    )


def recover_stale_pid(cluster: Cluster) -> bool:
    """Remove a postmaster.pid left by a crash or reboot; return True if one was removed."""
    pid_file = cluster.data_dir / "postmaster.pid"
    if not pid_file.exists() or running_pid(cluster) is not None:
        return False
    pid_file.unlink()
    for lock in cluster.socket_dir.glob(".s.PGSQL.*"):
        lock.unlink(missing_ok=True)
    return True


def init(cluster: Cluster) -> None:
    """Create the cluster with a generated superuser password (scram-sha-256)."""
    cluster.base.mkdir(parents=True, exist_ok=True)
    _chown(cluster, cluster.base)
    cluster.socket_dir.mkdir(exist_ok=True)
    _chown(cluster, cluster.socket_dir)
    if not cluster.password_file.exists():
        cluster.password_file.write_text(secrets.token_urlsafe(24) + "\n")
        cluster.password_file.chmod(0o600)
        _chown(cluster, cluster.password_file)
    _run(
        cluster,
        [
            "initdb",
            "-D",
            str(cluster.data_dir),
            "-U",
            cluster.settings.db_user,
            "--auth=scram-sha-256",
            f"--pwfile={cluster.password_file}",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
    )
    conf = cluster.data_dir / "postgresql.conf"
    with conf.open("a") as fh:
        fh.write(
            "\n# geo_service embedded cluster\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{cluster.socket_dir}'\n"
            "max_connections = 200\n"
            "shared_buffers = 256MB\n"
            "work_mem = 32MB\n"
            "maintenance_work_mem = 256MB\n"
        )


def enable_tls(cluster: Cluster, certificate: bytes, key: bytes) -> None:
    """Serve TLS with ``certificate`` (PEM, with its chain) and ``key`` (PEM), and refuse
    unencrypted TCP connections (``hostssl`` only in pg_hba.conf); takes effect at the next
    start. For a cluster that stands in for a city's own server."""
    for name, data in (("server.crt", certificate), ("server.key", key)):
        path = cluster.data_dir / name
        path.write_bytes(data)
        path.chmod(0o600)
        _chown(cluster, path)
    with (cluster.data_dir / "postgresql.conf").open("a") as fh:
        fh.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
    hba = cluster.data_dir / "pg_hba.conf"
    lines = hba.read_text().splitlines()
    hba.write_text(
        "\n".join("hostssl" + line[4:] if line.startswith("host ") else line for line in lines)
        + "\n"
    )


def start(cluster: Cluster, provision: bool = True) -> str:
    """Start the cluster if needed and (``provision``) create the application database, its
    roles and PostGIS; without, only the superuser exists (an administrator's bare server).
    Return what was done."""
    if not is_initialised(cluster):
        init(cluster)
        done = _("initialised and started")
    else:
        done = _("started")
    if running_pid(cluster) is not None:
        # roles of clusters started by older versions; a second city's database
        # (GEO_SERVICE_DB_NAME) on first use
        if provision:
            _ensure_database(cluster)
        return _("already running")
    recovered = recover_stale_pid(cluster)
    port = cluster.port()
    if port is None or not _port_free(port):
        port = _free_port()
    cluster.port_file.write_text(f"{port}\n")
    cluster.log_file.touch()
    _chown(cluster, cluster.log_file)
    _run(
        cluster,
        [
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(cluster.data_dir),
            "-l",
            str(cluster.log_file),
            "-o",
            f"-p {port}",
        ],
    )
    if provision:
        _ensure_database(cluster)
    return _("{done} (recovered a stale pid file)").format(done=done) if recovered else done


def role_password(cluster: Cluster, role: str) -> str:
    """The generated password of ``role`` (created with mode 600 on first use)."""
    path = cluster.role_password_file(role)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24) + "\n")
        path.chmod(0o600)
        _chown(cluster, path)
    return path.read_text().strip()


def _ensure_database(cluster: Cluster) -> None:
    """Create the owner and service roles, the application database (owned by the owner) and
    PostGIS if missing; hand objects an older version created as superuser to the owner."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from geo_service.db import roles

    admin = make_url_for(cluster, "admin", "postgres")
    engine = create_engine(
        admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 10}
    )
    for attempt in range(50):
        try:
            conn = engine.connect()
            break
        except OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.1)
    s = cluster.settings
    with conn:
        for role in ("owner", "service"):
            roles.ensure_login_role(conn, cluster.user(role), role_password(cluster, role))
        owner = cluster.user("owner")
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": s.db_name}
        ).first()
        verb = (
            f'ALTER DATABASE "{s.db_name}" OWNER TO'
            if exists
            else f'CREATE DATABASE "{s.db_name}" OWNER'
        )
        conn.execute(text(f'{verb} "{owner}"'))
    engine.dispose()
    engine = create_engine(make_url_for(cluster, "admin", s.db_name), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        roles.hand_over(conn, owner)
    engine.dispose()


def make_url_for(cluster: Cluster, role: str, database: str) -> str:
    """The cluster's URL as ``role`` on another database (e.g. the maintenance ``postgres``)."""
    from sqlalchemy.engine import make_url

    return make_url(cluster.url(role)).set(database=database).render_as_string(hide_password=False)


def stop(cluster: Cluster, mode: str = "fast") -> str:
    """Stop the cluster (``fast``: roll back open transactions and shut down cleanly;
    ``immediate``: quit at once, crash recovery at the next start); return what was done."""
    if running_pid(cluster) is None:
        recover_stale_pid(cluster)
        return _("not running")
    _run(cluster, ["pg_ctl", "stop", "-w", "-m", mode, "-D", str(cluster.data_dir)])
    return _("stopped")


def kill(cluster: Cluster) -> None:
    """Kill the postmaster without a clean shutdown (used to test crash recovery)."""
    pid = running_pid(cluster)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
