"""Event occurrences: recurrence rules expanded with dateutil in the configured time zone.

An event's ``starts_at``/``ends_at`` are its first occurrence; its ``rrule`` (RFC 5545,
e.g. ``FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6``) repeats it. Rules are expanded on the
local wall clock of the configured zone ("second Tuesday, 14:00" stays 14:00 whatever the
offset), and every occurrence lasts as long as the first.

Each occurrence is addressable as ``<event_id>@<YYYYMMDD>`` (its local start date), which
is what buttons carry. Its stable identity is its *original* start — the one the rule gives
it, RFC 5545's RECURRENCE-ID (:attr:`Occurrence.recurrence_id`) — which stays the same when
staff move that one occurrence. Staff changes (``EventSpec.changes``: an occurrence cancelled
or moved; ``EventSpec.cancelled``: the whole event) are applied here, so every reader sees
them; cancelled occurrences are left out unless ``include_cancelled=True``. Nothing here
knows Telegram.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from dateutil.rrule import rrule, rruleset, rrulestr

from bot.kb.records import EventKind, EventSpec, KnowledgeBase, OccurrenceChange

HORIZON = timedelta(days=366)
"""How far ahead open-ended rules are expanded for lists."""
MAX_PER_EVENT = 400
"""A safety cap on the occurrences taken from one rule."""

KINDS: tuple[EventKind, ...] = (
    "training",
    "meeting",
    "assembly",
    "forum",
    "consultation",
    "festival",
)

_KEY_RE = re.compile(r"^([a-z0-9][a-z0-9_-]*)@(\d{8})$")


SCHEDULED, MOVED, CANCELLED = "scheduled", "moved", "cancelled"
MAX_INDEX = 10_000
"""How far into a series :func:`ordinal` and :func:`original_at` count."""


@dataclass(frozen=True)
class Occurrence:
    event: EventSpec
    starts_at: datetime
    """Aware, in the configured zone."""
    ends_at: datetime
    original: datetime | None = None
    """The start the rule gives it (None: the same as ``starts_at``)."""
    status: str = SCHEDULED
    """``scheduled``, ``moved`` (by staff) or ``cancelled``."""

    @property
    def recurrence_id(self) -> datetime:
        """The stable identity of this occurrence: its original start."""
        return self.original if self.original is not None else self.starts_at

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def moved(self) -> bool:
        return self.status == MOVED

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def key(self) -> str:
        return occurrence_key(self.event.id, self.day)

    def is_over(self, now: datetime) -> bool:
        return self.ends_at <= now


def occurrence_key(event_id: str, day: date) -> str:
    return f"{event_id}@{day:%Y%m%d}"


def parse_key(key: str) -> tuple[str, date] | None:
    """``"secretary-training@20270209"`` → (id, date); None when malformed."""
    match = _KEY_RE.match(key)
    if match is None:
        return None
    try:
        day = datetime.strptime(match.group(2), "%Y%m%d").date()
    except ValueError:
        return None
    return match.group(1), day


def _rule(event: EventSpec, start: datetime) -> rrule | rruleset:
    """The event's rule from its first occurrence, which always counts (RFC 5545 makes
    DTSTART the first instance; dateutil drops it when it does not match the rule, as
    after an admin moved the first date)."""
    assert event.rrule is not None
    rules = rrulestr(event.rrule, dtstart=start, forceset=True)
    assert isinstance(rules, rruleset)
    rules.rdate(start)
    return rules


def _raw_starts(
    event: EventSpec, first: datetime, duration: timedelta, after: datetime | None
) -> Iterable[datetime]:
    if event.rrule is None:
        return [first]
    if after is not None:
        # an occurrence that started up to ``duration`` earlier may still be running
        return _rule(event, first).xafter(after - duration, inc=True)  # lazy
    return _rule(event, first)


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC)


def occurrences(
    event: EventSpec,
    tz: tzinfo,
    *,
    after: datetime | None = None,
    until: datetime | None = None,
    limit: int = MAX_PER_EVENT,
    include_cancelled: bool = False,
) -> Iterator[Occurrence]:
    """The event's occurrences in order, with staff changes applied.

    ``after``: only those still running then (ending after it). ``until``: only those
    starting before it. At most ``limit`` are produced. Cancelled ones (a cancelled
    occurrence, or every occurrence of a cancelled event) only with ``include_cancelled``.
    """
    first = event.starts_at.astimezone(tz)
    duration = event.ends_at - event.starts_at
    changes = {_utc(c.occurrence): c for c in event.changes}
    whole_cancelled = event.cancelled

    def base() -> Iterator[Occurrence]:
        for start in _raw_starts(event, first, duration, after):
            change = changes.get(_utc(start))
            if change is not None and _relocated(change):
                continue  # produced by ``moved`` below, at its new time
            status = CANCELLED if whole_cancelled or change is not None else SCHEDULED
            yield Occurrence(event, start, start + duration, start, status)

    moved = sorted(
        (
            Occurrence(
                event,
                c.starts_at.astimezone(tz),
                c.ends_at.astimezone(tz),
                c.occurrence.astimezone(tz),
                CANCELLED if whole_cancelled or c.status == CANCELLED else MOVED,
            )
            for c in event.changes
            if _relocated(c)
            and c.starts_at is not None
            and c.ends_at is not None
            and _in_series(event, tz, c.occurrence)
        ),
        key=lambda o: o.starts_at,
    )
    stream: Iterable[Occurrence] = (
        heapq.merge(base(), moved, key=lambda o: o.starts_at) if moved else base()
    )
    produced = 0
    for occurrence in stream:
        if produced >= limit or (until is not None and occurrence.starts_at >= until):
            return
        if after is not None and occurrence.is_over(after):
            continue
        if occurrence.cancelled and not include_cancelled:
            continue
        produced += 1
        yield occurrence


def _relocated(change: OccurrenceChange) -> bool:
    """A change that puts the occurrence at another time: moved, or moved and then
    cancelled (a cancelled occurrence stays on the date it last had)."""
    return change.starts_at is not None and change.ends_at is not None


def _in_series(event: EventSpec, tz: tzinfo, original: datetime) -> bool:
    """True when the rule (or the single date) gives an occurrence starting at
    ``original``."""
    first = event.starts_at.astimezone(tz)
    if event.rrule is None:
        return _utc(first) == _utc(original)
    local = original.astimezone(tz)
    found = _rule(event, first).between(
        local - timedelta(seconds=1), local + timedelta(seconds=1), inc=True
    )
    return any(_utc(start) == _utc(original) for start in found)


def find_original(
    event: EventSpec, original: datetime, tz: tzinfo, *, include_cancelled: bool = True
) -> Occurrence | None:
    """The occurrence whose original start is ``original`` (moved ones at their new time);
    None when the series has no such occurrence."""
    if not _in_series(event, tz, original):
        return None
    duration = event.ends_at - event.starts_at
    local = original.astimezone(tz)
    status = CANCELLED if event.cancelled else SCHEDULED
    occurrence = Occurrence(event, local, local + duration, local, status)
    for change in event.changes:
        if _utc(change.occurrence) != _utc(original):
            continue
        if change.starts_at is not None and change.ends_at is not None:
            occurrence = Occurrence(
                event,
                change.starts_at.astimezone(tz),
                change.ends_at.astimezone(tz),
                local,
                CANCELLED if event.cancelled or change.status == CANCELLED else MOVED,
            )
        elif change.status == CANCELLED:
            occurrence = Occurrence(event, local, local + duration, local, CANCELLED)
    if occurrence.cancelled and not include_cancelled:
        return None
    return occurrence


def ordinal(event: EventSpec, original: datetime, tz: tzinfo) -> int | None:
    """The position (0, 1, …) of the occurrence with this original start in the series."""
    first = event.starts_at.astimezone(tz)
    starts: Iterable[datetime] = [first] if event.rrule is None else _rule(event, first)
    target = _utc(original)
    for index, start in enumerate(starts):
        if index >= MAX_INDEX or _utc(start) > target:
            return None
        if _utc(start) == target:
            return index
    return None


def original_at(event: EventSpec, index: int, tz: tzinfo) -> datetime | None:
    """The original start of the ``index``-th occurrence (see :func:`ordinal`)."""
    if index < 0 or index >= MAX_INDEX:
        return None
    first = event.starts_at.astimezone(tz)
    starts: Iterable[datetime] = [first] if event.rrule is None else _rule(event, first)
    for position, start in enumerate(starts):
        if position == index:
            return start
    return None


def next_occurrence(event: EventSpec, now: datetime, tz: tzinfo) -> Occurrence | None:
    """The occurrence running now or the next one; None when the event is over."""
    return next(occurrences(event, tz, after=now, limit=1), None)


def last_occurrence(event: EventSpec, tz: tzinfo) -> Occurrence:
    """The final occurrence (for an open-ended rule: the last within the cap); a cancelled
    one when everything is cancelled."""
    last: Occurrence | None = None
    for occurrence in occurrences(event, tz, include_cancelled=True):
        if last is None or not occurrence.cancelled or last.cancelled:
            last = occurrence
    assert last is not None  # every event has its first occurrence
    return last


def occurrence_on(
    event: EventSpec, day: date, tz: tzinfo, *, include_cancelled: bool = False
) -> Occurrence | None:
    """The occurrence starting on ``day`` (local), if the event has one; else the one
    whose original date it was (moved elsewhere by staff)."""
    start_of_day = datetime(day.year, day.month, day.day, tzinfo=tz)
    for occurrence in occurrences(
        event,
        tz,
        after=start_of_day,
        until=start_of_day + timedelta(days=1),
        include_cancelled=include_cancelled,
    ):
        if occurrence.day == day:
            return occurrence
    for change in event.changes:
        local = change.occurrence.astimezone(tz)
        if local.date() == day:
            found = find_original(event, local, tz, include_cancelled=include_cancelled)
            if found is not None:
                return found
    return None


def find(kb: KnowledgeBase, key: str, tz: tzinfo) -> Occurrence | None:
    """Resolve an occurrence key; None when the event or that date does not exist."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    event_id, day = parsed
    event = get_event(kb, event_id)
    return occurrence_on(event, day, tz) if event is not None else None


