"""What creating (/newevent) and changing (/staffevents) an event share: who may, how a
typed field is read, and the words of the questions.

Who may: district admins manage every event; staff of a dong manage that dong's events
only. A district-wide event (no dong) is the district's: only admins manage it — a staff
member of one dong must not move or cancel what every dong's residents registered for.
This is stricter than :func:`bot.core.users.is_staff_of` with ``None`` (any staff), on
purpose, and every staff handler checks it again on every press, so a forged or stale
button of someone who is not (or no longer) staff of that dong is refused.

Times are typed the way staff say them (:func:`bot.kb.edits.parse_when`) in the
configured zone, relative to the bot's clock; an end is a time of day after the start or
a length (:func:`parse_end`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from telegram import Update

from bot.core.i18n import N_
from bot.core.users import is_admin, is_staff_of
from bot.kb import cards
from bot.kb.edits import WHEN_EXAMPLES, EditError, find_time, parse_when
from bot.kb.records import EventSpec, KnowledgeBase
from bot.telegram.context import MaeulContext

_DURATION_RE = re.compile(r"^(?:(\d{1,2})\s*(?:h|시간))?\s*(?:(\d{1,3})\s*(?:m|min|분))?$")
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
# How staff type an end or a length besides the examples: "두 시간", "한시간 반", "1.5시간",
# "9시까지", "약 2시간", "two hours", "an hour and a half", "until 9pm", "90 minutes"
_AROUND_RE = re.compile(
    r"^(?:about|around|approx\.?|until|till|to|by)\s+|^(?:약|대략|~)\s*|^한\s+(?=\d)"
    r"|\s*(?:까지|에\s*끝나요|에\s*끝남|동안|정도|쯤|가량|long)$"
)
_HOUR_WORDS = {
    "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9,
    "열": 10, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_HOUR_WORD_RE = re.compile(
    r"(?<![가-힣a-z])(한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|an?|one|two|three|four|five|six"
    r"|seven|eight|nine|ten)\s*(?=시간|hours?\b|hrs?\b)"
)
_HALF_RE = re.compile(r"(\d{1,2})\s*(?:시간\s*반|h(?:ours?|rs?)?\s+and\s+a\s+half)")
_DECIMAL_HOURS_RE = re.compile(r"(\d{1,2})\.(\d)\s*(?:시간|hours?\b|hrs?\b|h\b)")


def _plain_length(text: str) -> str:
    """``text`` with the words around an end or a length taken off and a length written
    in digits ("두 시간 반" → "2h30m", "an hour and a half" → "1h30m")."""
    clean = text.strip().lower()
    for _ in range(2):  # "약 2시간 정도", "until about 9pm"
        clean = _AROUND_RE.sub("", clean).strip()
    clean = re.sub(r"^half\s+an\s+hour$|^반\s*시간$", "30m", clean)
    clean = _HOUR_WORD_RE.sub(lambda m: f"{_HOUR_WORDS[m.group(1)]}", clean)
    clean = _HALF_RE.sub(r"\1h30m", clean)
    clean = _DECIMAL_HOURS_RE.sub(
        lambda m: f"{m.group(1)}h{int(m.group(2)) * 6}m" if m.group(2) != "0" else f"{m.group(1)}h",
        clean,
    )
    clean = re.sub(r"(\d)\s*(?:hours?|hrs?)\b", r"\1h", clean)
    clean = re.sub(r"(\d)\s*(?:minutes?|mins?)\b", r"\1m", clean)
    clean = re.sub(r"(\d)h\s*(?:and\s+)?(\d)", r"\1h\2", clean)
    return clean


def is_admin_of(context: MaeulContext) -> bool:
    return is_admin(context.user, context.runtime.settings.admin_ids)


def staff_dongs(context: MaeulContext, kb: KnowledgeBase) -> list[str]:
    """The dongs whose events this user may create and manage."""
    admins = context.runtime.settings.admin_ids
    return [d.id for d in kb.dongs if is_staff_of(context.user, d.id, admins)]


def dong_choices(context: MaeulContext, kb: KnowledgeBase) -> list[str | None]:
    """The dongs this user may give an event, creating or editing it (``None``:
    district-wide, admins only, first)."""
    choices: list[str | None] = list(staff_dongs(context, kb))
    if is_admin_of(context):
        choices.insert(0, None)
    return choices


def dong_value(dong_id: str | None) -> str:
    """A dong to choose, in callback data: its ref, or ``all`` for district-wide."""
    return cards.ref(dong_id, 24) if dong_id else "all"


def chosen_dong(context: MaeulContext, kb: KnowledgeBase, value: str) -> tuple[bool, str | None]:
    """The dong a pressed :func:`dong_value` names (``None``: district-wide), and whether
    this user may give an event that dong (:func:`dong_choices`)."""
    allowed = dong_choices(context, kb)
    if value == "all":
        return None in allowed, None
    dong = cards.resolve(value, (d for d in allowed if d))
    return dong is not None, dong


def may_manage(context: MaeulContext, event: EventSpec) -> bool:
    """Whether this user may change, cancel or report ``event`` (see the module's doc)."""
    if is_admin_of(context):
        return True
    if event.dong is None:
        return False
    return is_staff_of(context.user, event.dong, frozenset())


def error_text(context: MaeulContext, error: EditError) -> str:
    t = context.t
    if error.value is None:
        return t._(error.message)
    value = t.format_number(error.value) if isinstance(error.value, int) else error.value
    return t._(error.message, value=value)


def start_question(context: MaeulContext) -> str:
    t = context.t
    return t._("When does it start?") + " " + t._(WHEN_EXAMPLES)


def end_question(context: MaeulContext) -> str:
    return context.t._(
        "When does it end? Type the end time (9pm, 21:00) or how long it lasts (2h, 90m)."
    )


async def read_start(update: Update, context: MaeulContext) -> datetime | None:
    """The start typed in ``update``, from this minute on; None after saying what is wrong."""
    t = context.t
    text = update.effective_message.text or ""
    now = context.runtime.clock.now()
    try:
        when = parse_when(text, now, context.runtime.settings.tz)
    except EditError as error:
        reply = error_text(context, error)
        if error.message in (
            N_("I could not read that date."),
            N_("Which day? Please name the day."),
        ):
            reply += "\n" + t._(WHEN_EXAMPLES)
        await update.effective_message.reply_text(reply)
        return None
    if when < now.replace(second=0, microsecond=0):  # this minute is not past ("지금")
        await update.effective_message.reply_text(
            t._(
                "{when} has passed. Please type a time in the future.",
                when=t.format_datetime(when),
            )
        )
        return None
    return when


def _typed_end(text: str, start: datetime) -> datetime | None:
    """The end ``text`` names for an event starting at ``start`` — after the start when
    it can be (a time of day alone: the first one after it), else as typed, which may be
    at or before the start; None when it is not an end time or length at all."""
    text = _plain_length(text)
    clean = text
    for unit, short in (("시간", "h"), ("분", "m")):
        clean = re.sub(rf"(\d)\s*{unit}", rf"\1{short}", clean)
    clock = _CLOCK_RE.match(clean)
    if clock is not None:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        if hour > 23 or minute > 59:
            return None
        return start.replace(hour=hour, minute=minute)
    duration = _DURATION_RE.match(clean)
    if duration is not None and (duration.group(1) or duration.group(2)):
        delta = timedelta(hours=int(duration.group(1) or 0), minutes=int(duration.group(2) or 0))
        return start + delta if timedelta(0) < delta <= timedelta(hours=24) else None
    assert start.tzinfo is not None
    try:
        typed = find_time(text)
    except EditError:
        return None
    if typed is not None and typed.span == (0, len(text.strip().lower())):
        # a time of day alone ("9pm", "오후 9시", "9시"): the first one after the start
        hours = [typed.hour, typed.hour + 12] if typed.ambiguous else [typed.hour]
        for hour in hours:
            end = start.replace(hour=hour, minute=typed.minute)
            if end > start:
                return end
        return start.replace(hour=hours[0], minute=typed.minute)
    try:
        return parse_when(text, start, start.tzinfo)
    except EditError:
        return None


def parse_end(text: str, start: datetime) -> datetime | None:
    """The end typed (an end time or a length), after ``start``; None otherwise."""
    end = _typed_end(text, start)
    return end if end is not None and end > start else None


async def read_end(update: Update, context: MaeulContext, start: datetime) -> datetime | None:
    """The end typed in ``update``, after ``start``; None after saying what is wrong: a
    time understood but not after the start is told so (not "I could not read that")."""
    t = context.t
    end = _typed_end(update.effective_message.text or "", start)
    if end is None:
        await update.effective_message.reply_text(
            t._("I could not read that. Type an end time after the start (21:00) or a length (2h).")
        )
        return None
    if end <= start:
        await update.effective_message.reply_text(
            t._(
                "The end must be after the start ({start}). Type a later end time (21:00) "
                "or how long it lasts (2h).",
                start=t.format_time(start),
            )
        )
        return None
    return end


__all__ = [
    "chosen_dong",
    "dong_choices",
    "dong_value",
    "end_question",
    "error_text",
    "is_admin_of",
    "may_manage",
    "parse_end",
    "read_end",
    "read_start",
    "staff_dongs",
    "start_question",
]
