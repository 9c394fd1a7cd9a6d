"""Pydantic's validation errors in words for a person, in the current language: one table of
error types, the field named as a person reads it ("household.size", "Abfrageparameter since")."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from geo_service.i18n.catalogue import N_, gettext, ngettext
from geo_service.i18n.formats import plain

_ = gettext

# pydantic error type -> message (English source text; ``{name}`` from the error's context)
MESSAGES = {
    "missing": N_("is required"),
    "extra_forbidden": N_("is not a known field"),
    "string_type": N_("must be text"),
    "string_pattern_mismatch": N_("does not have the expected form ({pattern})"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "finite_number": N_("must be a number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "greater_than_equal": N_("must be at least {ge}"),
    "greater_than": N_("must be greater than {gt}"),
    "less_than_equal": N_("must be at most {le}"),
    "less_than": N_("must be less than {lt}"),
    "multiple_of": N_("must be a multiple of {multiple_of}"),
    "enum": N_("must be one of: {expected}"),
    "literal_error": N_("must be one of: {expected}"),
    "date_type": N_("must be a date (YYYY-MM-DD, e.g. 2026-12-01)"),
    "date_parsing": N_("must be a date (YYYY-MM-DD, e.g. 2026-12-01)"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD, e.g. 2026-12-01)"),
    "date_from_datetime_inexact": N_("must be a date (YYYY-MM-DD, e.g. 2026-12-01)"),
    "datetime_type": N_("must be a date and time (e.g. 2026-12-01T09:00:00+01:00)"),
    "datetime_parsing": N_("must be a date and time (e.g. 2026-12-01T09:00:00+01:00)"),
    "datetime_from_date_parsing": N_("must be a date and time (e.g. 2026-12-01T09:00:00+01:00)"),
    "timezone_aware": N_("must name its time zone (e.g. 2026-12-01T09:00:00+01:00)"),
    "dict_type": N_("must be a JSON object"),
    "model_type": N_("must be a JSON object"),
    "model_attributes_type": N_("must be a JSON object"),
    "list_type": N_("must be a list"),
    "set_type": N_("must be a list"),
    "tuple_type": N_("must be a list"),
    "uuid_type": N_("must be a UUID"),
    "uuid_parsing": N_("must be a UUID"),
    "url_type": N_("must be a URL"),
    "url_parsing": N_("must be a URL"),
    "json_invalid": N_("is not valid JSON (at character {position})"),
}
# Types whose message is the validator's own (already in the current language)
OWN_MESSAGE = frozenset({"value_error", "assertion_error"})
# Types that, for the whole body, mean it is not the object the route takes
REQUIRES_OBJECT = frozenset({"missing", "dict_type", "model_type", "model_attributes_type"})
QUOTED = re.compile(r"'([^']*)'")
SOURCES = {
    "query": N_("query parameter {name}"),
    "path": N_("path parameter {name}"),
    "header": N_("header {name}"),
}


def counted(kind: str, ctx: Mapping[str, Any]) -> str | None:
    """The messages that count characters or items (their plural forms differ by language)."""
    if kind == "string_too_short":
        n = int(ctx["min_length"])
        return ngettext(
            "must have at least {n} character", "must have at least {n} characters", n
        ).format(n=n)
    if kind == "string_too_long":
        n = int(ctx["max_length"])
        return ngettext(
            "must have at most {n} character", "must have at most {n} characters", n
        ).format(n=n)
    if kind == "too_short":
        n = int(ctx["min_length"])
        return ngettext("must have at least {n} entry", "must have at least {n} entries", n).format(
            n=n
        )
    if kind == "too_long":
        n = int(ctx["max_length"])
        return ngettext("must have at most {n} entry", "must have at most {n} entries", n).format(
            n=n
        )
    return None


def message(error: Mapping[str, Any], required: Sequence[str] = ()) -> str:
    """One pydantic error (``ValidationError.errors()`` item) in words, without the field;
    ``required`` names the fields of a body that is missing or not an object."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind in OWN_MESSAGE:
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    counted_text = counted(kind, ctx) if ctx else None
    if counted_text:
        return counted_text
    for bound in ("ge", "gt", "le", "lt", "multiple_of"):
        if isinstance(ctx.get(bound), int | float):
            ctx[bound] = plain(ctx[bound])
    if "expected" in ctx:
        ctx["expected"] = ", ".join(QUOTED.findall(str(ctx["expected"]))) or ctx["expected"]
    if kind == "json_invalid":
        loc = error.get("loc") or ()
        ctx["position"] = loc[-1] if loc and isinstance(loc[-1], int) else 0
    template = MESSAGES.get(kind)
    try:
        text = gettext(template).format(**ctx) if template else gettext("is not a valid value")
    except (KeyError, IndexError, ValueError):  # a context without the value the text names
        text = gettext("is not a valid value")
    if required and len(error.get("loc") or ()) <= 1 and kind in REQUIRES_OBJECT:
        text += "; " + gettext("send a JSON object with the required fields {fields}").format(
            fields=", ".join(required)
        )
    return text


def describe(
    error: Mapping[str, Any], where: str | None = None, required: Sequence[str] = ()
) -> str:
    """One error as a line naming the field (``where``, default from its location): "size muss
    mindestens 1 sein"; a validator's own message after a colon ("languages: „arabisch“ ist
    kein Sprachcode; ...")."""
    where = field(error.get("loc") or ()) if where is None else where
    text = message(error, required)
    if error.get("type") in OWN_MESSAGE:
        return _("{field}: {message}").format(field=where, message=text)
    return _("{field} {message}").format(field=where, message=text)


def field(loc: Sequence[Any]) -> str:
    """The field an error is about, as a person reads it: ``household.size``,
    ``languages[0]``, "query parameter since", "the request body"."""
    parts = list(loc)
    source = parts.pop(0) if parts and parts[0] in ("body", "query", "path", "header") else "body"
    if source != "body":
        return gettext(SOURCES[source]).format(name=".".join(str(p) for p in parts))
    names = [p for p in parts if not isinstance(p, int)]
    if not names:
        return gettext("the request body")
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text
