"""Numbers, shares, distances and dates as a person reads them in the current language
(CLDR via Babel): German "12,5 km", "44 %", "06.12.2026".

Numbers are on the ranking's hot path (a ranking's explanations hold some hundred of them):
CLDR's symbols and percent pattern are looked up once per language and applied with Python's
own formatting, which gives what Babel's ``format_decimal``/``format_percent`` give (a test
compares them) in a twentieth of the time."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_percent

from geo_service.i18n.context import current_language

# ISO 639-3 codes refugee services use that CLDR names under another tag
CLDR_ALIASES = {"prs": "fa_AF"}
# How a reader of the language writes in a German city: English as in Europe (day month year,
# the 24-hour clock), as the maps' en-GB does in the browser
READER_LOCALES = {"en": "en_GB"}


@cache
def cldr(lang: str) -> Locale:
    """The CLDR locale a reader of a language code writes in (German when CLDR does not know
    it)."""
    try:
        return Locale.parse(READER_LOCALES.get(lang) or CLDR_ALIASES.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("de")


@cache
def _separators(lang: str) -> tuple[str, str]:
    """The decimal and group separators the language writes (CLDR, Latin digits)."""
    symbols = cldr(lang).number_symbols["latn"]
    return str(symbols["decimal"]), str(symbols["group"])


@cache
def _percent_pattern(lang: str) -> str:
    """Where the number goes in the language's percentage ("{} %", "{}%", "%{}")."""
    return format_percent(0, locale=cldr(lang)).replace("0", "{}", 1)


def number(value: float, decimals: int = 1, lang: str | None = None) -> str:
    """A number with ``decimals`` places and grouped thousands: "1.234,5" (de)."""
    decimal, group = _separators(lang or current_language())
    return f"{value:_.{decimals}f}".replace(".", decimal).replace("_", group)


def plain(value: float, lang: str | None = None) -> str:
    """A number as written without needless digits ("0", "2,5", "1e+06" stays Python's)."""
    return f"{value:g}".replace(".", _separators(lang or current_language())[0])


def percent(share: float, decimals: int = 0, lang: str | None = None) -> str:
    """A share (0..1) as a percentage in the language's style: "44 %" (de), "44%" (en)."""
    lang = lang or current_language()
    return _percent_pattern(lang).format(number(share * 100, decimals, lang))


def distance(metres: float, lang: str | None = None) -> str:
    """A distance: metres below 1 km ("240 m"), else kilometres with one decimal ("12,5 km",
    whole kilometres without: "3 km")."""
    if metres < 1000:
        return f"{number(metres, 0, lang)} m"
    km = round(metres / 1000, 1)
    return f"{number(km, 0 if km.is_integer() else 1, lang)} km"


def day(value: date, lang: str | None = None) -> str:
    """A date: "06.12.2026" (de), "6 Dec 2026" (en): CLDR's medium format."""
    return _day(value, lang or current_language())


@lru_cache(maxsize=4096)
def _day(value: date, lang: str) -> str:
    """``day`` once per date and language (explanations repeat the same few dates)."""
    return format_date(value, format="medium", locale=cldr(lang))


def moment(value: datetime, lang: str | None = None) -> str:
    """A date and time to the minute: "06.12.2026, 14:30" (de), in the time's own zone
    (convert it to the city's first)."""
    locale = cldr(lang or current_language())
    return str(locale.datetime_formats["medium"]).format(
        format_time(value, format="short", tzinfo=value.tzinfo, locale=locale),
        format_date(value, format="medium", locale=locale),
    )
