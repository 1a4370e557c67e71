"""The dispatcher's rows in a person's data (:mod:`bot.core.privacy`): messages addressed
to them (due or already sent — the log) and their reminder times.

Forget deletes both: a reminder due later is not sent. Retention: a row that is finished
(sent, dropped, cancelled, failed, skipped) is deleted ``RETENTION_MESSAGE_LOG_DAYS`` after
it was due; it holds the chat and the message's text.

Registered by the composition root like the features' providers (:mod:`bot.features`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.core import privacy, privacy_rows
from bot.core.config import Settings
from bot.core.i18n import N_
from bot.reminders.rows import TOPICS, offsets_label, topic_label
from models.events import Reminder, ReminderSetting

OPEN = ("pending", "sending")


def _addressed(subject: privacy.Subject) -> ColumnElement[bool]:
    return privacy.addressed_to(subject, Reminder.chat_id, Reminder.user_id)


async def export_user(session: AsyncSession, subject: privacy.Subject) -> privacy.Section:
    section = privacy.Section()
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
        "reminders": [privacy.row_dict(r, omit=("claimed_by", "lease_until")) for r in rows],
        "reminder_settings": [privacy.row_dict(s) for s in settings],
    }
    waiting = sum(1 for r in rows if r.status in OPEN)
    sent = sum(1 for r in rows if r.status == "sent")
    # cancelled before it was due (a registration cancelled …) or dropped when due as no
    # longer needed (the event moved): never sent, and not to be called sent
    unsent = sum(1 for r in rows if r.status in ("cancelled", "dropped"))
    undelivered = len(rows) - waiting - sent - unsent  # failed, or the bot was blocked
    if waiting:
        section.lines.append(
            t.n_(
                "{n} message to you is waiting to be sent.",
                "{n} messages to you are waiting to be sent.",
                waiting,
            )
        )
    if sent:
        section.lines.append(
            t.n_(
                "{n} message sent to you is in the log.",
                "{n} messages sent to you are in the log.",
                sent,
            )
        )
    if unsent:
        section.lines.append(
            t.n_(
                "{n} message was not sent: cancelled or no longer needed before it was due.",
                "{n} messages were not sent: cancelled or no longer needed before they were due.",
                unsent,
            )
        )
    if undelivered:
        section.lines.append(
            t.n_(
                "{n} message could not be delivered to you.",
                "{n} messages could not be delivered to you.",
                undelivered,
            )
        )
    for s in sorted(settings, key=lambda s: TOPICS.index(s.topic) if s.topic in TOPICS else 99):
        # worded, and in the order, as the /reminders screen shows them
        section.lines.append(
            t._(
                "Reminder times — {topic}: {times}.",
                topic=topic_label(s.topic, t),
                times=offsets_label(s.topic, [int(m) for m in s.offsets], t),
            )
        )
    return section


async def forget_user(
    session: AsyncSession, subject: privacy.Subject, now: datetime
) -> privacy.Forgotten:
    done = privacy.Forgotten()
    done.deleted["reminders"] = await privacy.delete_rows(session, Reminder, _addressed(subject))
    if subject.user_id is not None:
        done.deleted["reminder_settings"] = await privacy.delete_rows(
            session, ReminderSetting, ReminderSetting.user_id == subject.user_id
        )
    return done


async def purge(session: AsyncSession, settings: Settings, now: datetime) -> dict[str, int]:
    return await privacy_rows.purge_older(
        session,
        Reminder.due_at,
        settings.retention_message_log_days,
        now,
        Reminder.status.not_in(OPEN),
    )


def register(registry: privacy.Registry) -> None:
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
