"""Staff edits of a grant's or an event's key fields, from the bot (admin role).

Flow: :func:`plan` parses what the admin typed for one field, checks it against the rest
of the record and the whole knowledge base (opens ≤ closes ≤ result_on, amount per award
≤ total, an event ends after it starts …) and returns a :class:`Change`; the admin sees a
preview; :func:`save` writes the KB row, records ``grant.edit`` / ``event.edit`` in the
audit log (field, old and new value, actor) and makes the KB snapshot reload.

Problems are :class:`EditError`\\ s whose ``message`` is an English msgid with a ``{value}``
placeholder (formatted by the caller as ``kind`` says), so the handler can show them in
the admin's language. Nothing here knows Telegram.
"""

from __future__ import annotations

import asyncio
import hashlib
import operator
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.i18n import N_
from bot.kb import records as kbmod
from bot.kb.cards import record_title
from bot.kb.records import EventSpec, GrantSpec, KnowledgeBase
from models.audit import AuditLog
from models.kb import Event, FaqEntry, Grant
from models.qa import UnansweredQuestion, followed_record

Target = Literal["grant", "event"]
Kind = Literal["date", "datetime", "amount", "phone", "text", "count"]
Value = date | datetime | int | str | None

MAX_AMOUNT = 10**13
MAX_CAPACITY = 100_000
MAX_TEXT = 200


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    label: str
    """English msgid."""
    optional: bool = False


GRANT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("opens", "date", N_("Application opens")),
    FieldSpec("closes", "date", N_("Application closes")),
    FieldSpec("result_on", "date", N_("Results announced"), optional=True),
    FieldSpec("max_krw", "amount", N_("Amount per award")),
    FieldSpec("total_krw", "amount", N_("Total budget"), optional=True),
    FieldSpec("phone", "phone", N_("Contact phone")),
)
EVENT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("starts_at", "datetime", N_("Start (first date)")),
    FieldSpec("ends_at", "datetime", N_("End (first date)")),
    FieldSpec("place_ko", "text", N_("Place (Korean)")),
    FieldSpec("place_en", "text", N_("Place (English)")),
    FieldSpec("capacity", "count", N_("Registration capacity"), optional=True),
)


class EditError(ValueError):
    """A value that cannot be saved. ``message`` is an English msgid; ``value`` fills its
    ``{value}`` placeholder once formatted as ``kind`` (a date, an amount …)."""

    def __init__(self, message: str, value: Value = None, kind: Kind | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.kind = kind


def fields_for(target: Target, spec: GrantSpec | EventSpec) -> tuple[FieldSpec, ...]:
    """The editable fields of a record (capacity only when the event has registration)."""
    if target == "grant":
        return GRANT_FIELDS
    assert isinstance(spec, EventSpec)
    return tuple(f for f in EVENT_FIELDS if f.name != "capacity" or spec.registration)


def field_spec(target: Target, name: str) -> FieldSpec | None:
    pool = GRANT_FIELDS if target == "grant" else EVENT_FIELDS
    return next((f for f in pool if f.name == name), None)


# ---------------------------------------------------------------------------------------
# Parsing what staff type
# ---------------------------------------------------------------------------------------

_CLEAR_WORDS = {"없음", "없어요", "없다", "삭제", "비움", "none", "clear", "-", "—"}
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*일?\.?\s*(?:\([^)]*\))?"
)
_TIME_RE = re.compile(
    r"^(?P<pre>오전|오후|am|pm)?\s*(?P<h>\d{1,2})\s*(?:(?::|시)\s*(?P<m>\d{2})?\s*분?)?"
    r"\s*(?P<post>am|pm|a\.m\.|p\.m\.)?$"
)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def is_clear(text: str) -> bool:
    return _clean(text).lower() in _CLEAR_WORDS


def _date_head(text: str) -> tuple[date, str]:
    """Parse a leading date; return it with the rest of the text."""
    if re.fullmatch(r"\d{8}", text[:8]) and (len(text) == 8 or not text[8].isdigit()):
        year, month, day, rest = int(text[:4]), int(text[4:6]), int(text[6:8]), text[8:]
    else:
        match = _DATE_RE.match(text)
        if match is None:
            raise EditError(N_("Please type a date like 2027-02-12."))
        year, month, day = (int(g) for g in match.groups())
        rest = text[match.end() :]
    try:
        return date(year, month, day), rest.strip()
    except ValueError:
        raise EditError(N_("There is no such date. Please type a date like 2027-02-12.")) from None


def parse_date(text: str) -> date:
    """'2027-02-12', '2027.2.12', '2027/2/12', '2027년 2월 12일', '20270212'."""
    day, rest = _date_head(_clean(text))
    if rest:
        raise EditError(N_("Please type a date like 2027-02-12."))
    return day


