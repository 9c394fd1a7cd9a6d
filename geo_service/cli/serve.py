"""``geo-service serve`` and ``geo-service demo``: run the HTTP API."""

from __future__ import annotations

import atexit
import ipaddress
import logging
import os
import shutil
import socket
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console
from geo_service.errors import InputError
from geo_service.i18n import _

if TYPE_CHECKING:
    from geo_service.config import Settings


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, settings: Settings) -> None:
    """Refuse to serve on a non-loopback interface with a published or short secret."""
    from geo_service.config import MIN_SECRET_CHARS, weak_secret

    problem = weak_secret(settings)
    if problem and not is_loopback(host):
        raise InputError(
            _(
                "refusing to serve on {host}: {problem}. Set GEO_SERVICE_SECRET_KEY to a random "
                "string of at least {n} characters (e.g. `python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`), or unset it to use the secret generated "
                "for this installation"
            ).format(host=host, problem=problem, n=MIN_SECRET_CHARS)
        )


# Seconds a worker may take to answer the supervisor's ping before it is killed as hung: on a
# loaded machine a busy worker (app start-up, a ranker reload after a re-score) can miss uvicorn's
# default 5 s and would be killed mid-request (clients see a dropped connection).
WORKER_HEALTHCHECK_S = 30


def bind(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` (so what is printed next is true), or InputError
    naming the port and how to choose another when something listens there already."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise InputError(
            _(
                "cannot listen on {host}:{port} ({reason}): another process uses port {port}. "
                "Choose another: GEO_SERVICE_PORT={other} make demo, or geo-service demo "
                "--port {other} (serve --port {other})"
            ).format(host=host, port=port, reason=exc.strerror, other=port + 10)
        ) from None
    sock.set_inheritable(True)
    return sock


def metrics_directory() -> Path:
    """A fresh, empty directory for the workers' metrics (prometheus-client's multiprocess
    mode, see api/metrics.py), set in the environment the workers inherit and removed when the
    server exits; an administrator's own ``PROMETHEUS_MULTIPROC_DIR`` is emptied and used.
    Set before prometheus-client is first imported (it decides its mode then), so that one
    worker serving in this very process counts into the directory too."""
    from geo_service.api import MULTIPROC_ENV

    given = os.environ.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # counters of an earlier run would add up
            stale.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="geo_service-metrics-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def check_web_assets(settings: Settings) -> None:
    """One clear line and exit code 3, before anything starts, when the npm packages of the
    maps and /docs are missing (a `pip install` without `make`)."""
    from geo_service.api.docs import NPM_FILES
    from geo_service.maps.assets import check_installed

    check_installed(settings, NPM_FILES)


def vendor_map_assets(settings: Settings) -> None:
    """Put the maps' assets into the maps folder when `maps render` never ran there, so that
    the household map and /maps/static work on a fresh server; a folder the server may not
    write is said, not fatal (the maps then lack their assets until `maps render` runs)."""
    from geo_service.cli.common import err
    from geo_service.maps.assets import sources, vendor

    static = Path(settings.maps_dir) / "static"
    if all((static / name).exists() for name in sources(settings)):
        return
    try:
        vendor(static)
    except OSError as exc:
        said = _(
            "cannot put the maps' assets into {folder} ({reason}): run `geo-service maps render` "
            "as a user who may write there"
        )
        err.print(said.format(folder=static, reason=exc.strerror))


def run_server(host: str, port: int, workers: int = 1, sock: socket.socket | None = None) -> None:
    """Run uvicorn with the app factory on ``sock`` (bound here when not given); several
    workers share nothing but the database (uvicorn binds for them, after the check) and their
    metrics meet in one directory; logging JSON lines."""
    import uvicorn

    from geo_service.api.logging import configure_logging, uvicorn_log_config
    from geo_service.config import get_settings
    from geo_service.db.engine import database_url, describe

    settings = get_settings()
    check_exposure(host, settings)
    sock = sock or bind(host, port)
    metrics_directory()
    configure_logging()
    logging.getLogger("geo_service.serve").info(
        "serving", extra={"database": describe(database_url(settings), settings)}
    )
    options = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "info",
        "log_config": uvicorn_log_config(),
        "access_log": False,
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_S,
    }
    if workers > 1:  # uvicorn's supervisor binds the port for its workers
        sock.close()
        uvicorn.run("geo_service.api.app:create_app", **options)  # type: ignore[arg-type]
        return
    config = uvicorn.Config("geo_service.api.app:create_app", **options)  # type: ignore[arg-type]
    uvicorn.Server(config).run(sockets=[sock])


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default from settings: 127.0.0.1)."),
    port: int = typer.Option(None, help="TCP port (default from settings: 8000)."),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes."),
) -> None:
    """Run the HTTP API."""
    from sqlalchemy.exc import OperationalError

    from geo_service.config import get_settings
    from geo_service.db.engine import get_engine

    settings = get_settings()
    check_web_assets(settings)
    vendor_map_assets(settings)
    # checks GEO_SERVICE_CRS against the database's storage CRS (one clear line); a database
    # that is down at start is reported by /ready until it is back
    with suppress(OperationalError):
        get_engine()
    run_server(host or settings.host, port or settings.port, workers)


def print_access(
    base: str, logins: dict[str, tuple[str, str]], keys: dict[str, str], organisation: str | None
) -> None:
    """The demo's ways in: the workspace and its logins, the API, maps, OGC and the keys."""
    from datetime import date, timedelta

    from geo_service.auth.role_names import role_name
    from geo_service.config import get_settings
    from geo_service.maps.render import PUBLIC

    def keeps(role: str) -> str:
        """What the partner's login or key keeps, when there is a partner."""
        if role != "partner" or organisation is None:
            return ""
        return "  " + _("(keeps the offers of {organisation})").format(organisation=organisation)

    console.print()
    console.print(_("Workspace: {url}  (log in with a demo login below)").format(url=f"{base}/"))
    console.print(_("Demo logins (new passwords on every demo start):"))
    for role, (login, password) in logins.items():
        console.print(f"  {role_name(role):<22} {login:<18} {password}{keeps(role)}")
    console.print()
    console.print(_("API: {url}").format(url=f"{base}/api/v1"))
    console.print(_("API documentation: {url}").format(url=f"{base}/docs"))
    console.print(_("Ready: {url}").format(url=f"{base}/ready"))
    console.print(_("Maps: {url} (the same login), then").format(url=f"{base}/maps/"))
    for name in PUBLIC:
        console.print(f"        {base}/maps/{name}.html")
    console.print(
        _("OGC: {url} (OGC API – Features for QGIS, GDAL, OWSLib; X-API-Key)").format(
            url=f"{base}/ogc"
        )
    )
    hours = get_settings().demo_key_hours
    console.print(
        _(
            "Demo API keys (header X-API-Key), valid for {hours} h "
            "(`geo-service apikey create` makes lasting ones):"
        ).format(hours=hours)
    )
    for role, key in keys.items():
        console.print(f"  {role:<15} {key}{keeps(role)}")
    body = (
        '{"household": {"size": 4, "children_ages": [3, 8], "languages": ["ar"], "needs": [], '
        f'"move_in": "{date.today() + timedelta(days=30)}"}}, "limit": 3}}'
    )
    console.print()
    console.print(
        _("Try:") + f"  curl -s -X POST {base}/api/v1/placements/rank -H 'X-API-Key: "
        f"{keys['housing_office']}' -H 'Content-Type: application/json' -d '{body}'"
    )
    console.print()


@app.command()
def demo(
    host: str = typer.Option(None, help="Interface to bind (default 127.0.0.1)."),
    port: int = typer.Option(None, help="TCP port (default 8000)."),
) -> None:
    """Listen on the port, start the DB, migrate, load and score the sample, create demo keys,
    print URLs and keys, serve."""
    from datetime import timedelta

    from geo_service.audit import record
    from geo_service.auth.keys import demo_organisation, issue_demo_keys
    from geo_service.auth.users import issue_demo_logins
    from geo_service.config import get_settings
    from geo_service.db import cluster, migrate
    from geo_service.db.engine import get_engine, owner_engine
    from geo_service.i18n import formats
    from geo_service.ingest.sample import load_sample
    from geo_service.ingest.sample import summary as sample_summary
    from geo_service.maps.render import render_public
    from geo_service.scoring.pipeline import score_all
    from geo_service.scoring.profile import load_profile
    from geo_service.scoring.ranker_disk import keep_current
    from geo_service.transition.sample import load_sample_waiting_list
    from geo_service.web.words import waiting_counts

    settings = get_settings()
    check_web_assets(settings)
    host, port = host or settings.host, port or settings.port
    check_exposure(host, settings)
    sock = bind(host, port)  # before anything is printed: the URLs below are this process's
    if not settings.database_url:
        console.print(
            _("Embedded database: {state}").format(state=cluster.start(cluster.locate(settings)))
        )
    done = migrate.migrate_database(settings)
    console.print(
        _("Schema: {version}").format(version=done.after)
        if done.before == done.after
        else _("Schema: {version} (migrated from {old})").format(
            version=done.after, old=done.before
        )
    )
    engine = get_engine()
    counts = load_sample(engine)
    console.print(
        _("Sample data (INVENTED, for illustration only): {counts}").format(
            counts=sample_summary(counts)
        )
    )
    profile = load_profile(settings.profile_path)
    scorer = owner_engine(settings)  # the owner swaps the rewritten tables in (db/bulk.py)
    try:
        scored = score_all(scorer, profile)
    finally:
        scorer.dispose()
    console.print(
        _("Scored: {flats} flats, {districts} districts, {cells} H3 cells in {seconds} s").format(
            flats=formats.number(scored.flats, 0),
            districts=formats.number(scored.districts, 0),
            cells=formats.number(scored.cells, 0),
            seconds=formats.number(sum(scored.seconds.values())),
        )
    )
    keep_current(engine, profile)  # the first `geo-service rank` then reads no features
    waiting = load_sample_waiting_list(engine, profile)
    console.print(_("Waiting list (INVENTED): {counts}").format(counts=waiting_counts(waiting)))
    sample_pbf = settings.data_dir / "sample" / "network.osm.pbf"
    maps = render_public(engine, settings.maps_dir, profile, pbf=sample_pbf)
    console.print(
        _("Maps: {n} drawn into {folder} (they open from disk, offline too)").format(
            n=len(maps), folder=settings.maps_dir
        )
    )
    lifetime = timedelta(hours=settings.demo_key_hours)
    with engine.begin() as conn:
        demo_keys, old = issue_demo_keys(conn, lifetime)
        partner = demo_organisation(conn)
        logins = issue_demo_logins(conn, partner[0] if partner else None)
        record(
            conn,
            "demo_logins_issued",
            role="cli",
            key_id=None,
            detail={"logins": [login for login, _ in logins.values()]},
        )
        record(
            conn,
            "demo_keys_issued",
            role="cli",
            key_id=None,
            detail={"roles": list(demo_keys), "revoked": old, "hours": settings.demo_key_hours},
        )
    organisation = partner[1] if partner else None
    print_access(f"http://{host}:{port}", logins, demo_keys, organisation)
    if old:
        console.print(_("{n} earlier demo keys revoked.").format(n=old))
    run_server(host, port, sock=sock)
