"""The Typer application object every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="geo-service",
    help="Place refugee households in flats near the infrastructure and help they need.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(
    help="Manage the embedded PostGIS cluster and the schema.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
ingest_app = typer.Typer(
    help="Import what one table of `import` does not hold: GTFS feeds, service capacities.",
    no_args_is_help=True,
)
app.add_typer(ingest_app, name="ingest")
transit_app = typer.Typer(help="Public transport travel times (GTFS).", no_args_is_help=True)
app.add_typer(transit_app, name="transit")