def _parse_time(text: str) -> time:
    match = _TIME_RE.match(text.lower())
    if match is None:
        raise EditError(N_("Please type a date and time like 2027-02-12 19:00."))
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    marker = (match.group("pre") or match.group("post") or "").replace(".", "")
    if marker:
        if not 1 <= hour <= 12:
            raise EditError(N_("There is no such time. Please type a time like 19:00."))
        pm = marker in ("오후", "pm")
        hour = hour % 12 + (12 if pm else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise EditError(N_("There is no such time. Please type a time like 19:00."))
    return time(hour, minute)


def _iso_datetime(clean: str, tz: tzinfo, no_time: str) -> datetime | None:
    """``clean`` read as ISO 8601, in ``tz`` (a time without an offset is read in ``tz``);
    None when it is not ISO. A date alone raises :class:`EditError` ``no_time``."""
    try:
        parsed = datetime.fromisoformat(clean)
    except ValueError:
        return None
    if len(clean) <= 10:  # a date alone
        raise EditError(no_time)
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)


def parse_datetime(text: str, tz: tzinfo) -> datetime:
    """'2027-02-12 19:00', '2027-02-12T19:00:00+09:00', '2027.2.12 오후 7시', '2027년 2월
    12일 오후 7:30'. Without an offset the time is read in ``tz``."""
    clean = _clean(text)
    parsed = _iso_datetime(clean, tz, N_("Please add the time, like 2027-02-12 19:00."))
    if parsed is not None:
        return parsed
    day, rest = _date_head(clean)
    rest = rest.lstrip("T ").strip()
    if not rest:
        raise EditError(N_("Please add the time, like 2027-02-12 19:00."))
    return datetime.combine(day, _parse_time(rest), tzinfo=tz)


# --- dates as staff type them: "3월 5일 오후 7시", "다음 주 화요일 19:00", "next Tue 7pm" ---

WHEN_EXAMPLES = N_("For example: March 5 7pm, next Tuesday 19:00 or 2027-03-05 19:00.")
_MORNING = {"오전", "아침", "새벽", "am", "a.m."}
_EVENING = {"오후", "저녁", "밤", "pm", "p.m."}
_MARK = r"오전|오후|아침|저녁|새벽|밤|낮"
_POST = r"a\.m\.|p\.m\.|am|pm"
_CLOCK_TIME_RE = re.compile(
    rf"(?:(?P<pre>{_MARK})\s*)?(?P<h>\d{{1,2}})\s*:\s*(?P<m>\d{{2}})(?:\s*(?P<post>{_POST}))?"
)
_HOUR_TIME_RE = re.compile(
    rf"(?:(?P<pre>{_MARK})\s*)?(?P<h>\d{{1,2}})\s*시(?:\s*(?:(?P<m>\d{{1,2}})\s*분|(?P<half>반)))?"
)
_AMPM_TIME_RE = re.compile(
    rf"(?:(?P<pre>{_MARK})\s*)?(?P<h>\d{{1,2}})\s*(?P<post>{_POST})(?![a-z])"
)
_NOON_RE = re.compile(r"정오|낮\s*12\s*시|noon")


@dataclass(frozen=True)
class ClockTime:
    """A time of day as typed; ``ambiguous``: an hour 1–11 with no 오전/오후 (am/pm)."""

    hour: int
    minute: int
    ambiguous: bool = False
    span: tuple[int, int] = (0, 0)


def find_time(text: str) -> ClockTime | None:
    """The time of day in ``text``: '오후 7시', '저녁 7시 반', '19:00', '7:30pm', '7 p.m.',
    '정오'. '7:30' and '7시' (no 오전/오후) are ambiguous; '07:30' and '19:00' are not.
    Raises :class:`EditError` for an hour or minute that does not exist."""
    low = text.lower()
    noon = _NOON_RE.search(low)
    if noon is not None:
        return ClockTime(12, 0, False, noon.span())
    for pattern in (_CLOCK_TIME_RE, _HOUR_TIME_RE, _AMPM_TIME_RE):
        match = pattern.search(low)
        if match is None:
            continue
        found = match.groupdict()
        hour = int(found["h"])
        minute = 30 if found.get("half") else int(found.get("m") or 0)
        marker = found.get("post") or found.get("pre") or ""
        if marker in _MORNING | _EVENING:
            if not 1 <= hour <= 12:
                raise EditError(N_("There is no such time. Please type a time like 19:00."))
            hour = hour % 12 + (12 if marker in _EVENING else 0)
            ambiguous = False
        else:  # 24-hour unless an hour 1-11 typed without a leading zero
            ambiguous = 1 <= hour <= 11 and not found["h"].startswith("0")
            if marker == "낮" and hour < 12:  # 낮 2시
                hour, ambiguous = hour + 12 if hour <= 6 else hour, False
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise EditError(N_("There is no such time. Please type a time like 19:00."))
        return ClockTime(hour, minute, ambiguous, match.span())
    return None


_NOW_WORDS = frozenset({"지금", "지금 바로", "now", "right now"})
_FROM_NOW_RE = re.compile(  # "1시간 뒤", "2시간 30분 후", "30분 후", "in 2 hours"
    r"(?:(?P<h>\d{1,3})\s*시간\s*)?(?:(?P<m>\d{1,4})\s*분\s*)?(?:뒤|후|있다가)"
    r"|in\s+(?:(?P<eh>\d{1,3})\s*(?:hours?|hrs?|h)\s*)?(?:(?:and\s+)?(?P<em>\d{1,4})\s*(?:minutes?|mins?|m))?",
    re.IGNORECASE,
)
_MONTH_DAY_RE = re.compile(r"^(\d{1,2})[/.](\d{1,2})\.?(?=\s|$)")  # "12/20", "12.20"


