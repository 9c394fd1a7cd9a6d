"""Command-line entry point ``geo-service``: registers every command module and maps errors.

The command modules import only typer and rich at the top; each command imports the services
it calls, so ``geo-service --help`` starts without loading pandas, SQLAlchemy or FastAPI.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import typer

from geo_service.cli import allocate as _allocate  # noqa: F401  (registers commands)
from geo_service.cli import apikey as _apikey  # noqa: F401
from geo_service.cli import backup as _backup  # noqa: F401
from geo_service.cli import bench as _bench  # noqa: F401
from geo_service.cli import catalogue as _catalogue  # noqa: F401
from geo_service.cli import city as _city  # noqa: F401
from geo_service.cli import db as _db  # noqa: F401
from geo_service.cli import ingest as _ingest  # noqa: F401
from geo_service.cli import maps as _maps  # noqa: F401
from geo_service.cli import organisation as _organisation  # noqa: F401
from geo_service.cli import privacy as _privacy  # noqa: F401
from geo_service.cli import questionnaire as _questionnaire  # noqa: F401
from geo_service.cli import report as _report  # noqa: F401
from geo_service.cli import scoring as _scoring  # noqa: F401
from geo_service.cli import serve as _serve  # noqa: F401
from geo_service.cli import simulate as _simulate  # noqa: F401
from geo_service.cli import transit as _transit  # noqa: F401
from geo_service.cli import user as _user  # noqa: F401
from geo_service.cli import vocab as _vocab  # noqa: F401
from geo_service.cli import waiting_list as _waiting_list  # noqa: F401
from geo_service.cli.app import app
from geo_service.cli.common import err
from geo_service.errors import GeoServiceError, InputError
from geo_service.i18n import UI_LANGUAGES, _, set_language

if TYPE_CHECKING:
    from sqlalchemy import Connection


_announced: set[str] = set()


def _announce(conn: Connection) -> None:
    """Print ``database: ...`` on stderr the first time the process connects to a database."""
    from geo_service.db.engine import describe

    url = conn.engine.url.render_as_string(hide_password=False)
    if url not in _announced:
        _announced.add(url)
        err.print(_("database: {name}").format(name=describe(url)), soft_wrap=True, markup=False)


def print_version(value: bool) -> None:
    """``--version``: print the installed package's version and exit."""
    if value:
        from geo_service import __version__

        typer.echo(f"geo-service {__version__}")
        raise typer.Exit()


@app.callback()
def announce_databases(
    ctx: typer.Context,
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Language of messages and explanations: de or en (default: GEO_SERVICE_LANGUAGE, "
        "else de).",
    ),
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=print_version,
        help="Print the version of geo_service and exit.",
    ),
) -> None:
    """Set the language of the command's texts, and say on stderr, once per database, which
    database a command uses (the first time it connects), so a command run from another folder
    never silently uses another cluster. A callback runs before a command, not for ``--help``,
    which stays free of SQLAlchemy. ``serve`` says it in its first JSON log line instead (its
    stderr is a log)."""
    from sqlalchemy import Engine, event

    from geo_service.config import get_settings

    set_language(get_settings().language)
    if lang is not None and lang not in UI_LANGUAGES:
        raise InputError(
            _("--lang {lang}: choose one of {choices}").format(
                lang=lang, choices=", ".join(UI_LANGUAGES)
            )
        )
    if lang is not None:
        set_language(lang)
    if ctx.invoked_subcommand == "serve":
        return
    if not event.contains(Engine, "engine_connect", _announce):
        event.listen(Engine, "engine_connect", _announce)


def fail(text: str, label: str | None = None) -> None:
    """One red-labelled line on stderr ("Fehler: ..." / "error: ...")."""
    label = label or _("error:")
    err.print(f"[red]{label}[/red] {text}", markup=True, soft_wrap=True)


def main() -> None:
    """Run the CLI; user errors end in one clear line and a non-zero exit, never a traceback."""
    try:
        app()
    except GeoServiceError as exc:
        fail(exc.message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        fail(_("interrupted"))
        sys.exit(130)
    except Exception as exc:  # last resort: no traceback for users unless asked for
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else ""
            fail(_("database unavailable: {reason}").format(reason=first))
            sys.exit(3)
        if os.environ.get("GEO_SERVICE_DEBUG"):
            raise
        hint = _("(set GEO_SERVICE_DEBUG=1 for a traceback)")
        fail(f"{type(exc).__name__}: {exc} {hint}", _("internal error:"))
        sys.exit(1)
