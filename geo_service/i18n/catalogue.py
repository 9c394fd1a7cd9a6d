"""The message catalogues: one ``.po`` file per language, compiled in memory at first use."""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from geo_service.i18n.context import current_language

if TYPE_CHECKING:
    from babel.support import NullTranslations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "de"
# The languages of everything a person reads (pages, API, CLI, maps, report): German first.
UI_LANGUAGES = ("de", "en")
# The languages a referral sheet is printed in; their catalogues translate the sheet's texts.
SHEET_LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr")
# Message contexts (``pgettext``) a sheet language must translate; the rest falls back to English.
SHEET_CONTEXTS = frozenset({"sheet", "offer category"})


def po_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives (``locale/<lang>/LC_MESSAGES/messages.po``)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


# Per language: the plain messages (no context, no plural) as one dict, fallbacks merged in:
# what ``gettext`` reads on the hot path (one dict lookup instead of gettext's chain)
_TEXTS: dict[str, dict[str, str]] = {}


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (read from its ``.po`` once per process; fuzzy
    entries are left out). Sheet languages fall back to English; an unknown language is
    German. (Babel is imported here, not at the top: ``geo-service --help`` stays fast.)"""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    path = po_path(lang)
    if not path.is_file() and lang != DEFAULT_LANGUAGE:
        return translations(DEFAULT_LANGUAGE)
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    mo = BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    compiled = Translations(mo, domain=DOMAIN)
    texts = {
        m.id: m.string
        for m in catalog
        if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string
        if not m.context and not m.fuzzy
    }
    if lang not in UI_LANGUAGES:
        compiled.add_fallback(translations("en"))
        texts = {**_TEXTS["en"], **texts}
    _TEXTS[lang] = texts
    return compiled


def gettext(message: str, lang: str | None = None) -> str:
    """``message`` (English source text) in ``lang``, by default the current language."""
    lang = lang or current_language()
    texts = _TEXTS.get(lang)
    if texts is None:
        translations(lang)
        texts = _TEXTS.get(lang) or _TEXTS[DEFAULT_LANGUAGE]
    return texts.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` that fits ``n``, in the current language."""
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context`` (e.g. "sheet", "offer category"), in the current language."""
    return str(translations(current_language()).pgettext(context, message))


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """``ngettext`` within ``context``."""
    return str(translations(current_language()).npgettext(context, singular, plural, n))


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (tables of constants):
    translate it where it is shown, with ``_(value)``."""
    return message


def NP_(context: str, message: str) -> str:
    """``N_`` for a message in ``context`` (tables of a sheet's texts): translate it where it is
    shown, with ``pgettext(context, value)``."""
    return message
