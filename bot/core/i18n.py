"""Translations (gettext catalogs compiled by Babel) and locale-aware formatting.

Messages are written in English in the code (``t._("Hello")``) and translated in
``locales/<lang>/LC_MESSAGES/messages.po``. Dates, times, numbers and won amounts are
formatted with Babel in the configured time zone, the way Korean public notices write
them: ``2027년 2월 12일 (금) 오후 7:00``, ``100만 원``.
"""

from __future__ import annotations

import html
import importlib.resources
import io
import logging
import re
import string
import unicodedata
from collections.abc import Iterable
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

from bot.core.config import SUPPORTED_LANGUAGES

log = logging.getLogger(__name__)


def _locales_dir() -> Path:
    """The catalogs' directory, ``locales/`` at the top of the repository.

    In a checkout it sits next to the ``bot`` package; a built wheel installs it as the
    ``locales`` package (pyproject.toml: packages.find and package-data), which is again
    next to ``bot`` in site-packages, or found through importlib.resources wherever it is.

    The wheel carries the ``.po`` files, not ``.mo``: :func:`_translations` compiles them
    in memory once per process (about 40 ms a language). A ``.mo`` is a build output of
    ``make catalogs`` that may be older than its ``.po``, and an installer does not keep
    the times that would tell; compiling at build time would need Babel and a custom
    command in the build backend. The ``.po`` is the one source and cannot be stale.
    """
    beside = Path(__file__).resolve().parents[2] / "locales"
    if beside.is_dir():
        return beside
    try:
        found = importlib.resources.files("locales")
    except ModuleNotFoundError:
        return beside
    return Path(str(found))


LOCALES_DIR = _locales_dir()
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
    log.warning("No %s catalog at %s: messages stay in English.", lang, po)
    return NullTranslations()


def reload_catalogs() -> None:
    _translations.cache_clear()


# --- Korean particles -------------------------------------------------------------------
# A Korean translation writes the particle into the placeholder, ``{title:은}``,
# ``{dong:을}``, ``{name:과}``, ``{place:으로}``, ``“{text:”이라는}``, and gets the form that
# fits the last syllable of the value: 통합설명회는, 한빛1동을, 이웃만들기 지원사업과,
# 마을회관으로 / 서울로. Whatever precedes the particle in the spec (a closing quote or
# bracket) is written between the value and the particle. English specs (``{n:,}``) are
# ordinary format specs.

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the final consonants
# How a digit, or a number ending in zeros, is read: (has a final consonant, it is ㄹ).
_DIGITS = {
    "0": (True, False),  # 영
    "1": (True, True),  # 일
    "2": (False, False),  # 이
    "3": (True, False),  # 삼
    "4": (False, False),  # 사
    "5": (False, False),  # 오
    "6": (True, False),  # 육
    "7": (True, True),  # 칠
    "8": (True, True),  # 팔
    "9": (False, False),  # 구
}
# 10 십, 100 백, 1000 천, 10⁴ 만, 10⁸ 억 all end in a consonant (none is ㄹ); 10¹² 조 does not.
_POWERS = [(12, (False, False)), (8, (True, False)), (1, (True, False))]
# Letters read one by one (PDF, QR, KB): 엘 and 알 end in ㄹ, 엠 and 엔 in a consonant.
_LETTERS = {"L": (True, True), "R": (True, True), "M": (True, False), "N": (True, False)}
# Endings of English words as Korean writes them: Zoom 줌, Line 라인, Google 구글, Kakao 카카오.
_ENGLISH_ENDINGS: list[tuple[str, tuple[bool, bool] | None]] = [
    ("ng", (True, False)),
    ("le", (True, True)),
    ("me", (True, False)),
    ("ne", (True, False)),
    ("l", (True, True)),
    ("m", (True, False)),
    ("n", (True, False)),
    # -k, -p, -t, -b, -d, -g: 북 or 크, 웹 or 프, 챗 or 트 — it depends on the word.
    ("k", None),
    ("p", None),
    ("t", None),
    ("b", None),
    ("d", None),
    ("g", None),
]
_PAIRED = {"은": "은(는)", "을": "을(를)", "이": "이(가)", "과": "과(와)"}
_FIRST = {
    "은": "은",
    "는": "은",
    "을": "을",
    "를": "을",
    "이": "이",
    "가": "이",
    "과": "과",
    "와": "과",
}
_AFTER_VOWEL = {"은": "는", "을": "를", "이": "가", "과": "와"}
_TRAILING = re.compile(r"(\s*\([^()]*\))+$")  # 통합설명회(3월) reads as 통합설명회
_TAGS = re.compile(r"(<[^<>]*>\s*)+$")
_SPEC = re.compile(r"^([^\uac00-\ud7a3]*)([\uac00-\ud7a3].*)$")


