"""The labels of maps and referral sheets: texts, categories, indicators (label, unit, year),
needs, languages by name, status classes in words, numbers, dates and opening hours.

A thin layer over the message catalogue (``geo_service.i18n``): the texts by key are in
``maps/texts.py`` (English source text; map texts de/en, the sheet's texts and offer
categories in de/en/ar/fa/uk/ru/tr); the profile gives indicator labels and units (and the
labels of categories a city adds); language and weekday names and number formats come from
CLDR (Babel), so no code is ever shown bare.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from geo_service.i18n import SHEET_LANGUAGES, formats
from geo_service.i18n.catalogue import translations
from geo_service.i18n.languages import language_name
from geo_service.maps import texts as keyed
from geo_service.scoring.profile import IndicatorInfo, ScoringProfile

MAP_LANGUAGES = ("de", "en")
# Weekday abbreviations in opening hours (German as the sample writes them, OSM's English)
WEEKDAYS = {
    **{d: i for i, d in enumerate(("mo", "di", "mi", "do", "fr", "sa", "so"))},
    **{d: i for i, d in enumerate(("mo", "tu", "we", "th", "fr", "sa", "su"))},
}
TIME_SPAN = re.compile(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})")
DAY_SPAN = re.compile(r"\b([A-Za-z]{2})\b(?:\s*-\s*\b([A-Za-z]{2})\b)?")


@cache
def _sheet(lang: str) -> dict[str, Any]:
    """The referral sheet's texts in ``lang`` from the catalogue (with ``categories`` and
    ``rtl``), made once per language."""
    t = translations(lang)
    out: dict[str, Any] = {k: str(t.pgettext("sheet", m)) for k, m in keyed.SHEET.items()}
    out["categories"] = {
        code: str(t.pgettext("offer category", m)) for code, m in keyed.OFFER_CATEGORIES.items()
    }
    out["rtl"] = lang in keyed.RTL
    return out


@cache
def _map(lang: str) -> dict[str, Any]:
    """The map texts in ``lang`` (English where the catalogue has none), made once."""
    t = translations(lang)

    def words(table: dict[str, str]) -> dict[str, str]:
        return {k: t.gettext(m) for k, m in table.items()}

    return {
        **words(keyed.MAP),
        "class_names": [t.gettext(m) for m in keyed.CLASS_NAMES],
        "pages": words(keyed.PAGES),
        "fields": words(keyed.FIELDS),
        "errors": words(keyed.ERRORS),
        "need_names": words(keyed.NEEDS),
        "basemap": words(keyed.BASEMAP),
        "category_names": words(keyed.AMENITIES),
    }


def sheet_texts() -> dict[str, Any]:
    """The referral sheet's texts per language (de, en, ar, fa, uk, ru, tr)."""
    return {lang: _sheet(lang) for lang in SHEET_LANGUAGES}


def sheet_languages() -> list[str]:
    """Languages a referral sheet can be printed in."""
    return sorted(SHEET_LANGUAGES)


