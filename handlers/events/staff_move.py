"""Moving one date of an event, or all of it, from Telegram (the conversation is
registered by :mod:`handlers.events.staff_change`; see its docstring): the new start is
typed the way staff say it, the length stays unless the end is changed too, and a
confirmation shows the old and new time and how many registrants will be told — they are,
by the domain's durable notices (:func:`bot.events.registrations.move_event`, audited).

A date somebody already checked in for (or was marked present for) is not moved: see
:func:`_attendance_refusal`.
"""

from __future__ import annotations

import re
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.core.text import esc
from bot.events import attendance
from bot.events import registrations as R
from bot.kb import cards, schedule
from bot.kb.records import EventSpec
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, drop_keyboard, refuse, show
from handlers.core.steps import fresh_nonce
from handlers.events import staff_access
from handlers.events.occurrence import TOK
from handlers.events.staff_change import (
    KEY,
    MOVE_END,
    MOVE_OK,
    MOVE_START,
    back_markup,
    draft_of,
    on_confirmed_draft,
    on_draft_event,
)
from handlers.events.staff_draft import end_question, read_end, read_start, start_question
from handlers.events.staff_edit_view import cancel_row

MOVE_ONE_RE = re.compile(rf"^sev:m:{TOK}$")
MOVE_ALL_RE = re.compile(rf"^sev:M:{staff_access.REF}$")
MOVE_OK_RE = re.compile(r"^sev:mok:([0-9a-f]{8})$")

# ---------------------------------------------------------------------------------------
# Move
# ---------------------------------------------------------------------------------------


async def _attendance_refusal(
    context: MaeulContext, event: EventSpec, original: datetime | None
) -> str | None:
    """Why the date (``original``), or every date of the event (None), cannot be moved:
    people are marked present for it. Their attendance says the date was held at its
    time; moved, the registrations would either stay on the old time (the attendance list
    of the new one empty, the report counting a date that is no longer in the schedule)
    or carry the attendance to a time nobody attended. A centre keeps what happened: a
    session that is held again another day is a new event, and a check-in made by
    mistake is unmarked in the attendance list first. So the move is refused, never
    done with a silent inconsistency; asked again at the confirmation, for a check-in
    made meanwhile. (The domain's :func:`bot.events.registrations.move_event` refuses it
    too, for every caller, with code ``attended``; here staff are told why, with the
    count, before they confirm.)"""
    t = context.t
    count = await attendance.attended_count(context.db, event.id, original)
    if count == 0:
        return None
    if original is None and event.rrule is not None:
        return t.n_(
            "{n} person is marked present for a date of this event, so its dates cannot "
            "all be moved at once (that date would move too). Move the coming dates one "
            "by one.",
            "{n} people are marked present for dates of this event, so its dates cannot "
            "all be moved at once (those dates would move too). Move the coming dates one "
            "by one.",
            count,
        )
    return t.n_(
        "{n} person has already checked in for this date, so it cannot be moved. If that "
        "was a mistake, unmark it in 👥 Attendance first; to hold it again another day, "
        "create a new event with /newevent.",
        "{n} people have already checked in for this date, so it cannot be moved. If that "
        "was a mistake, unmark them in 👥 Attendance first; to hold it again another day, "
        "create a new event with /newevent.",
        count,
    )


@staff_access.on_managed_occurrence(MOVE_ONE_RE, ConversationHandler.END)
async def move_one(
    update: Update, context: MaeulContext, found: staff_access.OccurrencePressed
) -> str | int:
    _, event, occurrence = found
    if occurrence.cancelled:
        await refuse(update, context, context.t._("That date is cancelled."))
        return ConversationHandler.END
    why = await _attendance_refusal(context, event, occurrence.recurrence_id)
    if why is not None:
        await refuse(update, context, why)
        return ConversationHandler.END
    return await _ask_move(update, context, event, occurrence, whole=False)


@staff_access.on_managed_event(MOVE_ALL_RE, ConversationHandler.END)
async def move_all(update: Update, context: MaeulContext, event: EventSpec) -> str | int:
    first = next(schedule.occurrences(event, context.runtime.settings.tz, limit=1), None)
    if event.cancelled or first is None:
        await refuse(update, context, context.t._("This event has no dates left to do that with."))
        return ConversationHandler.END
    why = await _attendance_refusal(context, event, None)
    if why is not None:
        await refuse(update, context, why)
        return ConversationHandler.END
    return await _ask_move(update, context, event, first, whole=True)


