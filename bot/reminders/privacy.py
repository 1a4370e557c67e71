"""The dispatcher's rows in a person's data (:mod:`bot.core.privacy`): messages addressed
to them (due or already sent — the log) and their reminder times.

Forget deletes both: a reminder due later is not sent. Retention: a row that is finished
(sent, dropped, cancelled, failed, skipped) is deleted ``RETENTION_MESSAGE_LOG_DAYS`` after
it was due; it holds the chat and the message's text.

Registered by the composition root like the features' providers (:mod:`bot.features`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.core.config import Settings
from bot.core.i18n import N_
from bot.core.privacy import (
    Forgotten,
    Registry,
    Section,
    Subject,
    addressed_to,
    cutoff,
    row_dict,
    rowcount,
)
from models.events import Reminder, ReminderSetting

OPEN = ("pending", "sending")


def _addressed(subject: Subject) -> ColumnElement[bool]:
    return addressed_to(subject, Reminder.chat_id, Reminder.user_id)


async def export_user(session: AsyncSession, subject: Subject) -> Section:
    section = Section()
    t = subject.t
    rows = (
        (
            await session.execute(
                select(Reminder).where(_addressed(subject)).order_by(Reminder.due_at, Reminder.id)
            )
        )
        .scalars()
        .all()
    )
    settings: list[ReminderSetting] = []
    if subject.user_id is not None:
        settings = list(
            (
                await session.execute(
                    select(ReminderSetting).where(ReminderSetting.user_id == subject.user_id)
                )
            ).scalars()
        )
    section.records = {
        "reminders": [row_dict(r, omit=("claimed_by", "lease_until")) for r in rows],
        "reminder_settings": [row_dict(s) for s in settings],
    }
    waiting = sum(1 for r in rows if r.status in OPEN)
    if waiting:
        section.lines.append(
            t.n_(
                "{n} message to you is waiting to be sent.",
                "{n} messages to you are waiting to be sent.",
                waiting,
            )
        )
    if len(rows) - waiting:
        section.lines.append(
            t.n_(
                "{n} message sent to you (or given up) is in the log.",
                "{n} messages sent to you (or given up) are in the log.",
                len(rows) - waiting,
            )
        )
    for s in settings:
        minutes = ", ".join(str(m) for m in s.offsets) or t._("off")
        section.lines.append(
            t._(
                "Reminder times for {topic}: {minutes} (minutes before).",
                topic=s.topic,
                minutes=minutes,
            )
        )
    return section


async def forget_user(session: AsyncSession, subject: Subject, now: datetime) -> Forgotten:
    done = Forgotten()
    done.deleted["reminders"] = rowcount(
        await session.execute(delete(Reminder).where(_addressed(subject)))
    )
    if subject.user_id is not None:
        done.deleted["reminder_settings"] = rowcount(
            await session.execute(
                delete(ReminderSetting).where(ReminderSetting.user_id == subject.user_id)
            )
        )
    return done


async def purge(session: AsyncSession, settings: Settings, now: datetime) -> dict[str, int]:
    before = cutoff(now, settings.retention_message_log_days)
    if before is None:
        return {}
    result = await session.execute(
        delete(Reminder).where(Reminder.status.not_in(OPEN), Reminder.due_at < before)
    )
    return {"reminders": rowcount(result)}


def register(registry: Registry) -> None:
    registry.provide(
        "reminders",
        title=N_("Reminders and messages"),
        covers=("reminders.user_id", "reminders.chat_id", "reminder_settings.user_id"),
        export=export_user,
        forget=forget_user,
        purge=purge,
        retention=(
            N_(
                "Messages the bot sends are kept in its log for {message_days} days after "
                "they were due, then deleted."
            ),
        ),
    )
