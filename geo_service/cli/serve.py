"""``geo-service serve`` and ``geo-service demo``: run the HTTP API."""

from __future__ import annotations

import typer
import uvicorn
from rich.console import Console

from geo_service.cli.app import app
from geo_service.config import get_settings
from geo_service.db import cluster, migrate
from geo_service.db.engine import get_engine

console = Console(highlight=False, soft_wrap=True)


def run_server(host: str, port: int, workers: int = 1) -> None:
    """Run uvicorn with the app factory (several workers share nothing but the database)."""
    uvicorn.run(
        "geo_service.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default from settings: 127.0.0.1)."),
    port: int = typer.Option(None, help="TCP port (default from settings: 8000)."),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes."),
) -> None:
    """Run the HTTP API."""
    settings = get_settings()
    run_server(host or settings.host, port or settings.port, workers)


@app.command()
def demo(
    host: str = typer.Option(None, help="Interface to bind (default 127.0.0.1)."),
    port: int = typer.Option(None, help="TCP port (default 8000)."),
) -> None:
    """Start the embedded DB, migrate, load the sample, score, render maps, serve; print URLs."""
    settings = get_settings()
    if not settings.database_url:
        console.print(f"database: {cluster.start(cluster.locate(settings))}")
    before, after = migrate.upgrade(get_engine())
    console.print(f"schema: {after}" + ("" if before == after else f" (migrated from {before})"))
    host, port = host or settings.host, port or settings.port
    base = f"http://{host}:{port}"
    console.print(f"API:    {base}/api/v1\nhealth: {base}/health\nready:  {base}/ready")
    run_server(host, port)
