"""What staff type while making an assembly, read: the voting period ("12월 10일 오후 2시 ~
12월 17일 오후 6시", an end typed as a time alone is on the start's day — the parser of
:func:`bot.kb.edits.parse_when`), a quorum or a population ("10%", "1,200명"), and the
error shown with an example when it cannot be read."""

from __future__ import annotations

import re
from datetime import datetime, time

from bot.core.i18n import N_
from bot.kb.edits import EditError, find_time, parse_when
from bot.telegram.context import MaeulContext

RANGE_RE = re.compile(r"\s*(?:~|～|–|—|부터|\buntil\b|\bto\b)\s*", re.IGNORECASE)
EXAMPLE = N_("For example: December 10 9am ~ December 17 6pm")
DAY_QUESTION = N_("Which day? Please name the day.")


def typed_when(context: MaeulContext, text: str, day_of: datetime | None = None) -> datetime:
    """A moment as staff type it; an end typed as a time alone ("오후 6시") is on the
    start's day."""
    now = context.runtime.clock.now()
    tz = context.runtime.settings.tz
    text = text.strip().removesuffix("까지").strip()
    try:
        return parse_when(text, now, tz)
    except EditError as error:
        clock = find_time(text) if day_of is not None else None
        if error.message != DAY_QUESTION or clock is None or clock.ambiguous or day_of is None:
            raise
        if text[: clock.span[0]].strip() or text[clock.span[1] :].strip():
            raise
        return datetime.combine(day_of.astimezone(tz).date(), time(clock.hour, clock.minute), tz)


def typed_error(context: MaeulContext, error: EditError) -> str:
    t = context.t
    text = t._(error.message) if error.value is None else t._(error.message, value=error.value)
    return text + "\n" + t._(EXAMPLE)


def typed_number(text: str) -> int | None:
    clean = text.strip().replace(",", "").removesuffix("%").removesuffix("명").strip()
    return int(clean) if clean.isdigit() else None
