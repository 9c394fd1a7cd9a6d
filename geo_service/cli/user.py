"""``geo-service user create / list / disable / password``: people's own logins for the
workspace, each change audited (passwords only ever on standard input or a hidden prompt)."""

from __future__ import annotations

import sys

import typer

from geo_service.cli.app import app
from geo_service.cli.common import city_moment, show_table
from geo_service.cli.common import err as console
from geo_service.i18n import N_, _

user_app = typer.Typer(help="Manage people's logins for the workspace.", no_args_is_help=True)
app.add_typer(user_app, name="user")

STDIN_HELP = "Read the password from the first line of standard input (for scripts)."
COLUMNS = (
    N_("login"),
    N_("role"),
    N_("organisation"),
    N_("created"),
    N_("password changed"),
    N_("state"),
)
STATES = {"active": N_("active"), "disabled": N_("disabled")}


def read_password(from_stdin: bool) -> str:
    """The password: the first line of stdin, or typed twice at a hidden prompt."""
    from geo_service.errors import InputError

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError(_("give the password on standard input with --password-stdin"))
    password: str = typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    return password


def audit(action: str, detail: dict[str, object]) -> None:
    """One audit entry of an account change made at the command line."""
    from geo_service.audit import record
    from geo_service.db.engine import get_engine

    with get_engine().begin() as conn:
        record(conn, action, role="cli", key_id=None, detail=detail)


@user_app.command("create")
def create(
    login: str = typer.Option(..., help="The login (lower-case letters, digits, . _ -)."),
    role: str = typer.Option(
        ...,
        help="viewer, planner, housing_office or admin (each includes the ones before), or "
        "partner (keeps its organisation's offers; needs --organisation).",
    ),
    organisation: str = typer.Option(
        None, help="Partners: the organisation (id or name, see `organisation list`)."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Create a login for a person (the password at least 12 characters)."""
    from geo_service.auth.users import create_user
    from geo_service.db.engine import get_engine

    password = read_password(password_stdin)
    with get_engine().begin() as conn:
        user = create_user(conn, login, role, password, organisation)
    audit("user_created", {"login": user.login, "role": role, "organisation": user.organisation})
    of = (
        _(" of organisation {organisation}").format(organisation=user.organisation)
        if user.organisation
        else ""
    )
    console.print(
        _("created the {role} login {login}{of}; it can log in at /login now").format(
            role=role, login=user.login, of=of
        )
    )


@user_app.command("list")
def list_cmd(
    all_users: bool = typer.Option(False, "--all", help="Also disabled logins."),
    as_json: bool = typer.Option(False, "--json", help="Print the logins as JSON."),
) -> None:
    """List logins (login, role, organisation, created, password changed, state)."""
    import json
    from dataclasses import asdict

    from geo_service.auth.role_names import role_name
    from geo_service.auth.users import list_users
    from geo_service.db.engine import get_engine

    with get_engine().connect() as conn:
        people = list_users(conn, include_disabled=all_users)
    if as_json:
        print(json.dumps([{**asdict(u), "state": u.state} for u in people], default=str, indent=1))
        return
    if not people:
        console.print(_("no logins yet (`geo-service user create` makes one)"))
        return
    show_table(
        _("Logins"),
        [(_(c), "left") for c in COLUMNS],
        [
            (
                u.login,
                role_name(u.role),
                u.organisation or "",
                city_moment(u.created_at),
                city_moment(u.password_changed_at),
                _(STATES[u.state]),
            )
            for u in people
        ],
    )


@user_app.command("disable")
def disable(login: str = typer.Argument(..., help="The login (see `user list`).")) -> None:
    """Disable a login: its sessions end on their next request, it cannot log in again."""
    from geo_service.auth.users import disable_user
    from geo_service.db.engine import get_engine

    with get_engine().begin() as conn:
        user, changed = disable_user(conn, login)
    if not changed:
        console.print(_("the login {login} was disabled already").format(login=login))
        return
    audit("user_disabled", {"login": user.login, "role": user.role})
    console.print(_("disabled the login {login}; its sessions have ended").format(login=login))


@user_app.command("password")
def password(
    login: str = typer.Argument(..., help="The login (see `user list`)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Set a new password (its other sessions end)."""
    from geo_service.auth.users import set_password
    from geo_service.db.engine import get_engine

    new = read_password(password_stdin)
    with get_engine().begin() as conn:
        user = set_password(conn, login, new)
    audit("user_password_set", {"login": user.login})
    console.print(_("the login {login} has a new password").format(login=login))
