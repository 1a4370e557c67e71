"""The reminder rows of a registration: planned when someone registers, re-planned when the
occurrence moves or they change their reminder times (:mod:`bot.events.reminders` renders
them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kb import schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.reminders.rows import GRANT_TOPIC, Planned, cancel_pending, enqueue, offsets_for
from models.events import Registration, Reminder
from models.user import User

EVENT, SURVEY, NOTICE, ANNOUNCE, NEWS = "event", "survey", "notice", "announce", "news"
"""The events' kinds of rows (``Reminder.kind``)."""


def _iso(when: datetime) -> str:
    return when.isoformat()


def registration_ref(registration_id: int) -> str:
    return f"reg:{registration_id}"


def reminder_times(start: datetime, offsets: Sequence[int]) -> list[tuple[datetime, int]]:
    """When each reminder of an occurrence starting at ``start`` is due, with its offset
    (minutes before), soonest first."""
    return sorted(((start - timedelta(minutes=m), m) for m in offsets), key=lambda d: d[0])


def event_reminders(
    registration: Registration,
    user: User,
    occurrence: schedule.Occurrence,
    offsets: Sequence[int],
    now: datetime,
) -> list[Planned]:
    """The reminder rows for one registration at the occurrence's current time.

    A reminder whose time has passed is not planned (someone who registers an hour before
    gets no "tomorrow" message). Each one expires when the next one is due, the last when
    the event starts: after a restart, only the most useful one is still sent.
    """
    start = occurrence.starts_at
    dues = reminder_times(start, offsets)
    planned = []
    for index, (due, minutes) in enumerate(dues):
        if due <= now:
            continue
        expires = dues[index + 1][0] if index + 1 < len(dues) else start
        planned.append(
            Planned(
                kind=EVENT,
                key=f"ev:{registration.id}:{int(start.timestamp())}:{minutes}",
                chat_id=user.telegram_id,
                user_id=user.id,
                due_at=due,
                expires_at=expires,
                ref=registration_ref(registration.id),
                payload={
                    "registration_id": registration.id,
                    "event_id": occurrence.event.id,
                    "original": _iso(occurrence.recurrence_id),
                    "starts_at": _iso(start),
                    "offset": minutes,
                },
            )
        )
    return planned


ABANDONED = ("cancelled", "dropped", "failed", "skipped")
"""Statuses of rows that were settled without being sent (and never will be)."""


async def _fresh_keys(session: AsyncSession, items: list[Planned]) -> list[Planned]:
    """The planned rows, each keyed by its generation: how many rows of its key (the key
    itself or ``key:…``) were abandoned (:data:`ABANDONED`).

    A key names a registration, a start and an offset. The same reminder is planned again
    after its rows were abandoned — someone registers again after cancelling, an occurrence
    moves back to its first time, the reminder times change — and with the bare key it
    would be dropped as a duplicate of the cancelled row. Planning twice in one state
    still gives the same keys (a pending row is no abandoned one), so a retry or a second
    instance inserts a reminder once. A sent reminder is never planned again: only
    reminders still due are planned, and a row's due time is fixed by its key.
    """
    if not items:
        return items
    families = [
        or_(Reminder.key == item.key, Reminder.key.startswith(item.key + ":", autoescape=True))
        for item in items
    ]
    abandoned = list(
        (
            await session.execute(
                select(Reminder.key).where(
                    Reminder.ref.in_({item.ref for item in items}),
                    Reminder.status.in_(ABANDONED),
                    or_(*families),
                )
            )
        ).scalars()
    )
    fresh = []
    for item in items:
        generation = sum(1 for k in abandoned if k == item.key or k.startswith(item.key + ":"))
        key = f"{item.key}:{generation}" if generation else item.key
        fresh.append(Planned(**{**item.__dict__, "key": key}))
    return fresh


async def plan_event(
    session: AsyncSession,
    registration: Registration,
    occurrence: schedule.Occurrence,
    now: datetime,
) -> int:
    """Plan the reminders of a registered person for the occurrence's current time."""
    user = await session.get(User, registration.user_id)
    if user is None or registration.status != "registered" or occurrence.cancelled:
        return 0
    offsets = await offsets_for(session, user.id, occurrence.event.kind)
    items = await _fresh_keys(
        session, event_reminders(registration, user, occurrence, offsets, now)
    )
    return await enqueue(session, items, now)


async def pending_reminders(session: AsyncSession, registration: Registration) -> int:
    """How many reminders of a registration are still to be sent (what to promise)."""
    count = await session.scalar(
        select(func.count())
        .select_from(Reminder)
        .where(
            Reminder.ref == registration_ref(registration.id),
            Reminder.kind == EVENT,
            Reminder.status == "pending",
        )
    )
    return int(count or 0)


async def replan_user(
    session: AsyncSession, user: User, kb: KnowledgeBase, tz: tzinfo, now: datetime, topic: str
) -> int:
    """After someone changed their reminder times for ``topic``: cancel the pending event
    reminders of their future registrations of that kind and plan them again."""
    if topic == GRANT_TOPIC:
        return 0
    rows = await session.execute(
        select(Registration).where(
            Registration.user_id == user.id,
            Registration.status == "registered",
            Registration.starts_at > now,
        )
    )
    planned = 0
    for registration in rows.scalars():
        event = schedule.get_event(kb, registration.event_id)
        if event is None or event.kind != topic:
            continue
        occurrence = schedule.find_original(event, registration.occurrence_start, tz)
        if occurrence is None or occurrence.cancelled:
            continue
        await cancel_pending(session, registration_ref(registration.id), [EVENT])
        offsets = await offsets_for(session, user.id, topic)
        # the old rows are cancelled: these get the next generation of their keys
        items = await _fresh_keys(
            session, event_reminders(registration, user, occurrence, offsets, now)
        )
        planned += await enqueue(session, items, now)
    return planned


def event_payload(event: EventSpec, occurrence: schedule.Occurrence) -> dict[str, Any]:
    """What a notice needs to be rendered even if the event disappears later."""
    return {
        "event_id": event.id,
        "title": event.title.as_dict(),
        "place": event.place.as_dict(),
        "original": _iso(occurrence.recurrence_id),
        "starts_at": _iso(occurrence.starts_at),
        "ends_at": _iso(occurrence.ends_at),
    }


__all__ = [
    "ANNOUNCE",
    "EVENT",
    "NEWS",
    "NOTICE",
    "SURVEY",
    "event_payload",
    "event_reminders",
    "pending_reminders",
    "plan_event",
    "registration_ref",
    "reminder_times",
    "replan_user",
]
