"""Storage limitation (GDPR Art. 5(1)(e)): anonymise what is past its retention period.

What links a stored row to a person is the keyed hash of the case reference (and, for a
waiting-list entry, the accommodation unit). A purge removes those, in one transaction:

- waiting-list entries that moved or were withdrawn longer ago than the retention period;
- holds of those entries, and holds made with a case reference that ended (confirmed,
  released, expired) longer ago than that;
- allocation runs older than that, whose households and results carried case reference hashes.

Household profiles, statuses and dates stay: they identify no one and the statistics and the
audit log's decisions rest on them. The audit log itself is append-only and never changes: its
entries name waiting-list entries, holds and allocation runs only by their random ids, so once a
row has lost its case reference hash nothing leads from a case to its decisions any more, and
nothing in the log had to be rewritten (its append-only triggers and any check over its rows stay
valid). Each purge is one audit entry itself (counts, no ids).

Several server workers and a cron job may call it at once: a transaction-level advisory lock lets
one run at a time, and the others return at once as skipped; a run finding nothing due changes
nothing and logs nothing, so every worker may run it daily.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)

from geo_service.audit import record
from geo_service.db import models
from geo_service.scoring.results import Result

# pg_try_advisory_xact_lock key of the purge ("geo_purg" as a 64-bit integer)
LOCK_KEY = int.from_bytes(b"geo_purg", "big")
ACTION = "privacy.purge"
W, R, A = models.waiting_list, models.reservations, models.allocations
CLOSED = ("moved", "withdrawn")


class PurgeResult(Result):
    """What a purge anonymised (or, dry, would anonymise), or why it did not run."""

    dry_run: bool
    retention_days: int
    cutoff: datetime | None = Field(description="Rows that ended before this are anonymised.")
    skipped: str | None = Field(None, description="Why nothing was done (another run, recent).")
    waiting_list_entries: int = 0
    holds: int = 0
    allocations: int = 0


def _closed_at() -> Any:
    """When a waiting-list entry was closed (moved or withdrawn)."""
    return case((W.c.status == "moved", W.c.moved_at), else_=W.c.withdrawn_at)


def _hold_ended_at() -> Any:
    """When a hold ended: confirmed (the household moved in), released, or its expiry."""
    return case(
        (R.c.status == "confirmed", R.c.confirmed_at),
        (R.c.status == "released", R.c.released_at),
        else_=R.c.expires_at,
    )


def due_entries(conn: Connection, cutoff: datetime) -> list[uuid.UUID]:
    """Waiting-list entries closed before ``cutoff`` and not anonymised yet."""
    q = select(W.c.id).where(
        W.c.anonymised_at.is_(None), W.c.status.in_(CLOSED), _closed_at() < cutoff
    )
    return list(conn.execute(q).scalars())


def holds_of_entries(conn: Connection, entries: list[uuid.UUID]) -> set[uuid.UUID]:
    """Every hold an entry had: its current one, and those its earlier reservations made (named
    by the audit log's ``waiting_list.reserve`` entries)."""
    if not entries:
        return set()
    current = select(W.c.reservation_id).where(W.c.id.in_(entries), W.c.reservation_id.isnot(None))
    log = models.audit_log
    earlier = select(log.c.detail["reservation_id"].astext).where(
        log.c.action == "waiting_list.reserve",
        log.c.request["entry_id"].astext.in_([str(e) for e in entries]),
    )
    found = set(conn.execute(current).scalars())
    found |= {uuid.UUID(r) for r in conn.execute(earlier).scalars() if r}
    return found


def due_holds(conn: Connection, cutoff: datetime, entries: list[uuid.UUID]) -> list[uuid.UUID]:
    """Holds not anonymised yet: those of ``entries``, and holds with a case reference hash
    that ended before ``cutoff``."""
    linked = holds_of_entries(conn, entries)
    ended = and_(R.c.case_ref_hash.isnot(None), _hold_ended_at() < cutoff)
    q = select(R.c.id).where(
        R.c.anonymised_at.is_(None), or_(ended, R.c.id.in_(linked)) if linked else ended
    )
    return list(conn.execute(q).scalars())


def due_allocations(conn: Connection, cutoff: datetime) -> list[uuid.UUID]:
    """Allocation runs made before ``cutoff`` whose households or result hold a case
    reference hash."""
    with_refs = or_(
        func.jsonb_path_exists(A.c.households, literal_column("'$[*].ref_hash'")),
        func.jsonb_path_exists(A.c.result, literal_column("'$.*[*].ref_hash ? (@ != null)'")),
    )
    q = select(A.c.id).where(A.c.anonymised_at.is_(None), A.c.created_at < cutoff, with_refs)
    return list(conn.execute(q).scalars())


def _without_ref(array: str) -> str:
    """SQL: the JSON array ``array`` with "ref_hash" removed from every element (order kept)."""
    return (
        "(SELECT coalesce(jsonb_agg(e.item - 'ref_hash' ORDER BY e.n), '[]'::jsonb) "
        f"FROM jsonb_array_elements(coalesce({array}, '[]'::jsonb)) WITH ORDINALITY AS e(item, n))"
    )


ASSIGNMENTS, UNPLACED = "result->'assignments'", "result->'unplaced_reasons'"
RESULT_WITHOUT_REFS = (
    f"result || jsonb_build_object('assignments', {_without_ref(ASSIGNMENTS)}, "
    f"'unplaced_reasons', {_without_ref(UNPLACED)})"
)


def _anonymise(
    conn: Connection, entries: list[uuid.UUID], holds: list[uuid.UUID], runs: list[uuid.UUID]
) -> None:
    """Remove the case links of these rows and stamp them."""
    now = func.now()
    if entries:
        conn.execute(
            update(W)
            .where(W.c.id.in_(entries))
            .values(case_ref_hash=None, accommodation_unit=None, anonymised_at=now)
        )
    if holds:
        conn.execute(
            update(R).where(R.c.id.in_(holds)).values(case_ref_hash=None, anonymised_at=now)
        )
    if runs:
        conn.execute(
            update(A)
            .where(A.c.id.in_(runs))
            .values(
                households=text(_without_ref("households")),
                result=text(RESULT_WITHOUT_REFS),
                anonymised_at=now,
            )
        )


def purge(
    engine: Engine,
    retention_days: int,
    *,
    dry_run: bool = False,
    role: str = "cli",
) -> PurgeResult:
    """Anonymise what ended more than ``retention_days`` ago (``dry_run``: only count it) and
    audit it; one run at a time across processes (the others are skipped)."""
    with engine.begin() as conn:
        if not conn.execute(select(func.pg_try_advisory_xact_lock(LOCK_KEY))).scalar_one():
            return PurgeResult(
                dry_run=dry_run,
                retention_days=retention_days,
                cutoff=None,
                skipped="another process is purging right now",
            )
        cutoff = conn.execute(
            select(func.now() - func.make_interval(0, 0, 0, retention_days))
        ).scalar_one()
        entries = due_entries(conn, cutoff)
        holds = due_holds(conn, cutoff, entries)
        runs = due_allocations(conn, cutoff)
        out = PurgeResult(
            dry_run=dry_run,
            retention_days=retention_days,
            cutoff=cutoff,
            waiting_list_entries=len(entries),
            holds=len(holds),
            allocations=len(runs),
        )
        if dry_run or not (entries or holds or runs):
            return out
        _anonymise(conn, entries, holds, runs)
        record(
            conn,
            ACTION,
            role=role,
            key_id=None,
            detail=out.model_dump(mode="json", exclude={"dry_run", "skipped"}),
        )
    return out
