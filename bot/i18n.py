"""Translations (gettext catalogs compiled by Babel) and locale-aware formatting.

Messages are written in English in the code (``t._("Hello")``) and translated in
``locales/<lang>/LC_MESSAGES/messages.po``. Dates, times, numbers and won amounts are
formatted with Babel in the configured time zone, the way Korean public notices write
them: ``2027년 2월 12일 (금) 오후 7:00``, ``100만 원``.
"""

from __future__ import annotations

import io
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_time as _babel_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from bot.config import SUPPORTED_LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

LANGUAGE_NAMES: dict[str, str] = {"ko": "한국어", "en": "English"}

_PATTERNS: dict[str, dict[str, str]] = {
    "ko": {
        "datetime": "y년 M월 d일 (E) aaaa h:mm",
        "date": "y년 M월 d일 (E)",
        "short_date": "M월 d일 (E)",
        "time": "aaaa h:mm",
    },
    "en": {
        "datetime": "EEE d MMM y, h:mm a",
        "date": "EEE d MMM y",
        "short_date": "EEE d MMM",
        "time": "h:mm a",
    },
}


def resolve_language(saved: str | None, telegram_code: str | None, default: str) -> str:
    """The user's saved choice, else Telegram's language_code, else the default.

    A Telegram language we have no catalog for (e.g. ``vi``, ``zh``) gets English,
    which residents from abroad read more often than Korean.
    """
    if saved in SUPPORTED_LANGUAGES:
        return saved
    if telegram_code:
        code = telegram_code.split("-")[0].split("_")[0].lower()
        if code in SUPPORTED_LANGUAGES:
            return code
        return "en"
    return default


@cache
def _translations(lang: str, locales_dir: Path = LOCALES_DIR) -> NullTranslations:
    po = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if po.exists():  # not compiled yet: compile in memory rather than show English
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return Translations(buf, domain=DOMAIN)
    return NullTranslations()


def reload_catalogs() -> None:
    _translations.cache_clear()


class Translator:
    """Everything language-dependent for one user: messages and formatting."""

    def __init__(self, lang: str, tz: tzinfo) -> None:
        self.lang = lang if lang in SUPPORTED_LANGUAGES else "en"
        self.tz = tz
        self._t = _translations(self.lang)

    def _(self, message: str, **kwargs: object) -> str:
        text = self._t.gettext(message)
        return text.format(**kwargs) if kwargs else text

    def n_(self, singular: str, plural: str, n: int, **kwargs: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text.format(n=n, **kwargs)

    def p_(self, context: str, message: str, **kwargs: object) -> str:
        """A message whose meaning depends on where it is shown (gettext ``msgctxt``).

        ``t.p_("ballot", "Yes")`` is 찬성 while a plain ``t._("Yes")`` on a confirmation
        button is 예: the same English word, two Korean ones.
        """
        text = str(self._t.pgettext(context, message))  # Babel annotates it `str | object`
        return text.format(**kwargs) if kwargs else text

    def np_(self, context: str, singular: str, plural: str, n: int, **kwargs: object) -> str:
        text = self._t.npgettext(context, singular, plural, n)
        return text.format(n=n, **kwargs)

    # --- formatting ---------------------------------------------------------------
    def _local(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("naive datetime")
        return when.astimezone(self.tz)

    def format_datetime(self, when: datetime) -> str:
        return _babel_datetime(
            self._local(when), _PATTERNS[self.lang]["datetime"], locale=self.lang
        )

    def format_date(self, day: date | datetime, short: bool = False) -> str:
        if isinstance(day, datetime):
            day = self._local(day).date()
        key = "short_date" if short else "date"
        return _babel_date(day, _PATTERNS[self.lang][key], locale=self.lang)

    def format_time(self, when: datetime) -> str:
        return _babel_time(self._local(when), _PATTERNS[self.lang]["time"], locale=self.lang)

    def format_number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.lang)

    def format_krw(self, amount: int) -> str:
        return format_krw(amount, self.lang)


def format_krw(amount: int, lang: str) -> str:
    """Won amounts as Korean notices write them: ``100만 원``, ``4억 3,200만 원``."""
    if lang != "ko":
        return format_currency(amount, "KRW", locale="en")
    sign = "-" if amount < 0 else ""
    n = abs(amount)
    if n < 10_000 or n % 10_000:
        return f"{sign}{format_decimal(n, locale='ko')}원"
    eok, man = divmod(n // 10_000, 10_000)
    parts = []
    if eok:
        parts.append(f"{format_decimal(eok, locale='ko')}억")
    if man:
        parts.append(f"{format_decimal(man, locale='ko')}만")
    return f"{sign}{' '.join(parts)} 원"


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translate it where it is shown."""
    return message


def Np_(context: str, message: str) -> str:
    """:func:`N_` for a message with a context: show it with ``t.p_(context, message)``."""
    return message
