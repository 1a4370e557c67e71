"""Relative and calendar dates in questions, resolved against the bot's clock.

``resolve_dates("다음 주 간사 교육 어디서 해요?", now)`` gives the Monday-to-Sunday range of
next week in the zone of ``now`` (the configured zone: callers pass the bot's clock).
Korean, English, and the common Chinese and Vietnamese forms are understood. A month
named without a year ("3월에") is the next such month from today (this month included).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.qa.text import normalize


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of local dates named in a question, and where it was named."""

    start: date
    end: date
    grain: str  # day | range (one day to another) | week | weekend | month | year | part-month
    span: tuple[int, int]  # in the normalised question
    # "토요일마다", "Saturdays in April", "주말에만": only these weekdays of the range
    # (0 = Monday); empty: every day
    weekdays: tuple[int, ...] = ()

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def on_day(self, day: date) -> bool:
        """In the range and on one of its weekdays (an event's date; a grant's window uses
        :meth:`contains`)."""
        return self.contains(day) and (not self.weekdays or day.weekday() in self.weekdays)


def _week(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _weekday(today: date, weekday: int, weeks_ahead: int | None) -> tuple[date, date, str]:
    """That weekday of the week ``weeks_ahead`` from this one (None: the next one from today)."""
    if weeks_ahead is None:
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
    else:
        monday, _ = _week(today + timedelta(weeks=weeks_ahead))
        day = monday + timedelta(days=weekday)
        if weeks_ahead == 0 and day < today:
            # "이번 주 토요일" / "this Saturday" said on a Sunday: the coming one, not
            # yesterday (a calendar here begins its week on Sunday; "지난 토요일" is the past)
            day += timedelta(weeks=1)
    return day, day, "day"


def _month(year: int, month: int) -> tuple[date, date]:
    while month > 12:
        year, month = year + 1, month - 12
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _month_or_day(year: int, month: int, day_of_month: str | None) -> tuple[date, date, str] | None:
    """The month, or the day of it where one is named (None: no such day)."""
    if day_of_month:
        try:
            day = date(year, month, int(day_of_month))
        except ValueError:
            return None
        return day, day, "day"
    start, end = _month(year, month)
    return start, end, "month"


def _week_from(today: date, weeks_ahead: int) -> tuple[date, date, str]:
    monday, sunday = _week(today + timedelta(weeks=weeks_ahead))
    return monday, sunday, "week"


def _month_from(today: date, months_ahead: int) -> tuple[date, date, str]:
    start, end = _month(today.year, today.month + months_ahead)
    return start, end, "month"


def _upcoming_month(today: date, month: int, year: int | None) -> int:
    if year is not None:
        return year
    return today.year if month >= today.month else today.year + 1


_KO_WEEKDAYS = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}
_EN_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "十": 10, "十一": 11, "十二": 12}  # fmt: skip
_KO_NUMBERS = {"한": 1, "두": 2, "세": 3, "네": 4, "일": 1, "이": 2, "삼": 3, "사": 4}

_Rule = Callable[[re.Match[str], date], tuple[date, date, str] | None]
_RULES: list[tuple[re.Pattern[str], _Rule]] = []


def _rule(pattern: str) -> Callable[[_Rule], _Rule]:
    def add(func: _Rule) -> _Rule:
        _RULES.append((re.compile(pattern), func))
        return func

    return add


def _days_from_today(*rules: tuple[str, int]) -> None:
    """One rule a pattern, in this order, each naming the day ``offset`` days from today."""
    for pattern, offset in rules:

        def day_at(m: re.Match[str], today: date, offset: int = offset) -> tuple[date, date, str]:
            day = today + timedelta(days=offset)
            return day, day, "day"

        _rule(pattern)(day_at)


def _weeks_ahead(word: str) -> int:
    word = word.replace(" ", "")
    if word in ("다다음", "다담"):
        return 2
    if word in ("다음", "담", "차", "next", "下", "下个", "来", "sau", "tới", "toi"):
        return 1
    if word in ("지난", "저번", "last", "上", "上个", "先", "trước", "truoc"):
        return -1
    return 0