@dataclass(frozen=True)
class Labels:
    """Everything a map or sheet in one language says; ``profile`` supplies the city's
    category and indicator labels."""

    lang: str
    profile: ScoringProfile | None = None

    @property
    def sheet(self) -> Mapping[str, Any]:
        """The referral sheet's texts in this language."""
        return dict(_sheet(self.lang))

    @property
    def texts(self) -> Mapping[str, Any]:
        """Map texts (de/en; other languages fall back to English) over the sheet's texts
        (which give the offer categories and right-to-left in every sheet language)."""
        return {**_sheet(self.lang), **_map(self.lang if self.lang in MAP_LANGUAGES else "en")}

    def __getitem__(self, key: str) -> Any:
        """One text by key."""
        return self.texts[key]

    def text(self, key: str, **values: Any) -> str:
        """One text with its ``{placeholders}`` filled in."""
        return str(self.texts[key]).format(**values)

    def category(self, code: str) -> str:
        """A category's name: offer categories from the sheet texts, amenity categories from
        the profile (German) or the map texts (English)."""
        own = {**self.texts.get("category_names", {}), **self.texts.get("categories", {})}
        if code in own:
            return str(own[code])
        if self.profile is not None and code in self.profile.categories:
            label = self.profile.categories[code].label
            if label:
                return label
        return str(_sheet("de")["categories"].get(code, code.replace("_", " ")))

    def need(self, code: str) -> str:
        """A household need in words."""
        return str(self.texts.get("need_names", {}).get(code, code.replace("_", " ")))

    def language_name(self, code: str) -> str:
        """A language's name in this language (CLDR), e.g. ``ar`` -> "Arabisch"."""
        return language_name(code, self.lang)

    def language(self, code: str) -> str:
        """A language's name with its code, e.g. "Arabisch (ar)"."""
        return f"{self.language_name(code)} ({code})"

    def status_class(self, cls: int | float | None, suppressed: str | None = None) -> str:
        """A status class in words, e.g. "4 – sehr niedrig"; the suppression note if none."""
        if cls is None or cls != cls:
            return suppressed or self["none"]
        n = int(cls)
        return f"{n} – {self['class_names'][n - 1]}"

    def indicator(self, info: IndicatorInfo, year: int | None = None) -> str:
        """An indicator's label with unit and year, e.g. "Arbeitslosenquote (%), 2024"."""
        text = f"{info.label} ({info.unit})" if info.unit else info.label
        return f"{text}, {year}" if year else text

    def number(self, value: float | None, decimals: int = 1) -> str:
        """A number in the language's format (de: 1.234,5); a dash when missing."""
        if value is None or value != value:
            return str(self["none"])
        return formats.number(value, decimals, self.lang)

    def percent(self, share: float | None, decimals: int = 0) -> str:
        """A share (0..1) as a percentage, e.g. "84 %"."""
        if share is None or share != share:
            return str(self["none"])
        return f"{self.number(share * 100, decimals)} %"

    def money(self, eur: float | None) -> str:
        """Euros with cents, e.g. "512,40 €"."""
        return f"{self.number(eur, 2)} €"

    def area(self, m2: float | None) -> str:
        """Square metres, e.g. "65,2 m²"."""
        return f"{self.number(m2, 1)} m²"

    def metres(self, m: float) -> str:
        """A distance: metres below 1 km, else kilometres with one decimal."""
        if m < 1000:
            return f"{self.number(m, 0)} m"
        km = m / 1000
        return f"{self.number(km, 0 if km.is_integer() else 1)} km"

    def date(self, value: date | str | None) -> str:
        """A date as 28.11.2026 (de) or the CLDR medium date elsewhere."""
        if value is None or value == "":
            return str(self["none"])
        d = date.fromisoformat(str(value)[:10]) if not isinstance(value, date) else value
        return formats.day(d, self.lang)

    def hours(self, text: str | None) -> str:
        """Opening hours with weekday names in this language ("Mo-Fr 09:00-12:00" on an
        Arabic sheet names the days in Arabic); unknown tokens stay as written."""
        if not text:
            return ""
        days = formats.cldr(self.lang).days["format"]["abbreviated"]

        def day(token: str) -> str:
            i = WEEKDAYS.get(token.lower())
            return token if i is None else str(days[i]).rstrip(".")

        def span(m: re.Match[str]) -> str:
            first, last = m.group(1), m.group(2)
            return day(first) + (f"–{day(last)}" if last else "")

        text = DAY_SPAN.sub(span, text).replace(",", "، " if self.rtl else ", ")
        # times read left to right in every script (isolated, so RTL text keeps their order)
        return TIME_SPAN.sub("\u2066\\1–\\2\u2069", text)

    @property
    def rtl(self) -> bool:
        """Right-to-left script."""
        return bool(self.texts.get("rtl", False))


def labels_for(lang: str, profile: ScoringProfile | None = None) -> Labels:
    """The catalogue in ``lang`` (any sheet language; maps use de or en)."""
    return Labels(lang, profile)
