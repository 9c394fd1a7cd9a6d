"""Dates and date-times of requests, one type each for every query and body parameter.

``StrictDate`` takes ``YYYY-MM-DD`` (ISO 8601) or ``TT.MM.JJJJ`` (German, as forms and clerks
write it; ``1.12.2026`` too); ``StrictDateTime`` takes an ISO 8601 / RFC 3339 date-time
(``2026-11-25T08:00:00Z``) or a day in either form (its midnight). Both take the Python
objects too (a parsed file, a test), but never a number: pydantic's lax mode would read ``0``
or ``0.5`` as Unix time (1970-01-01). The OpenAPI document keeps ``format: date`` and
``format: date-time``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

from geo_service.i18n import N_, _

ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE
)
DATE_HINT = N_("must be a date as YYYY-MM-DD or TT.MM.JJJJ, e.g. 2026-12-01 or 01.12.2026")
DATETIME_HINT = N_(
    "must be an ISO 8601 date-time or a date, e.g. 2026-11-25T08:00:00Z or 2026-11-25"
)
NOT_A_DAY = N_("{text} is not a day of the calendar; it {hint}")


def parse_day(text: str) -> date | None:
    """The day ``text`` names as ``YYYY-MM-DD`` or ``TT.MM.JJJJ``; None when it is neither
    form; ValueError for an impossible day (31.02.2026)."""
    text = text.strip()
    iso, german = ISO_DATE.fullmatch(text), GERMAN_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(v) for v in iso.groups())
    elif german:
        day, month, year = (int(v) for v in german.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_(NOT_A_DAY).format(text=repr(text), hint=_(DATE_HINT))) from None


def as_date(value: object) -> date:
    """A date object, or the text of one; anything else (a number, a date-time) is refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    found = parse_day(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(_(DATE_HINT))
    return found


def as_datetime(value: object) -> datetime:
    """A datetime object, or ISO 8601 text of one, or a day (its midnight)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    if isinstance(value, str):
        text = value.strip()
        if ISO_DATETIME.fullmatch(text):
            try:
                return datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(
                    f"{text!r} is not a valid time; expected {DATETIME_HINT}"
                ) from None
        day = parse_day(text)
        if day is not None:
            return datetime.combine(day, datetime.min.time())
    raise ValueError(_(DATETIME_HINT))


StrictDate = Annotated[date, BeforeValidator(as_date)]
StrictDateTime = Annotated[datetime, BeforeValidator(as_datetime)]
