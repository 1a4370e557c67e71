"""Calendar files (RFC 5545, with the icalendar library) for "add to calendar" and /calendar.

Every occurrence is its own VEVENT whose UID is stable —
``<event id>-<original start, UTC>@maeul`` — so importing a newer file updates the entry
in the person's calendar instead of adding a second one. Times carry the configured zone
(``TZID=Asia/Seoul`` with its VTIMEZONE). A moved occurrence keeps its UID with the new
times and ``SEQUENCE:1``; a cancelled one is ``STATUS:CANCELLED`` (calendars strike or
remove it). A waitlisted registration is ``STATUS:TENTATIVE``. Nothing here knows
Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import icalendar

from bot.kb import schedule
from bot.kb.records import EventSpec

PRODID = "-//Maeul//Village assistant//KO"
DOMAIN = "maeul"


def uid(event_id: str, original: datetime) -> str:
    return f"{event_id}-{original.astimezone(UTC):%Y%m%dT%H%M%SZ}@{DOMAIN}"


@dataclass(frozen=True)
class Entry:
    event: EventSpec
    occurrence: schedule.Occurrence
    status: str | None = None
    """``waitlisted`` makes it tentative; a cancelled registration or occurrence is
    cancelled."""


def _vevent(entry: Entry, lang: str, now: datetime) -> icalendar.Event:
    event, occurrence = entry.event, entry.occurrence
    item = icalendar.Event()
    item.add("uid", uid(event.id, occurrence.recurrence_id))
    item.add("dtstamp", now.astimezone(UTC))
    item.add("dtstart", occurrence.starts_at)
    item.add("dtend", occurrence.ends_at)
    item.add("summary", event.title.get(lang))
    item.add("location", event.place.get(lang))
    item.add("description", f"{event.description.get(lang)}\n\n{event.audience.get(lang)}")
    item.add("categories", [event.kind])
    cancelled = occurrence.cancelled or entry.status == "cancelled"
    if cancelled:
        item.add("status", "CANCELLED")
    elif entry.status == "waitlisted":
        item.add("status", "TENTATIVE")
    else:
        item.add("status", "CONFIRMED")
    item.add("sequence", 1 if (cancelled or occurrence.moved) else 0)
    return item


def calendar(entries: Iterable[Entry], lang: str, now: datetime, name: str) -> bytes:
    """One VCALENDAR with every entry (in time order)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for entry in sorted(entries, key=lambda e: (e.occurrence.starts_at, e.event.id)):
        cal.add_component(_vevent(entry, lang, now))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def occurrence_file(
    event: EventSpec, occurrence: schedule.Occurrence, lang: str, now: datetime
) -> tuple[str, bytes]:
    """``(file name, bytes)`` for one occurrence ("add to calendar")."""
    name = event.title.get(lang)
    data = calendar([Entry(event, occurrence)], lang, now, name)
    day = occurrence.starts_at.strftime("%Y%m%d")
    return f"{_safe(event.id)}-{day}.ics", data


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text)[:60] or "event"


__all__ = ["PRODID", "Entry", "calendar", "occurrence_file", "uid"]
