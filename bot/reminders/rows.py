"""Reminders as rows: planning them, people's reminder times, cancelling them.

Every message the bot sends on its own is a :class:`models.events.Reminder` row. Planning a
row is idempotent: each has a unique ``key``, and :func:`enqueue` inserts it once however
often (or by however many bot instances) it is planned. :mod:`bot.reminders.dispatch`
sends them.

The kinds of rows (``Reminder.kind``) belong to the features that plan and render them,
each in its ``bot/<feature>/reminders.py`` (registered with :mod:`bot.reminders.registry`):
``event``, ``survey``, ``notice``, ``announce``, ``news`` (:mod:`bot.events.reminders`),
``grant`` (:mod:`bot.kb.reminders`), ``vote`` (:mod:`bot.assembly.reminders`). Only
``message`` — a text rendered when it was written (:func:`bot.reminders.outbox.tell`) —
is the dispatcher's own.

People's reminder times are kept per topic: each kind of event, and grant deadlines.

Nothing here knows Telegram, nor any feature.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import statements
from bot.core.i18n import N_, Translator
from models.events import Reminder, ReminderSetting
from models.kb import EVENT_KINDS
from models.user import User

MESSAGE = "message"
"""A text already rendered for its recipient (:func:`bot.reminders.outbox.tell`)."""

GRANT_DAYS_BEFORE = 3
"""A followed grant's reminder comes three days before its deadline (unless turned off)."""

GRANT_TOPIC = "grant"
TOPICS: tuple[str, ...] = (*EVENT_KINDS, GRANT_TOPIC)
"""What people set reminder times for: each kind of event, and grant deadlines."""
DEFAULT_OFFSETS: tuple[int, ...] = (24 * 60, 60)
"""One day and one hour before (minutes)."""
GRANT_OFFSETS: tuple[int, ...] = (GRANT_DAYS_BEFORE * 24 * 60,)
PRESETS: dict[str, tuple[int, ...]] = {
    "1d1h": (24 * 60, 60),
    "1d": (24 * 60,),
    "3h": (180,),
    "1h": (60,),
    "2d1d": (48 * 60, 24 * 60),
    "off": (),
}
"""Reminder times people choose from for events (minutes before the start)."""
PRESET_LABELS: dict[str, str] = {
    "1d1h": N_("1 day and 1 hour before"),
    "1d": N_("1 day before"),
    "3h": N_("3 hours before"),
    "1h": N_("1 hour before"),
    "2d1d": N_("2 days and 1 day before"),
    "off": N_("No reminders"),
}
GRANT_PRESETS: dict[str, tuple[int, ...]] = {"on": GRANT_OFFSETS, "off": ()}
GRANT_PRESET_LABELS: dict[str, str] = {
    "on": N_("3 days before the deadline"),
    "off": N_("No reminders"),
}
KIND_LABELS: dict[str, str] = {
    "training": N_("🎓 Training"),
    "meeting": N_("🤝 Meeting"),
    "assembly": N_("🗳 General assembly"),
    "forum": N_("📣 Forum"),
    "consultation": N_("💬 Consultation"),
    "festival": N_("🎉 Festival"),
}
"""The name of each event kind, wherever the bot shows it (event cards, /reminders,
/mydata, the events report); kept here, the lowest layer that names kinds, and re-exported
by ``bot.kb.cards``."""
TOPIC_LABELS: dict[str, str] = {**KIND_LABELS, GRANT_TOPIC: N_("📋 Grant deadlines")}
"""What /reminders and /mydata call each topic: the event kinds, and grant deadlines."""
REMIND_AT = time(10, 0)
"""Local time of day for date-based reminders (grant deadlines, surveys, news)."""
KEEP_GRANT_DAYS = 3
"""Grant rows are planned from three days before the deadline up to the deadline."""