async def _ask_move(
    update: Update,
    context: MaeulContext,
    event: EventSpec,
    occurrence: schedule.Occurrence,
    *,
    whole: bool,
) -> str:
    t = context.t
    context.user_data[KEY] = {  # type: ignore[index]
        "event": event.id,
        "whole": whole,
        "original": occurrence.recurrence_id.isoformat(),
        "from": occurrence.starts_at.isoformat(),
        "from_end": occurrence.ends_at.isoformat(),
    }
    await answer(update)
    now = esc(cards.time_range(occurrence.starts_at, occurrence.ends_at, t))
    lines = [f"<b>{esc(event.title.get(t.lang))}</b>", esc(t._("Now:")) + " " + now]
    if whole and event.rrule is not None:
        lines.append(esc(t._("All dates move: the series starts again from the new date.")))
    lines.append(esc(start_question(context)))
    await show(update, context, "\n".join(lines), InlineKeyboardMarkup([cancel_row(context)]))
    return MOVE_START


@on_draft_event
async def move_start_typed(update: Update, context: MaeulContext, event: EventSpec) -> str | int:
    when = await read_start(update, context)
    if when is None:
        return MOVE_START
    draft = draft_of(context)
    length = datetime.fromisoformat(draft["from_end"]) - datetime.fromisoformat(draft["from"])
    draft["to"] = when.isoformat()
    draft["to_end"] = (when + length).isoformat()
    await _confirm_move(update, context, event)
    return MOVE_OK


@on_draft_event
async def move_end_pressed(update: Update, context: MaeulContext, _event: EventSpec) -> str | int:
    draft_of(context).pop("nonce", None)
    await answer(update)
    await drop_keyboard(update)
    await show(update, context, esc(end_question(context)), None)
    return MOVE_END


@on_draft_event
async def move_end_typed(update: Update, context: MaeulContext, event: EventSpec) -> str | int:
    draft = draft_of(context)
    end = await read_end(update, context, datetime.fromisoformat(draft["to"]))
    if end is None:
        return MOVE_END
    draft["to_end"] = end.isoformat()
    await _confirm_move(update, context, event)
    return MOVE_OK


async def _confirm_move(update: Update, context: MaeulContext, event: EventSpec) -> None:
    t = context.t
    draft = draft_of(context)
    nonce = fresh_nonce(draft)
    original = None if draft["whole"] else datetime.fromisoformat(draft["original"])
    count = await staff_access.active_count(context, event.id, original)
    old = cards.time_range(
        datetime.fromisoformat(draft["from"]), datetime.fromisoformat(draft["from_end"]), t
    )
    new = cards.time_range(
        datetime.fromisoformat(draft["to"]), datetime.fromisoformat(draft["to_end"]), t
    )
    lines = [
        f"<b>{esc(event.title.get(t.lang))}</b>",
        esc(t._("From: {when}", when=old)),
        "<b>" + esc(t._("To: {when}", when=new)) + "</b>",
        esc(staff_access.will_be_told(context, count, event)),
    ]
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t._("✅ Move"), callback_data=f"sev:mok:{nonce}")],
            [InlineKeyboardButton(t._("✏️ End"), callback_data="sev:mend"), *cancel_row(context)],
        ]
    )
    await show(update, context, "\n".join(lines), markup)


@on_confirmed_draft(MOVE_OK_RE, MOVE_OK)
async def move_confirmed(update: Update, context: MaeulContext, event: EventSpec) -> str | int:
    draft = draft_of(context)
    original = None if draft["whole"] else datetime.fromisoformat(draft["original"])
    why = await _attendance_refusal(context, event, original)
    if why is not None:  # someone checked in since the move was begun
        context.user_data.pop(KEY, None)
        await refuse(update, context, why)
        await show(update, context, esc(why), back_markup(context, event))
        return ConversationHandler.END
    t = context.t
    tz = context.runtime.settings.tz
    day = None if draft["whole"] else datetime.fromisoformat(draft["from"]).astimezone(tz).date()
    found = await staff_access.change_event(
        update,
        context,
        R.move_event,
        event.id,
        to=datetime.fromisoformat(draft["to"]),
        ends_at=datetime.fromisoformat(draft["to_end"]),
        day=day,
    )
    if found is None:
        return ConversationHandler.END
    context.user_data.pop(KEY, None)
    await answer(update)
    await drop_keyboard(update)
    new = cards.time_range(
        datetime.fromisoformat(draft["to"]), datetime.fromisoformat(draft["to_end"]), t
    )
    text = staff_access.were_told(context, t._("Moved to {when}.", when=new), found.moved, event)
    await show(update, context, esc(text), back_markup(context, event))
    return ConversationHandler.END


__all__ = [
    "move_all",
    "move_confirmed",
    "move_end_pressed",
    "move_end_typed",
    "move_one",
    "move_start_typed",
]
