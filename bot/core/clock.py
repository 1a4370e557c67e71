"""One injectable clock for the whole bot.

All code asks a :class:`Clock` for the time. The real clock is the system's; with
``MAEUL_NOW`` the clock starts at that instant and runs forward from there (rehearsals,
demos, acceptance tests); tests use :class:`ManualClock` and move time explicitly.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, tzinfo


class Clock:
    """The system clock, reporting aware datetimes in the configured zone."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def utcnow(self) -> datetime:
        return self.now().astimezone(UTC)

    def today(self) -> date:
        return self.now().date()


class OffsetClock(Clock):
    """Starts at ``start`` and advances with real (monotonic) time."""

    def __init__(self, start: datetime, tz: tzinfo) -> None:
        super().__init__(tz)
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        self._start = start
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        elapsed = time.monotonic() - self._t0
        return (self._start + timedelta(seconds=elapsed)).astimezone(self.tz)


class ManualClock(Clock):
    """A clock that only moves when told to; for tests."""

    def __init__(self, start: datetime, tz: tzinfo | None = None) -> None:
        super().__init__(tz or start.tzinfo or UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=self.tz)
        self._now = start

    def now(self) -> datetime:
        return self._now.astimezone(self.tz)

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, **delta: float) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self.now()


def make_clock(tz: tzinfo, start: datetime | None) -> Clock:
    return OffsetClock(start, tz) if start is not None else Clock(tz)