def _unread(char: str) -> bool:
    """A symbol nobody reads aloud after a word: an emoji, ★, ~, a variation selector, a
    zero-width joiner or a space between them."""
    category = unicodedata.category(char)
    return category in ("So", "Sm", "Sk", "Mn", "Cf", "Zs") or char == "\t"  # (~ is Sm)


def _not_spoken(char: str) -> bool:
    """A mark after the last word that is not read aloud: punctuation (the "…" of text
    cut short, closing quotes and brackets, a dash) or an unread symbol — but not % (퍼센트)."""
    return char not in "%％" and (unicodedata.category(char).startswith("P") or _unread(char))


def final_sound(word: str) -> tuple[bool, bool] | None:
    """(ends in a consonant, that consonant is ㄹ) for the way ``word`` is read aloud, or
    None when it cannot be told (no letter or digit at all, a symbol, an English word
    ending in -k). What follows the last word is not read: “통합설명회(3월)…” is read
    통합설명회, text cut short (“…더위에…”) is read up to its last letter."""
    word = html.unescape(_TAGS.sub("", word.strip()))  # “<b>마을회관</b>”, “A &amp; B”
    while word:
        # a parenthesis after a name is not read (unless it is all there is): 설명회(3월)
        rest = _TRAILING.sub("", word)
        if rest != word and rest.strip():
            word = rest
        # nor are emoji and marks after it: “봄꽃 축제 🌸” is read 축제
        elif _not_spoken(word[-1]):
            word = word[:-1]
        else:
            break
    if not word:
        return None
    last = word[-1]
    if last == "%":  # 퍼센트
        return (False, False)
    code = ord(last)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        final = (code - _HANGUL_FIRST) % 28
        return (final != 0, final == _RIEUL)
    if last.isdigit() and last.isascii():
        digits = re.search(r"[\d,]*$", word)
        number = (digits.group(0) if digits else last).replace(",", "").lstrip("0")
        zeros = len(number) - len(number.rstrip("0"))
        if not number:
            return _DIGITS["0"]
        if zeros == 0:
            return _DIGITS[number[-1]]
        return next(sound for power, sound in _POWERS if zeros >= power)
    if last.isascii() and last.isalpha():
        letters = re.search(r"[A-Za-z]*$", word)
        tail = letters.group(0) if letters else last
        if tail.isupper() or len(tail) == 1:  # read letter by letter: PDF 피디에프, QR 큐알
            return _LETTERS.get(last.upper(), (False, False))
        lower = tail.lower()
        for ending, sound in _ENGLISH_ENDINGS:
            if lower.endswith(ending):
                return sound
        return (False, False)  # Kakao 카카오, Center 센터, Naver 네이버, Excel... see "l"
    return None