# ---------------------------------------------------------------------------------------
# Messages (rendered by bot.reminders_render; sent by bot.dispatch)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutMessage:
    """An HTML message with optional inline buttons ``(label, callback_data)``."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()


@dataclass(frozen=True)
class Planned:
    kind: str
    key: str
    chat_id: int
    due_at: datetime
    payload: dict[str, Any]
    user_id: int | None = None
    expires_at: datetime | None = None
    ref: str | None = None


# ---------------------------------------------------------------------------------------
# Enqueueing and cancelling
# ---------------------------------------------------------------------------------------


async def enqueue(session: AsyncSession, items: Iterable[Planned], now: datetime) -> int:
    """Insert rows not planned before (by ``key``); returns how many were new."""
    rows = [
        {
            "kind": item.kind,
            "key": item.key,
            "ref": item.ref,
            "user_id": item.user_id,
            "chat_id": item.chat_id,
            "due_at": item.due_at,
            "expires_at": item.expires_at,
            "status": "pending",
            "attempts": 0,
            "payload": item.payload,
            "created_at": now,
        }
        for item in items
    ]
    if not rows:
        return 0
    inserted = 0
    for start in range(0, len(rows), 500):
        stmt = statements.insert_for(session)(Reminder).values(rows[start : start + 500])
        stmt = stmt.on_conflict_do_nothing(index_elements=["key"])
        result = await session.execute(stmt)
        inserted += max(statements.rowcount(result), 0)
    return inserted


async def cancel_pending(
    session: AsyncSession, ref: str, kinds: Sequence[str] | None = None
) -> int:
    """Cancel the pending rows about ``ref`` (e.g. ``reg:12``); returns how many."""
    conditions = [Reminder.ref == ref, Reminder.status == "pending"]
    if kinds is not None:
        conditions.append(Reminder.kind.in_(list(kinds)))
    result = await session.execute(
        update(Reminder)
        .where(and_(*conditions))
        .values(status="cancelled", last_error="cancelled before it was due")
        .execution_options(synchronize_session=False)
    )
    return statements.rowcount(result)


# ---------------------------------------------------------------------------------------
# People's reminder times
# ---------------------------------------------------------------------------------------


def default_offsets(topic: str) -> tuple[int, ...]:
    return GRANT_OFFSETS if topic == GRANT_TOPIC else DEFAULT_OFFSETS


async def offsets_for(session: AsyncSession, user_id: int, topic: str) -> tuple[int, ...]:
    row = await session.get(ReminderSetting, (user_id, topic))
    if row is None:
        return default_offsets(topic)
    return tuple(sorted((int(m) for m in row.offsets), reverse=True))


async def all_offsets(session: AsyncSession, user_id: int) -> dict[str, tuple[int, ...]]:
    found = {topic: default_offsets(topic) for topic in TOPICS}
    rows = await session.execute(select(ReminderSetting).where(ReminderSetting.user_id == user_id))
    for row in rows.scalars():
        if row.topic in found:
            found[row.topic] = tuple(sorted((int(m) for m in row.offsets), reverse=True))
    return found


def preset_of(topic: str, offsets: Sequence[int]) -> str | None:
    presets = GRANT_PRESETS if topic == GRANT_TOPIC else PRESETS
    wanted = tuple(sorted(offsets, reverse=True))
    return next((name for name, value in presets.items() if value == wanted), None)


def topic_label(topic: str, t: Translator) -> str:
    """A topic as /reminders names it ("🎓 Training"); an unknown one as stored."""
    return t._(TOPIC_LABELS[topic]) if topic in TOPIC_LABELS else topic


def offsets_label(topic: str, offsets: Sequence[int], t: Translator) -> str:
    """Reminder times as /reminders words them: the preset's label ("1 day and 1 hour
    before", "No reminders"), else the minutes."""
    name = preset_of(topic, offsets)
    if topic == GRANT_TOPIC:
        return t._(GRANT_PRESET_LABELS[name or "on"])
    if name is None:
        wanted = sorted(offsets, reverse=True)
        return ", ".join(t.n_("{n} minute", "{n} minutes", m) for m in wanted)
    return t._(PRESET_LABELS[name])


async def set_offsets(
    session: AsyncSession, user: User, topic: str, offsets: Sequence[int], now: datetime
) -> None:
    """Save someone's reminder times for a topic. Pending event reminders of that kind are
    re-planned with :func:`replan_user` by the caller (it needs the KB)."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    clean = sorted({int(m) for m in offsets if 0 < int(m) <= 14 * 24 * 60}, reverse=True)
    row = await session.get(ReminderSetting, (user.id, topic))
    if row is None:
        session.add(ReminderSetting(user_id=user.id, topic=topic, offsets=clean, updated_at=now))
    else:
        row.offsets = clean
        row.updated_at = now
    await session.flush()


# ---------------------------------------------------------------------------------------
# Date-based rows
# ---------------------------------------------------------------------------------------


def local_at(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


# ---------------------------------------------------------------------------------------
# Planning passes
# ---------------------------------------------------------------------------------------


@dataclass
class PassPlan:
    """What one planning pass did (for logs and tests)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


__all__ = [
    "DEFAULT_OFFSETS",
    "GRANT_DAYS_BEFORE",
    "GRANT_PRESETS",
    "GRANT_PRESET_LABELS",
    "GRANT_TOPIC",
    "KIND_LABELS",
    "MESSAGE",
    "PRESETS",
    "PRESET_LABELS",
    "REMIND_AT",
    "TOPICS",
    "TOPIC_LABELS",
    "OutMessage",
    "PassPlan",
    "Planned",
    "all_offsets",
    "cancel_pending",
    "default_offsets",
    "enqueue",
    "local_at",
    "offsets_for",
    "offsets_label",
    "preset_of",
    "set_offsets",
    "topic_label",
]
