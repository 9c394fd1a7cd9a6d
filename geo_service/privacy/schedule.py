"""The server's own retention run: every ``privacy_purge_interval_hours`` (default daily), in
each worker's event loop, the purge in a worker thread. Workers start at a random moment within
the first minute; the purge's database lock lets one run at a time, and a run after another
finds nothing left to do, however many workers and servers share the database."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from geo_service.config import Settings
from geo_service.privacy.retention import purge

log = logging.getLogger("geo_service.privacy")
FIRST_RUN_WITHIN_S = 60.0


async def purge_periodically(engine: Engine, settings: Settings) -> None:
    """Run the purge now and then, forever (until cancelled); errors are logged, not raised."""
    every = timedelta(hours=settings.privacy_purge_interval_hours)
    await asyncio.sleep(random.uniform(0, min(FIRST_RUN_WITHIN_S, every.total_seconds())))
    while True:
        try:
            done = await run_in_threadpool(
                purge, engine, settings.privacy_retention_days, role="server"
            )
        except DBAPIError as exc:  # the database is away: try again next time
            log.warning("privacy purge failed", extra={"error": type(exc.orig).__name__})
        else:
            if done.waiting_list_entries or done.holds or done.allocations:
                log.info("privacy purge", extra=done.model_dump(mode="json"))
        await asyncio.sleep(every.total_seconds())