def parse_when(text: str, now: datetime, tz: tzinfo) -> datetime:
    """A start as staff type it, in ``tz``, relative to ``now`` (the bot's clock): ISO
    ('2027-03-05 19:00', '2027-03-05T19:00+09:00'), a full date ('2027년 3월 5일 저녁 7시',
    '2027.3.5 오후 7:30'), or a day named relative to today ('3월 5일 오후 7시', '다음 주
    화요일 19:00', '내일 오후 3시', 'next Tuesday 7pm', 'March 5 19:00': the day
    resolver of :mod:`bot.qa.dates`), or '지금' (now, to the nearest minute). Raises
    :class:`EditError` with a question to ask back: no time, morning or evening, which
    day, or unreadable."""
    from bot.qa.dates import resolve_dates

    clean = _clean(text)
    if clean.lower() in _NOW_WORDS:  # "지금": now, to the nearest minute
        return (now.astimezone(tz) + timedelta(seconds=30)).replace(second=0, microsecond=0)
    offset = _FROM_NOW_RE.fullmatch(clean)
    if offset is not None and any(offset.groups()):  # "1시간 뒤": from now, to the minute
        hours, minutes = (int(offset[a] or offset[b] or 0) for a, b in (("h", "eh"), ("m", "em")))
        later = now.astimezone(tz) + timedelta(hours=hours, minutes=minutes, seconds=30)
        return later.replace(second=0, microsecond=0)
    parsed = _iso_datetime(clean, tz, N_("Please add the time, for example 7pm or 19:00."))
    if parsed is not None:
        return parsed
    clock = find_time(clean)
    rest = clean if clock is None else (clean[: clock.span[0]] + " " + clean[clock.span[1] :])
    rest = rest.strip(" ,")
    day: date | None = None
    if rest:
        try:
            day, left = _date_head(rest)
        except EditError:
            day, left = None, rest
        if day is not None and left.strip(" ,"):
            day = None  # "2027-03-05 something": let the resolver read it all
        if day is None:  # "12/20": a month and day, the way phones write them
            rest = _MONTH_DAY_RE.sub(r"\1월 \2일", rest)
            found = resolve_dates(rest, now.astimezone(tz))
            if found is None:
                raise EditError(N_("I could not read that date."))
            if found.grain != "day":
                raise EditError(N_("Which day? Please name the day."))
            day = found.start
    if day is None:
        raise EditError(N_("Which day? Please name the day."))
    if clock is None:
        raise EditError(N_("Please add the time, for example 7pm or 19:00."))
    if clock.ambiguous:
        raise EditError(
            N_(
                "Is that {value} in the morning or in the evening? Please type it again with "
                "am or pm, or as 24-hour time (19:00)."
            ),
            f"{clock.hour}:{clock.minute:02d}",
        )
    return datetime.combine(day, time(clock.hour, clock.minute), tzinfo=tz)


_AMOUNT_UNITS = {"억": 10**8, "만": 10**4}
_SMALL_UNITS = {"천": 1000, "백": 100, "십": 10}


def parse_amount(text: str) -> int:
    """Won: '1000000', '1,000,000', '1,000,000원', '100만', '100만 원', '4억 3,200만',
    '3천만', '1.5억', '₩2,500,000', 'KRW 2500000'."""
    clean = _clean(text).lower()
    for noise in ("원", "₩", "krw", "won", ",", " ", "\u00a0"):
        clean = clean.replace(noise, "")
    if not re.fullmatch(r"[\d.억만천백십]+", clean) or not re.search(r"\d", clean):
        raise EditError(N_("Please type an amount in won, like 1000000 or 100만."))
    total = 0.0
    small = 0.0
    number: str = ""
    try:
        for ch in clean:
            if ch.isdigit() or ch == ".":
                number += ch
            elif ch in _SMALL_UNITS:
                small += (float(number) if number else 1.0) * _SMALL_UNITS[ch]
                number = ""
            else:  # 억, 만
                section = small + (float(number) if number else 0.0)
                total += (section or 1.0) * _AMOUNT_UNITS[ch]
                small, number = 0.0, ""
        total += small + (float(number) if number else 0.0)
    except ValueError:
        raise EditError(N_("Please type an amount in won, like 1000000 or 100만.")) from None
    if total != int(total):
        raise EditError(N_("Please type a whole number of won."))
    amount = int(total)
    if amount > MAX_AMOUNT:
        raise EditError(N_("That amount is too large. Please check the number of zeros."))
    return amount


def parse_phone(text: str) -> str:
    """'02-555-0141', '010 1234 5678', '+82-2-555-0141'."""
    clean = re.sub(r"\s+", " ", _clean(text))
    if not re.fullmatch(r"\+?\d[\d\- ]{5,18}\d", clean) or sum(c.isdigit() for c in clean) < 7:
        raise EditError(N_("Please type a phone number like 02-555-0141."))
    return clean


