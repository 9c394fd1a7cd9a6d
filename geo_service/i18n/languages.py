"""Languages by name (CLDR via Babel, and a few ISO 639-3 codes CLDR has no name for) and the
code meant by a name someone typed ("arabisch" -> ``ar``)."""

from __future__ import annotations

import difflib
from functools import cache

from babel.core import get_global

from geo_service.i18n.catalogue import N_, gettext
from geo_service.i18n.context import current_language
from geo_service.i18n.formats import CLDR_ALIASES, cldr
from geo_service.ingest.iso639 import ISO_639_3_EXTRA, LANGUAGE_CODES

# Names of accepted ISO 639-3 codes that CLDR does not name (English source text)
OWN_NAMES = {
    "kmr": N_("Northern Kurdish (Kurmanji)"),
    "aii": N_("Assyrian Neo-Aramaic"),
    "apc": N_("Levantine Arabic"),
    "bcc": N_("Southern Balochi"),
    "haz": N_("Hazaragi"),
}
# A typed name must be this close to a language's name to be suggested (difflib's ratio)
CLOSE = 0.8


def language_name(code: str, lang: str | None = None) -> str:
    """A language's name in ``lang`` (default: the current language), e.g. ``ar`` ->
    "Arabisch"; the code itself when nobody names it."""
    name = cldr(lang or current_language()).languages.get(CLDR_ALIASES.get(code, code))
    if name:
        return str(name)
    return gettext(OWN_NAMES[code], lang) if code in OWN_NAMES else code


@cache
def _names() -> dict[str, str]:
    """Every accepted code by its German and English names and by itself (case-folded)."""
    index = {}
    for code in sorted(LANGUAGE_CODES):
        for lang in ("en", "de"):
            index[language_name(code, lang).casefold()] = code
    return index | {code: code for code in LANGUAGE_CODES}


def suggest_language(text: str) -> str | None:
    """The accepted code ``text`` most likely means: a code in another case or in ISO 639-2
    ("ARA", "deu"), a German or English name ("arabisch", "Persian"), the unique language
    whose name begins with it ("arab") or a close spelling ("arabish"); None if none fits."""
    key = text.strip().casefold()
    names = _names()
    alias = str(get_global("language_aliases").get(key, ""))
    for candidate in (names.get(key), alias if alias in LANGUAGE_CODES else None):
        if candidate:
            return candidate
    if len(key) >= 3:
        starting = {code for name, code in names.items() if name.startswith(key)}
        if len(starting) == 1:
            return starting.pop()
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=CLOSE)
    return names[close[0]] if close else None


def language_problem(code: str) -> str | None:
    """Why ``code`` is not an accepted language code (None when it is one): a suggestion
    ("meinten Sie ar (Arabisch)?") or the codes that are accepted."""
    if code in LANGUAGE_CODES:
        return None
    meant = suggest_language(code)
    if meant is not None:
        return gettext("“{value}” is not a language code; did you mean {code} ({name})?").format(
            value=code, code=meant, name=language_name(meant)
        )
    return gettext(
        "“{value}” is not a known language code: use two lower-case letters (ISO 639-1, "
        "e.g. ar, fa, uk, ti) or one of the ISO 639-3 codes {extra}"
    ).format(value=code, extra=", ".join(sorted(ISO_639_3_EXTRA)))
