"""The append-only audit log: one row per decision (a trigger refuses UPDATE and DELETE)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import Connection, Engine, insert, select

from geo_service.db import models
from geo_service.scoring.results import Result


class AuditEntry(Result):
    """One decision: who (role, key id), what, with which profile and data, when."""

    id: int
    at: datetime
    action: str
    role: str | None
    api_key_id: str | None
    profile_version: str | None
    data_timestamp: datetime | None
    request: dict[str, Any] = Field(description="The request, without case references.")
    detail: dict[str, Any]


class AuditPage(Result):
    """Audit entries, newest first."""

    limit: int
    offset: int
    items: list[AuditEntry]


def record(
    conn: Connection,
    action: str,
    *,
    role: str | None,
    key_id: str | None,
    profile_version: str | None = None,
    data_timestamp: str | datetime | None = None,
    request: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry in the caller's transaction."""
    conn.execute(
        insert(models.audit_log).values(
            action=action,
            role=role,
            api_key_id=key_id,
            profile_version=profile_version,
            data_timestamp=data_timestamp,
            request=request or {},
            detail=detail or {},
        )
    )


def entries(
    engine: Engine,
    *,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> AuditPage:
    """Audit entries, newest first, with filters and paging."""
    a = models.audit_log
    q = select(a).order_by(a.c.id.desc()).limit(limit).offset(offset)
    if action:
        q = q.where(a.c.action == action)
    if since:
        q = q.where(a.c.at >= since)
    if until:
        q = q.where(a.c.at < until)
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return AuditPage(
        limit=limit, offset=offset, items=[AuditEntry.model_validate(dict(r)) for r in rows]
    )