def _bounded(clean: str, most: int) -> str:
    """``clean`` (text as typed, cleaned) when it is not empty and not longer than ``most``."""
    if not clean:
        raise EditError(N_("Please type some text."))
    if len(clean) > most:
        raise EditError(
            N_("That is too long. Please keep it under {value} characters."), most, "count"
        )
    return clean


def parse_text(text: str) -> str:
    return _bounded(re.sub(r"\s+", " ", _clean(text)), MAX_TEXT)


def parse_count(text: str) -> int:
    """'30', '30명', '30 people'."""
    clean = _clean(text).lower().replace(",", "")
    match = re.fullmatch(r"(\d+)\s*(?:명|people|persons|seats|places)?", clean)
    if match is None:
        raise EditError(N_("Please type a whole number, like 30."))
    value = int(match.group(1))
    if not 1 <= value <= MAX_CAPACITY:
        raise EditError(N_("Please type a number from 1 to {value}."), MAX_CAPACITY, "count")
    return value


def parse_value(kind: Kind, text: str, tz: tzinfo) -> Value:
    if kind == "date":
        return parse_date(text)
    if kind == "datetime":
        return parse_datetime(text, tz)
    if kind == "amount":
        return parse_amount(text)
    if kind == "phone":
        return parse_phone(text)
    if kind == "count":
        return parse_count(text)
    return parse_text(text)


# ---------------------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    target: Target
    record_id: str
    field: str
    old: Value
    new: Value
    also: tuple[tuple[str, Value, Value], ...] = ()
    """Fields that move with this one: (field, old, new); e.g. the end moves with the start."""

    def all_fields(self) -> list[tuple[str, Value, Value]]:
        return [(self.field, self.old, self.new), *self.also]


def get_record(kb: KnowledgeBase, target: Target, record_id: str) -> GrantSpec | EventSpec | None:
    pool: list[GrantSpec] | list[EventSpec] = kb.grants if target == "grant" else kb.events
    return next((r for r in pool if r.id == record_id), None)


def current_value(spec: GrantSpec | EventSpec, name: str) -> Value:
    if isinstance(spec, GrantSpec):
        grant_values: dict[str, Callable[[GrantSpec], Value]] = {
            "opens": lambda g: g.application.opens,
            "closes": lambda g: g.application.closes,
            "result_on": lambda g: g.application.result_on,
            "max_krw": lambda g: g.amount.max_krw,
            "total_krw": lambda g: g.amount.total_krw,
            "phone": lambda g: g.contact.phone,
        }
        return grant_values[name](spec)
    event_values: dict[str, Callable[[EventSpec], Value]] = {
        "starts_at": lambda e: e.starts_at,
        "ends_at": lambda e: e.ends_at,
        "place_ko": lambda e: e.place.ko,
        "place_en": lambda e: (e.place.model_extra or {}).get("en"),
        "capacity": lambda e: e.registration.capacity if e.registration else None,
    }
    return event_values[name](spec)


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b  # aware comparison: the same instant
    return a == b and type(a) is type(b)


# A grant's dates, then its amounts, in their order: (the field edited, the value it must not
# pass, the comparison that passes it, the message)
_OrderRule = tuple[str, Callable[[GrantSpec], Any], Callable[[Any, Any], bool], str]
_DATE_ORDER: tuple[_OrderRule, ...] = (
    ("opens", lambda g: g.application.closes, operator.gt,
     N_("The opening date must not be after the closing date ({value}).")),
    ("closes", lambda g: g.application.opens, operator.lt,
     N_("The closing date must not be before the opening date ({value}).")),
    ("closes", lambda g: g.application.result_on, operator.gt,
     N_("The closing date must not be after the results date ({value}).")),
    ("result_on", lambda g: g.application.closes, operator.lt,
     N_("The results date must not be before the closing date ({value}).")),
)  # fmt: skip
_AMOUNT_ORDER: tuple[_OrderRule, ...] = (
    ("max_krw", lambda g: g.amount.total_krw, operator.gt,
     N_("The amount per award must not exceed the total budget ({value}).")),
    ("total_krw", lambda g: g.amount.max_krw, operator.lt,
     N_("The total budget must not be less than the amount per award ({value}).")),
)  # fmt: skip


_ORDERS: tuple[tuple[type, Kind, tuple[_OrderRule, ...]], ...] = (
    (date, "date", _DATE_ORDER),
    (int, "amount", _AMOUNT_ORDER),
)


def _check_grant(grant: GrantSpec, name: str, new: Value) -> None:
    for value_type, kind, rules in _ORDERS:
        if not isinstance(new, value_type):
            continue
        for edited, bound, passes, message in rules:
            limit = bound(grant)
            if name == edited and limit is not None and passes(new, limit):
                raise EditError(message, limit, kind)