def get_event(kb: KnowledgeBase, event_id: str) -> EventSpec | None:
    return next((e for e in kb.events if e.id == event_id), None)


ALL = "*"
"""Filter value meaning "no filter"."""


def matches(event: EventSpec, *, dong: str = ALL, kind: str = ALL) -> bool:
    """Dong filter: district-wide events (no dong) always match; kind filter: exact."""
    if kind != ALL and event.kind != kind:
        return False
    return dong == ALL or event.dong is None or event.dong == dong


def upcoming(
    kb: KnowledgeBase,
    now: datetime,
    tz: tzinfo,
    *,
    dong: str = ALL,
    kind: str = ALL,
    horizon: timedelta = HORIZON,
) -> list[Occurrence]:
    """Occurrences running now or later, in time order (open-ended rules: within
    ``horizon``)."""
    found: list[Occurrence] = []
    for event in kb.events:
        if matches(event, dong=dong, kind=kind):
            until = now + horizon if open_ended(event) else None
            found.extend(occurrences(event, tz, after=now, until=until))
    found.sort(key=lambda o: (o.starts_at, o.ends_at, o.event.id))
    return found


def later_dates(occurrence: Occurrence, tz: tzinfo, limit: int = 5) -> list[Occurrence]:
    """The next ``limit`` occurrences of the same event after this one."""
    out: list[Occurrence] = []
    for other in occurrences(occurrence.event, tz, after=occurrence.ends_at, limit=limit + 1):
        if other.starts_at > occurrence.starts_at:
            out.append(other)
        if len(out) == limit:
            break
    return out