def particle(word: str, spec: str) -> str:
    """The particle ``spec`` (written in either form: 은/는, 이/가, 을/를, 과/와, 으로/로,
    and the copula 이에요/예요, 이라는/라는, 이나/나…) in the form that fits ``word``.

    When the last sound cannot be told, both forms are written, 은(는), as notices do.
    """
    sound = final_sound(word)
    if spec.startswith(("으로", "로")):
        rest = spec[2:] if spec.startswith("으로") else spec[1:]
        if sound is None:
            return "(으)로" + rest
        consonant, rieul = sound
        return ("으로" if consonant and not rieul else "로") + rest
    if (spec.startswith("이") and len(spec) > 1) or spec.startswith(("예요", "였")):
        # the copula: 이에요/예요, 이었어요/였어요, 이라는/라는, 이나/나, 이랑/랑
        full = (
            spec if spec.startswith("이") else "이" + spec.replace("예", "에").replace("였", "었")
        )
        if sound is None:
            return "(이)" + full[1:]
        if sound[0]:
            return full
        if full.startswith(("이에", "이었")):
            return {"에": "예", "었": "였"}[full[1]] + full[2:]
        return full[1:]
    first = _FIRST.get(spec[:1])
    if first is None:
        raise ValueError(f"unknown Korean particle: {spec!r}")
    rest = spec[1:]
    if sound is None:
        return _PAIRED[first] + rest
    return (first if sound[0] else _AFTER_VOWEL[first]) + rest


class _Formatter(string.Formatter):
    """str.format, plus Korean particles in the format spec: ``{title:은}``."""

    def format_field(self, value: object, format_spec: str) -> str:
        match = _SPEC.match(format_spec)
        if match is None:
            return str(super().format_field(value, format_spec))
        between, spec = match.groups()
        text = str(value)
        return text + between + particle(text, spec)


_FORMATTER = _Formatter()


class Translator:
    """Everything language-dependent for one user: messages and formatting."""

    def __init__(self, lang: str, tz: tzinfo) -> None:
        self.lang = lang if lang in SUPPORTED_LANGUAGES else "en"
        self.tz = tz
        self._t = _translations(self.lang)

    def _(self, message: str, **kwargs: object) -> str:
        text = self._t.gettext(message)
        return _FORMATTER.format(text, **kwargs) if kwargs else text

    def n_(self, singular: str, plural: str, n: int, **kwargs: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return _FORMATTER.format(text, n=n, **kwargs)

    def p_(self, context: str, message: str, **kwargs: object) -> str:
        """A message whose meaning depends on where it is shown (gettext ``msgctxt``).

        ``t.p_("ballot", "Yes")`` is 찬성 while a plain ``t._("Yes")`` on a confirmation
        button is 네: the same English word, two Korean ones.
        """
        text = str(self._t.pgettext(context, message))  # Babel annotates it `str | object`
        return _FORMATTER.format(text, **kwargs) if kwargs else text

    def language_names(self, codes: Iterable[str]) -> str:
        """The languages ``codes`` (those questions are asked in: ko, en, zh, vi, ja) named
        in this translator's language, Korean first: "한국어, 영어" — never "ko, en". A code
        it has no name for is shown as it is."""
        order = list(SPOKEN_LANGUAGES)
        ranked = sorted(set(codes), key=lambda c: (order.index(c) if c in order else len(order), c))
        named = [self._(SPOKEN_LANGUAGES[c]) if c in SPOKEN_LANGUAGES else c for c in ranked]
        return ", ".join(named)

    def np_(self, context: str, singular: str, plural: str, n: int, **kwargs: object) -> str:
        text = self._t.npgettext(context, singular, plural, n)
        return _FORMATTER.format(text, n=n, **kwargs)

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


SPOKEN_LANGUAGES: dict[str, str] = {
    "ko": N_("Korean"),
    "en": N_("English"),
    "zh": N_("Chinese"),
    "vi": N_("Vietnamese"),
    "ja": N_("Japanese"),
}
"""The languages residents ask in (:func:`bot.qa.text.detect_language`), for staff screens:
:meth:`Translator.language_names`. (:data:`LANGUAGE_NAMES` names the bot's own languages
in themselves, for the language picker.)"""