def _set(doc: dict[str, Any], target: Target, record_id: str, name: str, value: Value) -> None:
    section = doc["grants"] if target == "grant" else doc["events"]
    record = next(r for r in section if r["id"] == record_id)
    if target == "grant":
        paths = {
            "opens": ("application", "opens"),
            "closes": ("application", "closes"),
            "result_on": ("application", "result_on"),
            "max_krw": ("amount", "max_krw"),
            "total_krw": ("amount", "total_krw"),
            "phone": ("contact", "phone"),
        }
        outer, inner = paths[name]
        record[outer][inner] = value
        return
    if name in ("starts_at", "ends_at"):
        record[name] = value
    elif name == "place_ko":
        record["place"]["ko"] = value
    elif name == "place_en":
        if value is None:
            record["place"].pop("en", None)
        else:
            record["place"]["en"] = value
    elif name == "capacity":
        record["registration"]["capacity"] = value


def _document(kb: KnowledgeBase) -> dict[str, Any]:
    return kb.model_dump(exclude_none=True)


def applied(kb: KnowledgeBase, change: Change) -> KnowledgeBase:
    """The KB with the change made (validated as a whole); raises EditError if invalid."""
    doc = _document(kb)
    for name, _, new in change.all_fields():
        _set(doc, change.target, change.record_id, name, new)
    result, problems = kbmod.validate(doc)
    if result is None:
        raise EditError(N_("This change would make the knowledge base invalid: {value}"),
                        "; ".join(problems), "text")  # fmt: skip
    return result


def plan(
    kb: KnowledgeBase, target: Target, record_id: str, name: str, text: str, tz: tzinfo
) -> Change:
    """Parse and check a new value for one field; raises :class:`EditError`."""
    spec = get_record(kb, target, record_id)
    fspec = field_spec(target, name)
    if spec is None or fspec is None or fspec not in fields_for(target, spec):
        raise EditError(N_("This record or field can no longer be edited."))
    old = current_value(spec, name)
    if fspec.optional and is_clear(text):
        new: Value = None
    elif fspec.name == "place_en" and is_clear(text):
        new = None  # falls back to Korean
    else:
        new = parse_value(fspec.kind, text, tz)
    if _same(old, new):
        raise EditError(N_("That is already the current value."))
    also: tuple[tuple[str, Value, Value], ...] = ()
    if isinstance(spec, GrantSpec):
        _check_grant(spec, name, new)
    elif name == "starts_at" and isinstance(new, datetime):
        # the first occurrence keeps its length: the end moves with the start
        end = new + (spec.ends_at - spec.starts_at)
        also = (("ends_at", spec.ends_at, end.astimezone(tz)),)
    elif name == "ends_at" and isinstance(new, datetime) and new <= spec.starts_at:
        raise EditError(
            N_("The end must be after the start ({value})."), spec.starts_at, "datetime"
        )
    change = Change(target, record_id, name, old, new, also)
    applied(kb, change)  # the whole KB must stay valid
    return change


# ---------------------------------------------------------------------------------------
# JSON (conversation state and audit details)
# ---------------------------------------------------------------------------------------


def encode(value: Value) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def decode(kind: Kind, value: Any) -> Value:
    if value is None:
        return None
    if kind == "date":
        return date.fromisoformat(str(value))
    if kind == "datetime":
        return datetime.fromisoformat(str(value))
    if kind in ("amount", "count"):
        return int(value)
    return str(value)


def change_to_json(change: Change) -> dict[str, Any]:
    return {
        "target": change.target,
        "record_id": change.record_id,
        "field": change.field,
        "old": encode(change.old),
        "new": encode(change.new),
        "also": [[name, encode(old), encode(new)] for name, old, new in change.also],
    }


def change_from_json(data: dict[str, Any]) -> Change | None:
    """None when the stored data is not a change this code understands."""
    try:
        target = data["target"]
        if target not in ("grant", "event"):
            return None
        fspec = field_spec(target, data["field"])
        if fspec is None:
            return None

        def kind_of(name: str) -> Kind:
            other = field_spec(target, name)
            assert other is not None
            return other.kind

        also = tuple(
            (str(name), decode(kind_of(name), old), decode(kind_of(name), new))
            for name, old, new in data.get("also", [])
        )
        return Change(
            target,
            str(data["record_id"]),
            fspec.name,
            decode(fspec.kind, data["old"]),
            decode(fspec.kind, data["new"]),
            also,
        )
    except (KeyError, TypeError, ValueError, AssertionError):
        return None


# ---------------------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------------------


class Invalidator(Protocol):
    """Anything with ``invalidate()`` (the runtime's KnowledgeStore)."""

    def invalidate(self) -> None: ...


def _row_value(row: Grant | Event, target: Target, name: str) -> Value:
    if isinstance(row, Grant):
        columns: dict[str, Value] = {
            "opens": row.opens_on,
            "closes": row.closes_on,
            "result_on": row.result_on,
            "max_krw": row.max_krw,
            "total_krw": row.total_krw,
            "phone": str((row.contact or {}).get("phone", "")),
        }
        return columns[name]
    values: dict[str, Value] = {
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "place_ko": (row.place or {}).get("ko"),
        "place_en": (row.place or {}).get("en"),
        "capacity": row.registration_capacity,
    }
    return values[name]


