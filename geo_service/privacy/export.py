"""Right of access (GDPR Art. 15): everything stored under one case reference.

The case reference is hashed with the server secret, as when it was stored; found are the
waiting-list entry with that hash, every hold the entry had or that was made with the reference,
the allocation runs whose batch carried it (the household's profile and outcome in each), and
the audit entries about any of these. Once a purge anonymised them, nothing is found: the link
is gone (retention.py).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Connection, Engine, or_, select

from geo_service.audit import AuditEntry
from geo_service.db import models
from geo_service.i18n import N_, _
from geo_service.privacy.retention import holds_of_entries
from geo_service.reservations.holds import case_ref_hash
from geo_service.scoring.results import Result

W, R, A, LOG = models.waiting_list, models.reservations, models.allocations, models.audit_log


class CaseData(Result):
    """What is stored under one case reference (an Art. 15 copy)."""

    waiting_list: list[dict[str, Any]]
    holds: list[dict[str, Any]]
    allocations: list[dict[str, Any]]
    audit: list[AuditEntry]

    @property
    def found(self) -> bool:
        """Whether anything is stored under the case."""
        return bool(self.waiting_list or self.holds or self.allocations or self.audit)


def _mine(items: list[dict[str, Any]], ref_hash: str) -> list[dict[str, Any]]:
    """The items of an allocation's list that belong to the case."""
    return [i for i in items if i.get("ref_hash") == ref_hash]


def _allocations(conn: Connection, ref_hash: str) -> list[dict[str, Any]]:
    """Allocation runs with the case in their batch: the run and the case's part of it."""
    batch = [{"ref_hash": ref_hash}]
    rows = conn.execute(
        select(A).where(A.c.households.contains(batch)).order_by(A.c.created_at)
    ).all()
    return [
        {
            "id": str(r.id),
            "created_at": r.created_at,
            "method": r.method,
            "profile_version": r.profile_version,
            "households": _mine(r.households, ref_hash),
            "assignments": _mine(r.result.get("assignments", []), ref_hash),
            "unplaced_reasons": _mine(r.result.get("unplaced_reasons", []), ref_hash),
        }
        for r in rows
    ]


def case_data(engine: Engine, case_ref: str) -> CaseData:
    """Everything stored under ``case_ref``, read in one snapshot."""
    ref_hash = case_ref_hash(case_ref)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        entries = conn.execute(select(W).where(W.c.case_ref_hash == ref_hash)).all()
        entry_ids = [e.id for e in entries]
        hold_ids = holds_of_entries(conn, entry_ids)
        hold_ids |= set(conn.execute(select(R.c.id).where(R.c.case_ref_hash == ref_hash)).scalars())
        holds = conn.execute(select(R).where(R.c.id.in_(hold_ids)).order_by(R.c.created_at)).all()
        runs = _allocations(conn, ref_hash)
        audit = _audit(conn, entry_ids, hold_ids, [uuid.UUID(r["id"]) for r in runs], ref_hash)
    return CaseData(
        waiting_list=[dict(e._mapping) for e in entries],
        holds=[dict(h._mapping) for h in holds],
        allocations=runs,
        audit=audit,
    )


def _audit(
    conn: Connection,
    entries: list[uuid.UUID],
    holds: set[uuid.UUID],
    runs: list[uuid.UUID],
    ref_hash: str,
) -> list[AuditEntry]:
    """Audit entries about the case's entry, holds or allocation runs, oldest first (and
    entries of earlier versions that logged an allocation batch with the hash itself)."""
    about = [LOG.c.request["households"].contains([{"ref_hash": ref_hash}])]
    if entries:
        about.append(LOG.c.request["entry_id"].astext.in_([str(e) for e in entries]))
    if holds:
        about.append(LOG.c.detail["reservation_id"].astext.in_([str(h) for h in holds]))
    if runs:
        about.append(LOG.c.detail["allocation_id"].astext.in_([str(r) for r in runs]))
    rows = conn.execute(select(LOG).where(or_(*about)).order_by(LOG.c.id)).mappings().all()
    return [AuditEntry.model_validate(dict(r)) for r in rows]


SECTIONS = {
    "waiting_list": N_("Entry on the waiting list"),
    "holds": N_("Reservations of flats"),
    "allocations": N_("Allocation runs the case was part of"),
    "audit": N_("Entries in the decision log"),
}


def case_text(data: CaseData) -> str:
    """The copy for the person concerned (German unless asked otherwise): one section per kind
    of record, each record's stored fields as they are."""
    if not data.found:
        return (
            _(
                "Nothing is stored under this case reference (never recorded, or anonymised "
                "after the retention period)."
            )
            + "\n"
        )
    dumped = data.model_dump(mode="json")
    lines = [
        _("Access under Art. 15 GDPR: the data stored under one case reference"),
        "",
        _(
            "The case reference itself is not stored, only a hash made with the service's key "
            "(case_ref_hash). Names and dates of birth are not recorded."
        ),
    ]
    for key, title in SECTIONS.items():
        records = dumped[key]
        lines += ["", _("{title}: {n}").format(title=_(title), n=len(records))]
        for number, item in enumerate(records, 1):
            lines.append(f"  {number}.")
            lines += [
                f"     {name}: {json.dumps(value, ensure_ascii=False)}"
                for name, value in item.items()
            ]
    return "\n".join(lines) + "\n"
