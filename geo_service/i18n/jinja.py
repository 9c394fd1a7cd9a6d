"""Jinja templates that speak the catalogue: ``{{ _("Flat") }}``, ``ngettext``, ``pgettext``
and the CLDR formats as filters (``{{ km | distance }}``, ``{{ d | day }}``)."""

from __future__ import annotations

import jinja2

from geo_service.i18n import formats
from geo_service.i18n.catalogue import gettext, ngettext, npgettext, pgettext


def install(env: jinja2.Environment) -> jinja2.Environment:
    """Give ``env`` the catalogue's functions in the current language (per render) and the
    format filters ``number``, ``percent``, ``distance``, ``day`` and ``moment``."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=False, pgettext=pgettext, npgettext=npgettext
    )
    env.filters.update(
        number=formats.number,
        percent=formats.percent,
        distance=formats.distance,
        day=formats.day,
        moment=formats.moment,
    )
    return env
