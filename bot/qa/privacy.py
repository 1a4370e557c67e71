"""The Q&A's part of a person's data (:mod:`bot.core.privacy`).

Questions the bot could not answer are kept for staff to improve the knowledge base, but
without a person: no user id, only the text, its language, the day and, for a follow-up,
the knowledge-base record it was asked after — a public record, not a person
(``models/qa.py`` says why). They cannot be found by person, so they cannot be exported
or forgotten one person at a time — the person is told so — and every one of them is
deleted ``RETENTION_UNANSWERED_DAYS`` after it was asked. Answered questions are not
stored at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.i18n import N_
from bot.core.privacy import Forgotten, Registry, Section, Subject, cutoff, rowcount
from models.qa import UnansweredQuestion


async def export_user(session: AsyncSession, subject: Subject) -> Section:
    return Section(
        lines=[
            subject.t._(
                "Questions I could not answer are kept for staff without your name, so "
                "they cannot be shown here. Answered questions are not stored."
            )
        ]
    )


async def forget_user(session: AsyncSession, subject: Subject, now: datetime) -> Forgotten:
    return Forgotten()


async def purge(session: AsyncSession, settings: Settings, now: datetime) -> dict[str, int]:
    before = cutoff(now, settings.retention_unanswered_days)
    if before is None:
        return {}
    result = await session.execute(
        delete(UnansweredQuestion).where(
            UnansweredQuestion.asked_on < before.astimezone(settings.tz).date()
        )
    )
    return {"qa_unanswered": rowcount(result)}


def register(registry: Registry) -> None:
    registry.provide(
        "qa",
        title=N_("Questions"),
        covers=(),
        export=export_user,
        forget=forget_user,
        purge=purge,
        kept=(
            N_(
                "Questions I could not answer stay for staff until they are deleted: they "
                "were stored without your name."
            ),
        ),
        retention=(N_("Questions I could not answer are deleted after {unanswered_days} days."),),
    )