# Rule bodies that more than one language's pattern shares (group 1: the word for which week
# or month, as _weeks_ahead reads it).
def _named_weekend(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    monday, sunday = _week(today + timedelta(weeks=_weeks_ahead(m.group(1) or "")))
    return monday + timedelta(days=5), sunday, "weekend"


def _named_week(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    return _week_from(today, _weeks_ahead(m.group(1)))


def _named_month(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    return _month_from(today, _weeks_ahead(m.group(1)))


# --- Korean -------------------------------------------------------------------------
@_rule(r"(?:(다다음|다음|담|차|이번|금|지난|저번)\s?)?주\s?(월|화|수|목|금|토|일)요일")
def _ko_weekday(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    ahead = None if m.group(1) is None else _weeks_ahead(m.group(1))  # "화요일": the next one
    return _weekday(today, _KO_WEEKDAYS[m.group(2)], ahead)


@_rule(r"(?<![가-힣])(월|화|수|목|금|토|일)요일")
def _ko_bare_weekday(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    return _weekday(today, _KO_WEEKDAYS[m.group(1)], None)


_rule(r"(다다음|다음|담|이번|금|지난|저번)?\s?주말")(_named_weekend)


_rule(r"(다다음|다음|담|차|이번|금|지난|저번)\s?주(?!민|택|제|최|관|소|식|차|의|문|요|말)")(
    _named_week
)


@_rule(
    r"(다다음|다음|담|이번|금|지난|저번|내)\s?달|이달|(다음|이번|지난|저번)\s?월(?!\s?\d)|금월|내월"
)
def _ko_month(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    text = m.group(0).replace(" ", "")
    if text.startswith("다다음"):
        ahead = 2
    elif text.startswith(("다음", "담", "내")):
        ahead = 1
    elif text.startswith(("지난", "저번")):
        ahead = -1
    else:
        ahead = 0
    return _month_from(today, ahead)


# a year said before a month: "내년 3월", "작년 5월" (:func:`_year_word`)
_KO_YEAR_WORDS = r"내년|올해|금년|재작년|작년|지난\s?해"


@_rule(rf"(?:(\d{{4}})\s?년\s?|({_KO_YEAR_WORDS})\s?)?(\d{{1,2}})\s?월\s?(\d{{1,2}})\s?일")
def _ko_day(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    month, day_of_month = int(m.group(3)), int(m.group(4))
    year = _year_word(m.group(1), m.group(2), today)
    year = _upcoming_month(today, month, year)
    try:
        day = date(year, month, day_of_month)
    except ValueError:
        return None
    if m.group(1) is None and m.group(2) is None and day < today - timedelta(days=7):
        try:
            day = date(year + 1, month, day_of_month)
        except ValueError:  # 29 February
            pass
    return day, day, "day"


def _year_word(digits: str | None, word: str | None, today: date) -> int | None:
    if digits:
        return int(digits)
    if word in ("내년", "明年", "next year"):
        return today.year + 1
    if word in ("올해", "금년", "今年", "this year"):
        return today.year
    if word is not None and word.replace(" ", "") in ("작년", "지난해"):
        return today.year - 1  # ("작년 5월에 만든 모임": last May, not the coming one)
    if word == "재작년":
        return today.year - 2
    return None


@_rule(
    rf"(?:(\d{{4}})\s?년\s?|({_KO_YEAR_WORDS})\s?)?(\d{{1,2}})\s?월\s?(초|중순|중|말|하순|상순)?"
)
def _ko_named_month(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    month = int(m.group(3))
    if not 1 <= month <= 12:
        return None
    year = _upcoming_month(today, month, _year_word(m.group(1), m.group(2), today))
    start, end = _month(year, month)
    part = m.group(4)
    if part in ("초", "상순"):
        return start, start + timedelta(days=9), "part-month"
    if part in ("중순", "중"):
        return start + timedelta(days=10), start + timedelta(days=19), "part-month"
    if part in ("말", "하순"):
        return start + timedelta(days=20), end, "part-month"
    return start, end, "month"


_days_from_today((r"오늘|금일|당일", 0), (r"내일\s?모레|모레", 2), (r"내일", 1), (r"어제", -1))


@_rule(r"(\d{1,2}|한|두|세|네)\s?(일|주|달|개월)\s?(?:후|뒤|이내|안에)")
def _ko_within(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    raw = m.group(1)
    n = int(raw) if raw.isdigit() else _KO_NUMBERS.get(raw, 1)
    unit = m.group(2)
    days = n if unit == "일" else n * 7 if unit == "주" else n * 30
    return today, today + timedelta(days=days), "within"


@_rule(r"(올해|금년|내년|작년)(?!\s?\d{1,2}\s?월)(?!\s?(상|하)반기)")
def _ko_year(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    year = today.year + {"올해": 0, "금년": 0, "내년": 1, "작년": -1}[m.group(1)]
    return date(year, 1, 1), date(year, 12, 31), "year"


@_rule(r"(?:(내년|올해|금년)\s?)?(상반기|하반기)")
def _ko_half(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    year = today.year + (1 if m.group(1) == "내년" else 0)
    if m.group(2) == "상반기":
        return date(year, 1, 1), date(year, 6, 30), "half"
    return date(year, 7, 1), date(year, 12, 31), "half"


# --- English ------------------------------------------------------------------------
@_rule(r"\b(?:(next|this|last)\s)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
def _en_weekday(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    ahead = _weeks_ahead(m.group(1)) if m.group(1) in ("next", "last") else None
    return _weekday(today, _EN_WEEKDAYS[m.group(2)], ahead)


_rule(r"\b(next|this|last)\s(?:week\s?end|weekend)\b|\bweekend\b")(_named_weekend)


@_rule(r"\b(next|this|last|coming)\sweek\b|\bweek after next\b")
def _en_week(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    word = m.group(1) or "after"
    ahead = 2 if word == "after" else 1 if word == "coming" else _weeks_ahead(word)
    return _week_from(today, ahead)


@_rule(r"\b(next|this|last|coming)\smonth\b")
def _en_month(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    ahead = 1 if m.group(1) == "coming" else _weeks_ahead(m.group(1))
    return _month_from(today, ahead)


_EN_MONTH_NAMES = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))


@_rule(
    rf"\b({_EN_MONTH_NAMES})\s(\d{{1,2}})(?:st|nd|rd|th)?\b|\b(\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?({_EN_MONTH_NAMES})\b"
)
def _en_day(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    name = m.group(1) or m.group(4)
    number = m.group(2) or m.group(3)
    month, day_of_month = _EN_MONTHS[name], int(number)
    year = _upcoming_month(today, month, None)
    try:
        day = date(year, month, day_of_month)
    except ValueError:
        return None
    return day, day, "day"


@_rule(
    rf"\b(?:in|during|for|of|by|until|before|from)\s(?:early\s|mid\s|late\s)?({_EN_MONTH_NAMES})\b|\b(january|february|april|june|july|august|september|october|november|december)\b"
)
def _en_named_month(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    month = _EN_MONTHS[m.group(1) or m.group(2)]
    start, end = _month(_upcoming_month(today, month, None), month)
    return start, end, "month"


_days_from_today(
    (r"\btoday\b|\btonight\b", 0),
    (r"\bday after tomorrow\b", 2),
    (r"\btomorrow\b", 1),
    (r"\byesterday\b", -1),
)


@_rule(r"\b(this|next|last)\syear\b")
def _en_year(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    year = today.year + _weeks_ahead(m.group(1))
    return date(year, 1, 1), date(year, 12, 31), "year"


# --- Chinese ------------------------------------------------------------------------
# A bare weekday joined to a noun names what is held that day, not a date asked: "日曜日の
# 外国人相談" is the Sunday consultation, "周六的读书会" the Saturday reading group — unless
# the noun is "events" ("土曜日のイベント": what is on that Saturday) or the hour ("土曜日の
# 何時から": from what time that Saturday)
_ATTRIBUTIVE_DAY_RE = re.compile(
    r"\s?(?:の|的)\s?(?!イベント|行事|催し|予定|スケジュール|活动|安排|活動|日程|何時|几点)"
)
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


# "这周六", "下星期三", "礼拜天" (before the week: "下周六" is a day); "每周六" is a habit
@_rule(r"(?<!每)(?:(下下|下个|下|这个|这|本|上个|上)\s?)?(?:周|星期|礼拜)([一二三四五六日天])")
def _zh_weekday(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    word = m.group(1)
    if word is None and _ATTRIBUTIVE_DAY_RE.match(m.string, m.end()):
        return None
    ahead = None if word is None else 2 if word == "下下" else _weeks_ahead(word)
    return _weekday(today, _ZH_WEEKDAYS[m.group(2)], ahead)


_rule(r"(?<!每)(下个|下|这个|这|本|上个|上)?\s?周末")(_named_weekend)


@_rule(r"(下下|下个|下|这个|这|本|上个|上)\s?(?:周|星期|礼拜)(?!末)")
def _zh_week(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    word = m.group(1)
    ahead = 2 if word == "下下" else _weeks_ahead(word)
    return _week_from(today, ahead)


_rule(r"(下个|这个|本|上个)\s?月")(_named_month)


@_rule(
    r"(?:(今年|明年)\s?)?(\d{1,2}|十二|十一|十|[一二三四五六七八九])\s?月(?:\s?(\d{1,2})\s?[日号])?"
)
def _zh_named_month(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    raw = m.group(2)
    month = int(raw) if raw.isdigit() else _ZH_DIGITS[raw]
    if not 1 <= month <= 12:
        return None
    year = _upcoming_month(today, month, _year_word(None, m.group(1), today))
    return _month_or_day(year, month, m.group(3))


# Japanese: 今月/来月/先月, 今週/来週/先週 (today's kanji are the Chinese rules');
# "来週の土曜日", "土曜" and "週末" first (before the week); "毎週土曜" is a habit
_JA_WEEKDAYS = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}


@_rule(r"(?<!毎)(?<!毎週)(?<!毎週の)(?:(今|来|先)\s?週\s?の?\s?)?([月火水木金土日])曜日?")
def _ja_weekday(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    if m.group(1) is None and _ATTRIBUTIVE_DAY_RE.match(m.string, m.end()):
        return None
    ahead = None if m.group(1) is None else _weeks_ahead(m.group(1))
    return _weekday(today, _JA_WEEKDAYS[m.group(2)], ahead)


_rule(r"(?<!毎)(今|来|先)?\s?週末")(_named_weekend)
_days_from_today(
    ("明後日|あさって", 2), ("今日|きょう", 0), ("明日|あした", 1), ("昨日|きのう", -1)
)
_rule(r"(今|来|先)\s?月(?!曜)")(_named_month)
_rule(r"(今|来|先)\s?週(?!末)")(_named_week)


@_rule(r"今天|明天|后天|昨天")
def _zh_day(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    day = today + timedelta(days={"今天": 0, "明天": 1, "后天": 2, "昨天": -1}[m.group(0)])
    return day, day, "day"


# --- Vietnamese ---------------------------------------------------------------------
# "thứ bảy này" (this Saturday), "thứ 7 tuần sau", "chủ nhật tới" (the coming Sunday); also
# typed without the marks ("thu bay nay"); before the week ("thứ bảy tuần sau" is a day)
_VI_WEEKDAYS = {
    "hai": 0, "2": 0, "ba": 1, "3": 1, "tư": 2, "tu": 2, "4": 2, "năm": 3, "nam": 3, "5": 3,
    "sáu": 4, "sau": 4, "6": 4, "bảy": 5, "bay": 5, "7": 5,
}  # fmt: skip


@_rule(
    r"\b(?:th[ứu]\s?(hai|ba|tư|tu|năm|nam|sáu|sau|bảy|bay|[2-7])|(ch[ủu]\s?nh[ậa]t))\b"
    r"(?:\s(tuần\s|tuan\s)?(này|nay|sau|tới|toi|trước|truoc)\b)?"
)
def _vi_weekday(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    weekday = 6 if m.group(2) else _VI_WEEKDAYS[m.group(1)]
    word, week = m.group(4), m.group(3)
    if word is None or (week is None and word not in ("này", "nay", "trước", "truoc")):
        ahead = None  # "thứ bảy", "thứ bảy tới": the coming one
    else:
        ahead = _weeks_ahead(word)
    return _weekday(today, weekday, ahead)


_rule(r"\bcu[ốo]i\stu[ầa]n(?:\s(này|nay|sau|tới|toi|trước|truoc))?\b")(_named_weekend)
_rule(r"\btuần\s(này|sau|tới|trước)\b")(_named_week)


_rule(r"\btháng\s(này|sau|tới|trước)\b")(_named_month)


@_rule(r"\b(?:ngày\s(\d{1,2})\s)?tháng\s(\d{1,2})\b")
def _vi_named_month(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return _month_or_day(_upcoming_month(today, month, None), month, m.group(1))


@_rule(r"\bhôm nay\b|\bngày mai\b|\bhôm qua\b")
def _vi_day(m: re.Match[str], today: date) -> tuple[date, date, str] | None:
    offset = {"hôm nay": 0, "ngày mai": 1, "hôm qua": -1}[m.group(0)]
    day = today + timedelta(days=offset)
    return day, day, "day"


# Weekdays said as a habit, not one day: "토요일마다", "주말에만", "평일 저녁에는", "on
# Saturdays", "weekends" — (group: the weekday word)
_EVERY_WEEKDAY_RE = re.compile(
    r"(?<![가-힣])([월화수목금토일]요일|주말|평일)\s?(마다|에만|만|에는)|"
    r"\b(mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekends|weekdays)\b"
)
_EVERY_WEEKDAY_DAYS = {
    **{f"{k}요일": (v,) for k, v in _KO_WEEKDAYS.items()},
    "주말": (5, 6), "평일": (0, 1, 2, 3, 4),
    **{f"{k}s": (v,) for k, v in _EN_WEEKDAYS.items()},
    "weekends": (5, 6), "weekdays": (0, 1, 2, 3, 4),
}  # fmt: skip
EVERY_WEEKDAY_WEEKS = 8  # a habit with no period said: the weeks ahead it is looked for in


def resolve_dates(question: str, now: datetime) -> DateRange | None:
    """The first date or range the question names, as local dates of ``now``'s zone.

    Rules are tried in order (specific before general); the earliest match in the
    question wins among those of the first rule that matches anything. Weekdays said as a
    habit ("토요일마다", "on Saturdays") or beside a month ("Saturday events in April")
    filter the range (the month, or the next weeks) by weekday.
    """
    text = normalize(question)
    today = now.date()
    found = _first(text, today)
    habit = _EVERY_WEEKDAY_RE.search(text)
    if habit is not None:
        days = _EVERY_WEEKDAY_DAYS[habit.group(1) or habit.group(3)]
        rest = _first_without(text, habit.span(), today)
        if rest is not None and rest.grain not in ("day", "weekend"):
            return DateRange(rest.start, rest.end, rest.grain, rest.span, days)
        end = today + timedelta(weeks=EVERY_WEEKDAY_WEEKS)
        return DateRange(today, end, "weekdays", habit.span(), days)
    if (
        found is not None
        and found.grain == "day"
        and _BARE_WEEKDAY_RE.fullmatch(text[found.span[0] : found.span[1]])
    ):
        # "Any Saturday events left in April?", "4월 토요일에 하는 교육": that month's Saturdays
        rest = _first_without(text, found.span, today)
        if rest is not None and rest.grain in ("month", "part-month", "year"):
            return DateRange(rest.start, rest.end, rest.grain, rest.span, (found.start.weekday(),))
    if found is not None and found.grain == "day":
        # "4월 24일 토요일": the weekday after a date names that date's day (its rule comes
        # first, for "토요일에 뭐 해요"), not the next Saturday
        head = text[: found.span[0]].rstrip(" (,")
        before = _first(head, today)
        if before is not None and before.grain == "day" and before.span[1] == len(head):
            return DateRange(before.start, before.end, "day", (before.span[0], found.span[1]))
    if found is not None and found.grain == "day":
        # "3월 22일부터 28일 사이", "22일~28일", "March 22 to 28": from one day to another
        upto = _TO_DAY_RE.match(text, found.span[1])
        if upto is not None:
            month = int(upto["month"]) if upto["month"] else found.start.month
            year = found.start.year + (month < found.start.month)
            last: date | None
            try:
                last = date(year, month, int(upto["day"] or upto["bare"]))
            except ValueError:  # ("2월 30일")
                last = None
            if last is not None and found.start < last <= found.start + timedelta(days=62):
                return DateRange(found.start, last, "range", (found.span[0], upto.end()))
    if found is not None and found.grain == "month":
        # "April and May", "4월이랑 5월": both months (also "may", a month after "and")
        more = _AND_MONTH_RE.match(text, found.span[1])
        if more is not None:
            word = more.group(1) or more.group(2)
            month = int(word) if word.isdigit() else _EN_MONTHS[word]
            if 1 <= month <= 12:
                year = found.start.year + (month < found.start.month)
                return DateRange(
                    found.start, _month(year, month)[1], "month", (found.span[0], more.end())
                )
    return found


_BARE_WEEKDAY_RE = re.compile(
    r"[월화수목금토일]요일|(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
# a second day after a first: a day number with its unit in Korean, Chinese and Japanese;
# a bare number only after "to/through/until" or a dash ("March 22 to 28")
_TO_DAY_RE = re.compile(
    r"\s?(?:(?:부터|에서|~|-|–|到|至|から|đến)\s?(?:(?P<month>\d{1,2})\s?(?:월|月)\s?)?"
    r"(?P<day>\d{1,2})\s?(?:일|日|号|號)"
    r"|(?:\bto\b|\bthrough\b|\buntil\b|\btill\b|~|-|–)\s?(?P<bare>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?!\s?(?:people|members|persons|won|%|명|원|시)))"
)
_AND_MONTH_RE = re.compile(
    rf"\s?(?:,|and|or|&|~|-|이랑|랑|하고|과|와|和|到|và)\s?(?:(\d{{1,2}})\s?월|({_EN_MONTH_NAMES})\b)"
)


def _first(text: str, today: date) -> DateRange | None:
    for pattern, func in _RULES:
        for match in pattern.finditer(text):
            result = func(match, today)
            if result is not None:
                start, end, grain = result
                return DateRange(start, end, grain, match.span())
    return None


def _first_without(text: str, span: tuple[int, int], today: date) -> DateRange | None:
    """The first date the question names elsewhere than ``span`` (a weekday's month)."""
    start, end = span
    return _first(text[:start] + " " * (end - start) + text[end:], today)


def date_spans(question_normalized: str, now: datetime) -> list[tuple[int, int]]:
    """Every span of the (already normalised) question that names a date."""
    spans: list[tuple[int, int]] = [
        m.span() for m in _EVERY_WEEKDAY_RE.finditer(question_normalized)
    ]
    today = now.date()
    for pattern, func in _RULES:
        for match in pattern.finditer(question_normalized):
            if func(match, today) is not None:
                spans.append(match.span())
    return spans