def _write(row: Grant | Event, name: str, value: Value) -> None:
    if isinstance(row, Grant):
        if name == "opens":
            row.opens_on = value  # type: ignore[assignment]
        elif name == "closes":
            row.closes_on = value  # type: ignore[assignment]
        elif name == "result_on":
            row.result_on = value  # type: ignore[assignment]
        elif name == "max_krw":
            row.max_krw = value  # type: ignore[assignment]
        elif name == "total_krw":
            row.total_krw = value  # type: ignore[assignment]
        elif name == "phone":
            row.contact = {**(row.contact or {}), "phone": value}
        return
    if name == "starts_at":
        row.starts_at = value  # type: ignore[assignment]
    elif name == "ends_at":
        row.ends_at = value  # type: ignore[assignment]
    elif name in ("place_ko", "place_en"):
        place = dict(row.place or {})
        lang = name.removeprefix("place_")
        if value is None:
            place.pop(lang, None)
        else:
            place[lang] = str(value)
        row.place = place
    elif name == "capacity":
        row.registration_capacity = value  # type: ignore[assignment]


async def save(
    session: AsyncSession,
    change: Change,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
    knowledge: Invalidator | None = None,
) -> None:
    """Write the change to its KB row and the audit log (flushes; the caller commits).

    Raises :class:`EditError` when the record is gone or was changed since the preview
    (by another admin or an import): nothing is written then. ``knowledge`` is told to
    reload now and again once the transaction commits.
    """
    row: Grant | Event | None
    if change.target == "grant":
        row = await session.get(Grant, change.record_id, populate_existing=True)
    else:
        row = await session.get(Event, change.record_id, populate_existing=True)
    if row is None or row.archived:
        raise EditError(N_("This record is no longer in the knowledge base."))
    for name, old, _ in change.all_fields():
        if not _same(_row_value(row, change.target, name), old):
            raise EditError(N_("Someone changed this record meanwhile. Please start again."))
    for name, _, new in change.all_fields():
        _write(row, name, new)
    # the KB fingerprint is the newest updated_at: make sure it moves
    row.updated_at = max(now, row.updated_at + timedelta(microseconds=1))
    await session.flush()
    details: dict[str, Any] = {
        "field": change.field,
        "old": encode(change.old),
        "new": encode(change.new),
    }
    if change.also:
        details["also"] = [
            {"field": name, "old": encode(old), "new": encode(new)}
            for name, old, new in change.also
        ]
    await audit.record(
        session,
        at=now,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action=f"{change.target}.edit",
        target_type=change.target,
        target_id=change.record_id,
        details=details,
    )
    if knowledge is not None:
        knowledge.invalidate()
        store = knowledge

        def after_commit(_: Session) -> None:
            store.invalidate()

        sa_event.listen(session.sync_session, "after_commit", after_commit, once=True)


# ---------------------------------------------------------------------------------------
# Teaching the bot: a FAQ entry from a question it could not answer (issue 13)
# ---------------------------------------------------------------------------------------

FAQ_CREATE = "faq.create"
"""The audit action of a FAQ entry written from the bot. Its details keep the unanswered
question it answers (``normalized``, and ``followed`` for a follow-up: the record it was
asked after) and the last day it covers (``through``): the list of open questions leaves out
what staff answered, while the log itself keeps every question (nothing is deleted: the
centre's numbers still count them)."""
MAX_QUESTION = 300
MAX_ANSWER = 2000


@dataclass(frozen=True)
class OpenQuestion:
    """A group of unanswered questions written the same way, not yet answered by staff.

    A follow-up ("그럼 언제까지요?") is grouped with the record it was asked after
    (``followed``): the same words after two grants are two questions, and the same words
    asked alone a third."""

    key: str
    """A short stable digest of ``normalized`` and ``followed`` (what a button names)."""
    normalized: str
    example: str
    count: int
    languages: tuple[str, ...]
    first_asked: date
    last_asked: date
    followed: str | None = None
    """``kind:id`` of the record the question was asked after (models/qa.py), or None."""

    @property
    def record(self) -> tuple[str, str] | None:
        """``(kind, id)`` of :attr:`followed`."""
        return followed_record(self.followed)


def question_key(normalized: str, followed: str | None = None) -> str:
    """A group's button key: a digest of its text, and of the record a follow-up was asked
    after (a question asked alone keeps the key it always had)."""
    named = normalized if followed is None else f"{normalized}\x1f{followed}"
    return hashlib.blake2s(named.encode(), digest_size=5).hexdigest()


def group_order(group: OpenQuestion) -> tuple[int, int, str, str]:
    """Most asked first, then the latest asked, then by text and record (one order for the
    bot's list and ``maeul kb unanswered``)."""
    return (-group.count, -group.last_asked.toordinal(), group.normalized, group.followed or "")


