"""The occurrence a button names (an occurrence token, bot.events.registrations.occ_token),
re-read from the KB on every press: a changed schedule refuses the stale button politely."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from telegram import Update

from bot.core.i18n import Translator
from bot.core.text import esc, shorten
from bot.events import attendance
from bot.events import registrations as R
from bot.kb import cards, schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.reminders.dispatch import nudge_after_commit
from bot.telegram.context import MaeulContext
from handlers.core import blocks
from handlers.core.browse import pressed, refuse
from models.events import Registration
from models.user import User


def occurrence_label(occurrence: schedule.Occurrence, t: Translator, now: datetime) -> str:
    """An occurrence's button in a list (:func:`bot.kb.cards.occurrence_button`, with the
    year of a date not in the current year, which takes none of the title's room)."""
    day = cards.list_date(t, occurrence.starts_at, now)
    room = 60 + len(day) - len(t.format_date(occurrence.starts_at, short=True))
    when = f"{day} {t.format_time(occurrence.starts_at)}"
    return shorten(f"{when} {occurrence.event.title.get(t.lang)}", room)


TOK = r"(~?[a-z0-9_-]{1,40}\.[0-9a-z]{1,9})"


def nudge(context: MaeulContext) -> None:
    nudge_after_commit(context.db, getattr(context.application, "dispatcher", None))


async def pressed_occurrence(
    update: Update, context: MaeulContext, pattern: re.Pattern[str]
) -> tuple[re.Match[str], KnowledgeBase, EventSpec, schedule.Occurrence] | None:
    """The press's data parsed by ``pattern`` (group 1 an occurrence token), the KB, and
    the event and occurrence it names; ``None`` after a polite refusal."""
    found = await pressed(update, context, pattern)
    if found is None:
        return None
    kb, match = found
    parsed = R.parse_token(kb, match.group(1), context.runtime.settings.tz)
    if parsed is None:
        await refuse(
            update.callback_query, context, context.t._("This event is no longer in the schedule.")
        )
        return None
    return match, kb, *parsed


async def registered_occurrences(
    context: MaeulContext, kb: KnowledgeBase, since: datetime
) -> list[tuple[Registration, EventSpec, schedule.Occurrence]]:
    """The user's registrations for occurrences from ``since`` on that are still in the
    schedule, with their event and (original) occurrence."""
    tz = context.runtime.settings.tz
    found = []
    for registration in await R.user_registrations(context.db, context.user, since=since):
        event = schedule.get_event(kb, registration.event_id)
        occurrence = (
            schedule.find_original(event, registration.occurrence_start, tz) if event else None
        )
        if event is not None and occurrence is not None:
            found.append((registration, event, occurrence))
    return found


async def staff_registration(
    update: Update,
    context: MaeulContext,
    kb: KnowledgeBase,
    registration_id: int,
    *,
    allowed: Callable[[MaeulContext, EventSpec], bool],
    not_staff: str,
) -> tuple[Registration, EventSpec, schedule.Occurrence] | None:
    """The registration a staff button names (marking attendance), with its event and
    (original) occurrence, for a presser ``allowed`` to manage that event; ``None`` after
    a polite refusal — a registration gone, cancelled or no longer in the schedule (a
    stale button), or a presser who may not (``not_staff``)."""
    registration = await context.db.get(Registration, registration_id)
    event = schedule.get_event(kb, registration.event_id) if registration is not None else None
    occurrence = (
        schedule.find_original(event, registration.occurrence_start, context.runtime.settings.tz)
        if event is not None and registration is not None
        else None
    )
    if registration is None or event is None or occurrence is None:
        await blocks.refuse(update, context)
        return None
    if not allowed(context, event):
        await blocks.refuse(update, context, not_staff)
        return None
    if registration.status == "cancelled":
        await blocks.refuse(update, context)
        return None
    return registration, event, occurrence


def person(user: User) -> str:
    """A registered person as an attendance list's button shows them: name and @username."""
    name = user.first_name or str(user.telegram_id)
    if user.username:
        name += f" @{user.username}"
    return shorten(name, 40)


async def attendance_heading(
    context: MaeulContext, event: EventSpec, occurrence: schedule.Occurrence
) -> tuple[list[tuple[Registration, User]], list[str]]:
    """An occurrence's attendance list (:func:`bot.events.attendance.attendance_list`) and
    the HTML lines that head its screen: the event, the date and how many are present."""
    t = context.t
    people = await attendance.attendance_list(context.db, event.id, occurrence.recurrence_id)
    sign_up = await attendance.needs_sign_up(context.db, event.id)
    summary = attendance.attendance_summary(
        t, [(r.status, bool(r.attended)) for r, _ in people], sign_up=sign_up
    )
    lines = [
        f"<b>{esc(event.title.get(t.lang))}</b>",
        esc(cards.time_range(occurrence.starts_at, occurrence.ends_at, t)),
        "",
        esc(summary),
    ]
    return people, lines
