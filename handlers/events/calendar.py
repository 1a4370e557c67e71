"""Calendar files and lists: an occurrence as an .ics file (from its card), /calendar (the
user's registered occurrences as one .ics file) and /myevents (the user's registrations)."""

from __future__ import annotations

import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.core.text import esc
from bot.events import ics
from bot.events import registrations as R
from bot.kb import cards
from bot.telegram.context import MaeulContext
from handlers.core.browse import knowledge, send
from handlers.events.occurrence import (
    TOK,
    occurrence_label,
    pressed_occurrence,
    registered_occurrences,
)

ICS_RE = re.compile(rf"^reg:ics:{TOK}$")


async def _send_ics(
    update: Update, context: MaeulContext, name: str, data: bytes, caption: str
) -> None:
    await context.bot.send_document(
        update.effective_chat.id,
        document=InputFile(data, filename=name),
        caption=caption,
    )


async def add_to_calendar(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    found = await pressed_occurrence(update, context, ICS_RE)
    if found is None:
        return
    *_, event, occurrence = found
    t = context.t
    await query.answer()
    name, data = ics.occurrence_file(event, occurrence, t.lang, context.runtime.clock.now())
    await _send_ics(
        update,
        context,
        name,
        data,
        t._("Open this file to add “{title}” to your calendar.", title=event.title.get(t.lang)),
    )


async def calendar_command(update: Update, context: MaeulContext) -> None:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    now = context.runtime.clock.now()
    entries = [
        ics.Entry(event, occurrence, registration.status)
        for registration, event, occurrence in await registered_occurrences(
            context, kb, now - timedelta(days=90)
        )
    ]
    active = any(e.status in ("registered", "waitlisted", "walkin") for e in entries)
    # a date cancelled since an earlier file was imported must still reach the calendar,
    # even when nothing else is left in it
    cancelled = any(
        (e.status == "cancelled" or e.occurrence.cancelled) and not e.occurrence.is_over(now)
        for e in entries
    )
    if not active and not cancelled:
        await update.effective_message.reply_text(
            t._("You have not registered for any upcoming event. Open /events to find one.")
        )
        return
    data = ics.calendar(entries, t.lang, now, t._("Maeul: my events"))
    # a "🔔 remind me" of an event without sign-up is in the file too, and no registration
    reminded = any(e.status == "registered" and R.reminder_only(e.event) for e in entries)
    caption = (
        t._(
            "Everything you registered for or asked to be reminded of. Import this file "
            "again after changes: moved and cancelled dates are updated in your calendar."
        )
        if active and reminded
        else t._(
            "Everything you registered for. Import this file again after changes: "
            "moved and cancelled dates are updated in your calendar."
        )
        if active
        else t._(
            "You have no upcoming registration. Import this file to take the cancelled dates "
            "out of your calendar."
        )
    )
    await _send_ics(update, context, "maeul-my-events.ics", data, caption)


async def myevents_command(update: Update, context: MaeulContext) -> None:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    rows = []
    reminded = False
    for registration, event, occurrence in await registered_occurrences(
        context, kb, context.runtime.clock.now()
    ):
        if registration.status not in ("registered", "waitlisted"):
            continue
        reminder = R.reminder_only(event)  # ("🔔 remind me": no sign-up needed)
        reminded = reminded or reminder
        mark = "⏳ " if registration.status == "waitlisted" else "🔔 " if reminder else ""
        rows.append(
            [
                InlineKeyboardButton(
                    mark + occurrence_label(occurrence, t, context.runtime.clock.now()),
                    callback_data=cards.occurrence_data(event.id, occurrence.day),
                )
            ]
        )
    if not rows:
        await update.effective_message.reply_text(
            t._("You have not registered for any upcoming event. Open /events to find one.")
        )
        return
    text = esc(
        t._(
            "Your upcoming events (⏳: on the waitlist; 🔔: a reminder only, no sign-up "
            "needed). /calendar sends them as a file."
        )
        if reminded
        else t._("Your upcoming events (⏳: on the waitlist). /calendar sends them as a file.")
    )
    await send(update, context, text, InlineKeyboardMarkup(rows[:30]))
