"""``geo-service apikey create``: print a new API key once."""

from __future__ import annotations

import typer

from geo_service.cli.app import app
from geo_service.cli.common import err as console

apikey_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")


@apikey_app.command("create")
def create(
    role: str = typer.Option(
        ..., help="viewer, planner, housing_office or admin (each includes the ones before)."
    ),
    name: str = typer.Option(..., help="Who holds the key (a team or system, not a person)."),
) -> None:
    """Create a key; the key is printed once, alone on the last line."""
    from geo_service.audit import record
    from geo_service.auth.keys import create_key
    from geo_service.db.engine import get_engine

    with get_engine().begin() as conn:
        info, key = create_key(conn, role, name)
        record(
            conn,
            "key_created",
            role="cli",
            key_id=None,
            detail={"new_key_id": info.id, "role": role, "name": name},
        )
    console.print(f"created {role} key {info.id} for {name!r}; store it now, it is not shown again")
    print(key)
