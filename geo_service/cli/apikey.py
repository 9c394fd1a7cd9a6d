"""``geo-service apikey create / list / revoke``: API keys, each change audited."""

from __future__ import annotations

import typer

from geo_service.cli.app import app
from geo_service.cli.common import city_moment, show_table
from geo_service.cli.common import err as console
from geo_service.i18n import N_, _

COLUMNS = (
    N_("id"),
    N_("name"),
    N_("role"),
    N_("organisation"),
    N_("demo"),
    N_("created"),
    N_("expires"),
    N_("state"),
)
STATES = {"active": N_("active"), "expired": N_("expired"), "revoked": N_("revoked")}

apikey_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")


@apikey_app.command("create")
def create(
    role: str = typer.Option(
        ...,
        help="viewer, planner, housing_office or admin (each includes the ones before), or "
        "partner (keeps its organisation's offers; needs --organisation).",
    ),
    name: str = typer.Option(..., help="Who holds the key (a team or system, not a person)."),
    organisation: str = typer.Option(
        None, help="Partner keys: the organisation (id or name, see `organisation list`)."
    ),
    expires_in_days: float = typer.Option(
        None, min=0.001, help="Lifetime in days; default: until revoked."
    ),
) -> None:
    """Create a key; the key is printed once, alone on the last line."""
    from datetime import UTC, datetime, timedelta

    from geo_service.audit import record
    from geo_service.auth.keys import create_key
    from geo_service.auth.role_names import role_name
    from geo_service.db.engine import get_engine

    lifetime = timedelta(days=expires_in_days) if expires_in_days else None
    with get_engine().begin() as conn:
        info, key = create_key(conn, role, name, expires_in=lifetime, organisation=organisation)
        record(
            conn,
            "key_created",
            role="cli",
            key_id=None,
            detail={
                "new_key_id": info.id,
                "role": role,
                "name": name,
                "organisation": info.organisation,
                "expires_in_days": expires_in_days,
            },
        )
    until = (
        _(", valid until {when}").format(when=city_moment(datetime.now(UTC) + lifetime))
        if lifetime
        else ""
    )
    of = (
        _(" of organisation {organisation}").format(organisation=info.organisation)
        if info.organisation
        else ""
    )
    console.print(
        _(
            "created the key {id} with the role “{role}”{of} for “{name}”{until}; store it now, "
            "it is not shown again"
        ).format(id=info.id, role=role_name(role), of=of, name=name, until=until)
    )
    print(key)


@apikey_app.command("list")
def list_cmd(
    all_keys: bool = typer.Option(False, "--all", help="Also revoked and expired keys."),
    as_json: bool = typer.Option(False, "--json", help="Print the keys as JSON."),
) -> None:
    """List keys (id, name, role, demo, created, expires, state); never the keys themselves."""
    import json
    from dataclasses import asdict

    from geo_service.auth.keys import list_keys
    from geo_service.auth.role_names import role_name
    from geo_service.db.engine import get_engine

    with get_engine().connect() as conn:
        keys = list_keys(conn, include_inactive=all_keys)
    if as_json:
        print(json.dumps([asdict(k) for k in keys], default=str, indent=1))
        return
    if not keys:
        console.print(_("no keys") if all_keys else _("no keys in use (--all shows revoked ones)"))
        return
    show_table(
        _("API keys (all)") if all_keys else _("API keys (usable)"),
        [(_(c), "left") for c in COLUMNS],
        [
            (
                k.id,
                k.name,
                role_name(k.role),
                k.organisation or "",
                _("yes") if k.demo else "",
                city_moment(k.created_at),
                city_moment(k.expires_at) if k.expires_at else _("never"),
                _(STATES[k.state]),
            )
            for k in keys
        ],
    )


@apikey_app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="The key's id (see `apikey list`).")) -> None:
    """Revoke a key: the next request with it gets 401."""
    from geo_service.audit import record
    from geo_service.auth.keys import revoke_key
    from geo_service.auth.role_names import role_name
    from geo_service.db.engine import get_engine

    with get_engine().begin() as conn:
        key, changed = revoke_key(conn, key_id)
        if not changed:
            console.print(
                _("the key {id} was revoked already on {when}").format(
                    id=key.id, when=city_moment(key.revoked_at) if key.revoked_at else "–"
                )
            )
            return
        record(
            conn,
            "key_revoked",
            role="cli",
            key_id=None,
            detail={"revoked_key_id": key.id, "role": key.role, "name": key.name},
        )
    console.print(
        _(
            "revoked the key {id} with the role “{role}” (“{name}”); it is refused from now on"
        ).format(id=key.id, role=role_name(key.role), name=key.name)
    )
