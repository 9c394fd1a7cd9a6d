"""The one message catalogue of geo_service: every text a person reads, German by default,
English on request (gettext catalogues managed with Babel; referral sheets also in ar, fa, uk,
ru, tr).

How a text is chosen
    The current language lives in a context variable: the HTTP middleware
    (``geo_service.i18n.http``) sets it per request from ``Accept-Language`` (de or en; anything
    else gives the default, ``GEO_SERVICE_LANGUAGE``, de) or from ``?lang=`` on pages that
    declare it (``Depends(page_language)``); the CLI sets it from ``--lang`` or
    ``GEO_SERVICE_LANGUAGE``. Service code deep down just calls ``_()``: no request object
    needed. ``with use_language("ar"):`` produces a block in another language (a sheet).
    Never keep translated text across requests: cache the data and translate when answering
    (or key the cache by ``current_language()``).

How to add a message (three steps)
    1. Mark it in the code, in English (the msgid is the English source text)::

           from geo_service.i18n import _, ngettext

           raise Conflict(_("flat {flat} is held until {until}").format(
               flat=flat_id, until=formats.moment(until)))
           ngettext("{n} flat fits", "{n} flats fit", n).format(n=n)

       Placeholders are ``{name}`` filled by ``.format()`` after the lookup: never an
       f-string or a sum inside ``_()`` (the check refuses f-strings); a value a person typed
       is quoted “{value}” in English and „{value}“ in German (not ``{value!r}``). Counts use
       ``ngettext``; a text with two meanings gets a context: ``pgettext("sheet", "Flat")``
       (texts of the referral sheet use the contexts "sheet" and "offer category": those are
       translated into all seven sheet languages). Constants at module level (tables, error
       titles) are marked with ``N_("...")`` and translated where shown: ``_(TITLES[k])``
       (``NP_(context, "...")`` and ``pgettext(context, value)`` with a context). Look a
       table's key up before translating (``status = row["status"]; _(WORDS[status])``) and
       never name a throwaway value ``_`` in a function that translates (``for _i in ...``).
       Jinja templates: ``{{ _("Flat") }}`` in an environment passed through
       ``geo_service.i18n.jinja.install``. Numbers, distances and dates:
       ``geo_service.i18n.formats`` ("12,5 km", "44 %", "06.12.2026").
    2. ``make messages`` appends the new msgids to the end of every catalogue
       ``geo_service/locale/<lang>/LC_MESSAGES/messages.po`` (English filled with the source
       text, which you may improve). Write the German ``msgstr`` in
       ``geo_service/locale/de/LC_MESSAGES/messages.po`` (plain German for a clerk of the housing
       office: no codes, no jargon). Add entries at the end, never reorder or rewrap others:
       the files merge with git's union driver (``.gitattributes``).
    3. ``make messages-check`` (also run by ``tests/i18n/test_catalogue.py``) fails when a
       message the code uses has no German or English translation (or is fuzzy), when an
       entry is no longer used (``make messages-prune`` removes it), when an entry appears
       twice (a merge kept both sides: keep one), when a translation's placeholders differ, or
       when code binds ``_`` where it translates, or hides a string in ``_()``'s argument.

The ``.po`` files are compiled in memory at first use (Babel's ``read_po``/``write_mo``, some 20
milliseconds, once per process and language), so a fresh clone and an installed wheel work
without a build step and no compiled file can lag behind its source.
"""

from __future__ import annotations

from geo_service.i18n.catalogue import (
    DEFAULT_LANGUAGE,
    N_,
    NP_,
    SHEET_LANGUAGES,
    UI_LANGUAGES,
    gettext,
    ngettext,
    npgettext,
    pgettext,
)
from geo_service.i18n.context import current_language, set_language, use_language

_ = gettext

__all__ = [
    "DEFAULT_LANGUAGE",
    "NP_",
    "N_",
    "SHEET_LANGUAGES",
    "UI_LANGUAGES",
    "_",
    "current_language",
    "gettext",
    "ngettext",
    "npgettext",
    "pgettext",
    "set_language",
    "use_language",
]