def followed_name(kb: KnowledgeBase | None, followed: str | None, lang: str) -> str | None:
    """The name in ``lang`` (else Korean) of the record a follow-up was asked after, as the
    KB has it now; ``None`` when there is none or it is no longer in the KB."""
    record = followed_record(followed)
    if kb is None or record is None:
        return None
    kind, id_ = record
    if kind in ("grant", "event"):
        spec = get_record(kb, "grant" if kind == "grant" else "event", id_)
        return record_title(spec, lang) if spec is not None else None
    if kind == "assembly":
        return next((a.title.get(lang) for a in kb.assemblies if a.id == id_), None)
    return None


def asked_day(value: date | str) -> date:
    """An ``asked_on`` day as read: aggregates bypass the column type on SQLite, which
    returns the day as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


Asked = tuple[str, str | None]
"""A group of unanswered questions: (normalized text, the record followed or None)."""


async def answered_through(session: AsyncSession) -> dict[Asked, date]:
    """(normalized question, record followed) -> the last day staff's answers cover (from
    the audit log; an answer written before follow-ups were kept covers the text asked
    alone, as it did)."""
    rows = await session.execute(select(AuditLog.details).where(AuditLog.action == FAQ_CREATE))
    through: dict[Asked, date] = {}
    for (details,) in rows.all():
        details = details or {}
        normalized, day = details.get("normalized"), details.get("through")
        followed = details.get("followed")
        if isinstance(normalized, str) and isinstance(day, str):
            when = date.fromisoformat(day)
            asked = (normalized, followed if isinstance(followed, str) else None)
            through[asked] = max(when, through.get(asked, when))
    return through


def grouped(
    rows: list[tuple[str, str, str | None, date | str, str | None]],
    through: dict[Asked, date] | None = None,
) -> list[OpenQuestion]:
    """Rows (normalized, text, language, asked_on, followed) as groups of the same text
    after the same record, in :func:`group_order`, without the asks ``through`` says staff
    answered."""
    groups: dict[Asked, list[tuple[str, str | None, date]]] = {}
    for normalized, text, language, asked_on, followed in rows:
        day = asked_day(asked_on)
        done = (through or {}).get((normalized, followed))
        if done is not None and day <= done:
            continue
        groups.setdefault((normalized, followed), []).append((text, language, day))
    out = []
    for (normalized, followed), asks in groups.items():
        asks.sort(key=lambda a: (a[2], a[0]), reverse=True)
        out.append(
            OpenQuestion(
                question_key(normalized, followed),
                normalized,
                asks[0][0],
                len(asks),
                tuple(sorted({lang for _, lang, _ in asks if lang})),
                min(a[2] for a in asks),
                max(a[2] for a in asks),
                followed,
            )
        )
    out.sort(key=group_order)
    return out


async def open_questions(session: AsyncSession, limit: int = 200) -> list[OpenQuestion]:
    """Unanswered questions grouped by normalised text and the record a follow-up was asked
    after, most frequent (then latest) first, without the asks staff have answered since (a
    question asked again after its FAQ entry was written comes back: the answer did not
    reach that resident)."""
    q = UnansweredQuestion
    through = await answered_through(session)
    rows = await session.execute(select(q.normalized, q.text, q.language, q.asked_on, q.followed))
    return grouped([tuple(r) for r in rows.all()], through)[:limit]  # type: ignore[misc]


def _faq_id(kb: KnowledgeBase, now: datetime) -> str:
    taken = {f.id for f in kb.faq}
    while True:
        candidate = f"asked-{now:%Y%m%d}-{secrets.token_hex(2)}"
        if candidate not in taken:
            return candidate


def _keywords(question: str) -> list[str]:
    words = re.findall(r"\w{2,}", unicodedata.normalize("NFKC", question).lower())
    return list(dict.fromkeys(words))[:12]


def faq_text(text: str, most: int) -> str:
    """A question or an answer as typed: trimmed, not empty, not too long."""
    return _bounded(unicodedata.normalize("NFC", text).strip(), most)


async def publish_faq(
    session: AsyncSession,
    kb: KnowledgeBase,
    *,
    question: str,
    answer: str,
    language: str,
    normalized: str | None,
    through: date | None,
    actor: str,
    followed: str | None = None,
    now: datetime,
    actor_telegram_id: int | None = None,
    knowledge: Invalidator | None = None,
) -> str:
    """Add a FAQ entry (``faq.create`` in the audit log) and make the KB snapshot — and
    with it the Q&A engine, rebuilt per snapshot version — reload now and after the
    commit. The entry is checked with the whole KB first (:func:`validate`). ``language``
    is the question's: Korean text is stored as ``ko``; other text as ``ko`` too (the
    format requires it) and as its own language. Returns the new entry's id."""
    question = faq_text(question, MAX_QUESTION)
    answer = faq_text(answer, MAX_ANSWER)
    entry_id = _faq_id(kb, now)
    texts_q = {"ko": question}
    texts_a = {"ko": answer}
    if language in ("en",):
        texts_q[language] = question
        texts_a[language] = answer
    doc = _document(kb)
    entry = {"id": entry_id, "question": texts_q, "answer": texts_a,
             "keywords": _keywords(question), "origin": "staff"}  # fmt: skip
    doc.setdefault("faq", []).append(entry)
    valid, problems = kbmod.validate(doc)
    if valid is None:
        raise EditError(N_("This change would make the knowledge base invalid: {value}"),
                        "; ".join(problems), "text")  # fmt: skip
    position = (await session.scalar(select(func.max(FaqEntry.position)))) or 0
    session.add(
        FaqEntry(
            id=entry_id,
            position=position + 1,
            question=texts_q,
            answer=texts_a,
            keywords=entry["keywords"],
            related_ids=[],
            origin="staff",
            archived=False,
            updated_at=now,
        )
    )
    await session.flush()
    details: dict[str, Any] = {"question": question, "answer": answer}
    if normalized is not None and through is not None:
        details |= {"normalized": normalized, "through": through.isoformat()}
        if followed is not None:
            details["followed"] = followed
    await audit.record(
        session,
        at=now,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action=FAQ_CREATE,
        target_type="faq",
        target_id=entry_id,
        details=details,
    )
    _reload_after_commit(session, knowledge)
    return entry_id


