"""District codes in requests: unknown ones are a 400 naming each, with a suggestion."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from geo_service.errors import InputError


def suggest(text: str, known: set[str], names: dict[str, str]) -> str | None:
    """A code close to ``text``: the same code in other case, a district's name, or the one
    code starting with the same three letters."""
    folded = text.strip().casefold()
    for code in sorted(known):
        if folded in (code.casefold(), names.get(code, "").casefold()):
            return code
    starts = [c for c in sorted(known) if c.casefold().startswith(folded[:3])]
    return starts[0] if len(starts) == 1 else None


def check_codes(
    codes: list[str] | None, status: dict[str, dict[str, Any]], flat_codes: Iterable[Any]
) -> None:
    """Raise InputError (400) listing every code of ``codes`` that is no district."""
    if not codes:
        return
    known = {str(c) for c in status} | {str(c) for c in flat_codes if c is not None}
    unknown = [(i, c) for i, c in enumerate(codes) if c not in known]
    if not unknown:
        return
    names = {code: str(info.get("name") or "") for code, info in status.items()}
    named = []
    for _, c in unknown:
        hint = suggest(c, known, names)
        named.append(f"{c!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    raise InputError(
        f"unknown district code(s): {', '.join(named)}; use codes such as "
        f"{', '.join(sorted(known)[:5])} (GET /api/v1/districts lists them all)",
        errors=[
            {"pointer": f"/districts/{i}", "message": f"unknown district code {named[k]}"}
            for k, (i, _) in enumerate(unknown)
        ],
    )
