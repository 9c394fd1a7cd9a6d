"""District codes in requests: unknown ones are a 400 naming each, with a suggestion."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from geo_service.errors import InputError
from geo_service.i18n import _, ngettext


def suggest(text: str, known: set[str], names: dict[str, str]) -> str | None:
    """A code close to ``text``: the same code in other case, a district's name, or the one
    code starting with the same three letters."""
    folded = text.strip().casefold()
    for code in sorted(known):
        if folded in (code.casefold(), names.get(code, "").casefold()):
            return code
    starts = [c for c in sorted(known) if c.casefold().startswith(folded[:3])]
    return starts[0] if len(starts) == 1 else None


def require_known(
    codes: list[str], known: set[str], names: dict[str, str], field: str = "districts"
) -> None:
    """Raise InputError (400) listing every code of ``codes`` not in ``known`` (codes are
    case-sensitive; names are not codes), each with a suggestion where one is close."""
    unknown = [(i, c) for i, c in enumerate(codes) if c not in known]
    if not unknown:
        return
    named = []
    for _i, c in unknown:
        hint = suggest(c, known, names)
        named.append(
            _("“{code}” (did you mean {hint}?)").format(code=c, hint=hint)
            if hint
            else _("“{code}”").format(code=c)
        )
    pointer = "/" + field.replace(".", "/")
    raise InputError(
        ngettext(
            "{field}: unknown district code {codes}; use codes such as {examples} "
            "(GET /api/v1/districts or `geo-service districts` lists them all)",
            "{field}: unknown district codes {codes}; use codes such as {examples} "
            "(GET /api/v1/districts or `geo-service districts` lists them all)",
            len(named),
        ).format(
            field=field,
            codes=", ".join(named),
            examples=", ".join(sorted(known)[:5]) or _("none yet"),
        ),
        errors=[
            {
                "pointer": f"{pointer}/{i}",
                "message": _("unknown district code {code}").format(code=named[k]),
            }
            for k, (i, _c) in enumerate(unknown)
        ],
    )


def check_codes(
    codes: list[str] | None,
    status: dict[str, dict[str, Any]],
    flat_codes: Iterable[Any],
    field: str = "districts",
) -> None:
    """Raise InputError (400) listing every code of ``codes`` that is no district (known from
    a ranker's district status and its flats), naming the request's ``field``."""
    if not codes:
        return
    known = {str(c) for c in status} | {str(c) for c in flat_codes if c is not None}
    names = {code: str(info.get("name") or "") for code, info in status.items()}
    require_known(codes, known, names, field)