def registration_deadline(event: EventSpec, occurrence: Occurrence) -> datetime:
    """When registration for ``occurrence`` closes: ``closes_hours_before`` its start, or
    at its start when the event sets no deadline."""
    hours = event.registration.closes_hours_before if event.registration else None
    return occurrence.starts_at - timedelta(hours=hours or 0)


def open_ended(event: EventSpec) -> bool:
    """True when the event repeats without COUNT or UNTIL."""
    if event.rrule is None:
        return False
    rule = event.rrule.upper()
    return "COUNT=" not in rule and "UNTIL=" not in rule


def count(event: EventSpec, tz: tzinfo) -> int | None:
    """How many occurrences the event has in all; None when its rule is open-ended."""
    if open_ended(event):
        return None
    return sum(1 for _ in occurrences(event, tz))


__all__ = [
    "ALL",
    "CANCELLED",
    "HORIZON",
    "KINDS",
    "MOVED",
    "SCHEDULED",
    "Occurrence",
    "count",
    "find",
    "find_original",
    "get_event",
    "last_occurrence",
    "later_dates",
    "matches",
    "next_occurrence",
    "occurrence_key",
    "occurrence_on",
    "occurrences",
    "open_ended",
    "ordinal",
    "original_at",
    "parse_key",
    "upcoming",
]
