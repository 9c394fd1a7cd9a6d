"""Transactions that stay correct under concurrency: advisory locks for derived tables that
are recomputed as a whole, and a retry for deadlocks and serialisation failures."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")

# Transaction-level advisory lock keys (pg_advisory_xact_lock): one per shared derived state.
DISTRICT_STATUS_LOCK = 0x67730001  # district_status: placements, utilisation, factor
SCORING_LOCK = 0x67730002  # flat_features and area_scores, rewritten by `score`
# SQLSTATEs worth retrying: the transaction lost a race and did nothing.
RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def hold_lock(conn: Connection, key: int) -> None:
    """Wait for the advisory lock ``key``; it is held until the transaction ends. Statements
    after this one see everything the previous holder committed."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def is_retryable(exc: BaseException) -> bool:
    """Whether ``exc`` is a deadlock or serialisation failure (safe to run again)."""
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(exc, DBAPIError) and code in RETRYABLE


def in_transaction(engine: Engine, work: Callable[[Connection], T], attempts: int = 4) -> T:
    """Run ``work`` in one transaction; run it again (after a short random pause) when the
    database aborted it as a deadlock victim or serialisation failure."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
