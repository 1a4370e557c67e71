"""Event occurrences: the first one and its recurrence rule, expanded with dateutil."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from bot.kb.records import EventSpec


@lru_cache(maxsize=4096)
def _rule(text: str, start: datetime) -> rrule:
    rule = rrulestr(text, dtstart=start)
    assert isinstance(rule, rrule)
    return rule


def _starts(event: EventSpec, after: datetime, before: datetime | None) -> list[datetime]:
    """Occurrence starts with ``after <= start`` (and ``start <= before`` when given)."""
    if event.rrule is None:
        start = event.starts_at
        if start >= after and (before is None or start <= before):
            return [start]
        return []
    rule = _rule(event.rrule, event.starts_at)
    if before is None:
        found = rule.after(after, inc=True)
        return [found] if found is not None else []
    return list(rule.between(after, before, inc=True))


def duration(event: EventSpec) -> timedelta:
    return event.ends_at - event.starts_at


def next_occurrence(event: EventSpec, now: datetime) -> datetime | None:
    """The start of the first occurrence that has not ended by ``now``."""
    found = _starts(event, now - duration(event), None)
    return found[0] if found else None


def occurrences_between(event: EventSpec, start: datetime, end: datetime) -> list[datetime]:
    """Starts of the occurrences that overlap [start, end]."""
    return _starts(event, start - duration(event), end)


def day_bounds(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants from the start of ``first`` to the end of ``last`` in ``tz``."""
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last, time.max, tzinfo=tz),
    )