def _reload_after_commit(session: AsyncSession, knowledge: Invalidator | None) -> None:
    if knowledge is None:
        return
    knowledge.invalidate()
    store = knowledge

    def after_commit(_: Session) -> None:
        store.invalidate()

    sa_event.listen(session.sync_session, "after_commit", after_commit, once=True)


# ---------------------------------------------------------------------------------------
# A KB file sent from the bot: check it, say what would change, then import (issue 13)
# ---------------------------------------------------------------------------------------

MAX_KB_FILE = 5 * 1024 * 1024


@dataclass(frozen=True)
class UploadCheck:
    """What a KB file would do: ``problems`` (nothing is imported while there are any),
    or the ``report`` of a dry run; ``notes`` are repairs the reader made (quoting)."""

    problems: list[str]
    notes: list[str]
    report: kbmod.ImportReport | None
    digest: str


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_upload(data: bytes) -> tuple[KnowledgeBase | None, list[str], list[str]]:
    """The file parsed (strictly: it must load on every machine) and validated. Called in a
    thread: a large file takes seconds, and the other chats' updates go on meanwhile."""
    notes: list[str] = []
    if len(data) > MAX_KB_FILE:
        return None, ["document: the file is larger than 5 MB"], notes
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, ["document: not UTF-8 text"], notes
    try:
        loaded = kbmod.load_text(text, notes, portable=True)
    except kbmod.KBLoadError as exc:
        return None, list(exc.problems), notes
    parsed, problems = kbmod.validate(loaded)
    return parsed, problems, notes


async def check_upload(session: AsyncSession, data: bytes, now: datetime) -> UploadCheck:
    """Validate a KB file and import it in a savepoint that is rolled back: the counts of
    what would be created, updated and archived, with nothing written."""
    parsed, problems, notes = await asyncio.to_thread(_parse_upload, data)
    if parsed is None:
        return UploadCheck(problems, notes, None, file_digest(data))
    nested = await session.begin_nested()
    try:
        report = await kbmod.import_kb(session, parsed, now)
    finally:
        await nested.rollback()  # what the savepoint added or changed is expunged/expired
    return UploadCheck([], notes, report, file_digest(data))


async def import_upload(
    session: AsyncSession,
    data: bytes,
    *,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
    knowledge: Invalidator | None = None,
) -> UploadCheck:
    """Import a KB file that was checked (``kb.import`` in the audit log, with the counts
    and the file's SHA-256); returns the check with the real report, or its problems."""
    parsed, problems, notes = await asyncio.to_thread(_parse_upload, data)
    digest = file_digest(data)
    if parsed is None:
        return UploadCheck(problems, notes, None, digest)
    report = await kbmod.import_kb(session, parsed, now)
    await audit.record(
        session,
        at=now,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action="kb.import",
        target_type="kb",
        target_id=parsed.region.id,
        details={
            "sha256": digest,
            "sections": {
                name: {"created": s.created, "updated": s.updated, "archived": s.archived}
                for name, s in report.sections.items()
                if s.changed
            },
        },
    )
    _reload_after_commit(session, knowledge)
    return UploadCheck([], notes, report, digest)


async def export_text(session: AsyncSession) -> str:
    """The KB as a file (the ``maeul kb export`` format); LookupError before any import."""
    return kbmod.dump_yaml(await kbmod.export_kb(session))


__all__ = [
    "EVENT_FIELDS",
    "FAQ_CREATE",
    "GRANT_FIELDS",
    "Change",
    "EditError",
    "FieldSpec",
    "OpenQuestion",
    "UploadCheck",
    "applied",
    "change_from_json",
    "change_to_json",
    "check_upload",
    "current_value",
    "decode",
    "encode",
    "export_text",
    "field_spec",
    "fields_for",
    "followed_name",
    "get_record",
    "import_upload",
    "is_clear",
    "open_questions",
    "parse_amount",
    "parse_count",
    "parse_date",
    "parse_datetime",
    "parse_phone",
    "parse_text",
    "parse_value",
    "plan",
    "publish_faq",
    "question_key",
    "save",
]
