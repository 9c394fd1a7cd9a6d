"""The language of the current request or command, and choosing it from what a client asks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

_LANGUAGE: ContextVar[str] = ContextVar("geo_service_language", default="de")


def current_language() -> str:
    """The language texts are produced in now (set per request and per command; default de)."""
    return _LANGUAGE.get()


def set_language(lang: str) -> None:
    """Use ``lang`` for the rest of this context (a CLI command sets it once)."""
    _LANGUAGE.set(lang)


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    """Produce texts in ``lang`` within the block (a sheet in the household's language)."""
    token = _LANGUAGE.set(lang)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def accepted(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first (``q=0`` and
    ``*`` dropped; equal weights keep their order)."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        tag = tag.strip()
        if tag and tag != "*" and q > 0:
            ranked.append((-q, position, tag))
    return [tag for _q, _position, tag in sorted(ranked)]


def negotiate(wanted: Sequence[str], available: Sequence[str], default: str) -> str:
    """The first of ``wanted`` (tags such as ``en-GB``) that ``available`` has, matching the
    language without its region too (Babel); ``default`` when none fits."""
    from babel.core import negotiate_locale

    found = negotiate_locale(list(wanted), list(available), sep="-")
    return found.lower() if found else default
