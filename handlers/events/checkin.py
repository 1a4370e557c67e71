"""/checkin CODE and the checkin_<CODE> deep link; for staff, an occurrence's check-in code
and its attendance list (paged; a press marks a person present or absent). Every staff
press re-checks that the presser is staff of the event's dong."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.text import esc, shorten
from bot.events import attendance
from bot.events import registrations as R
from bot.kb import cards, schedule
from bot.kb.records import EventSpec
from bot.telegram.context import MaeulContext
from handlers.core.browse import edit, knowledge, nav_row, page_of, pressed, send
from handlers.events.occurrence import (
    TOK,
    attendance_heading,
    person,
    staff_occurrence,
    staff_registration,
)

CODE_RE = re.compile(rf"^reg:code:{TOK}$")


ATT_RE = re.compile(rf"^reg:att:{TOK}:(\d{{1,3}})$")


MARK_RE = re.compile(r"^reg:mark:(\d{1,12}):(\d{1,3})$")


ATTENDANCE_PAGE = 8


async def _check_in(update: Update, context: MaeulContext, code: str) -> None:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    result = await attendance.check_in(
        context.db,
        context.user,
        code[:40],
        kb,
        context.runtime.settings.tz,
        context.runtime.clock.now(),
    )
    title = result.event.title.get(t.lang) if result.event else ""
    occurrence = result.occurrence
    if result.status == "ok":
        text = t._("✅ Checked in: “{title}”. Welcome!", title=title)
    elif result.status == "already":
        text = t._("You are already checked in for “{title}”.", title=title)
    elif result.status == "early" and occurrence is not None:
        text = t._(
            "Check-in for “{title}” opens at {when}.",
            title=title,
            when=t.format_datetime(occurrence.starts_at - attendance.CHECKIN_OPENS),
        )
    elif result.status == "late":
        text = t._("Check-in for “{title}” has closed.", title=title)
    elif result.status == "cancelled":
        text = t._("“{title}” was cancelled on this date.", title=title)
    else:
        text = t._(
            "I do not know the code “{code}”. Please check it and send /checkin CODE again.",
            code=shorten(code, 20),
        )
    await update.effective_message.reply_text(text)


async def checkin_command(update: Update, context: MaeulContext) -> None:
    if not context.args:
        await update.effective_message.reply_text(
            context.t._(
                "Send /checkin followed by the code shown at the event, e.g. /checkin K7P2QX."
            )
        )
        return
    await _check_in(update, context, "".join(context.args))


async def checkin_deep_link(update: Update, context: MaeulContext, arg: str) -> None:
    await _check_in(update, context, arg)


async def show_code(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    found = await staff_occurrence(update, context, CODE_RE)
    if found is None:
        return
    *_, event, occurrence = found
    t = context.t
    code = await attendance.checkin_code(
        context.db, event.id, occurrence.recurrence_id, context.runtime.clock.now()
    )
    await query.answer()
    link = f"https://t.me/{context.bot.username}?start=checkin_{code}"
    lines = [
        f"<b>{esc(event.title.get(t.lang))}</b>",
        esc(cards.time_range(occurrence.starts_at, occurrence.ends_at, t)),
        "",
        esc(t._("Check-in code:")) + f" <code>{esc(code)}</code>",
        esc(t._("Attendees send /checkin {code}, or open this link:", code=code)),
        esc(link),
        "",
        esc(
            t._(
                "Check-in is open from 1 hour before the start until 2 hours after the end. "
                "Show the code (or the link as a QR code) at the entrance."
            )
        ),
    ]
    await send(update, context, "\n".join(lines), None)


async def _attendance_view(
    context: MaeulContext, event: EventSpec, occurrence: schedule.Occurrence, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    people, lines = await attendance_heading(context, event, occurrence)
    items, page, pages = page_of(people, page, ATTENDANCE_PAGE)
    lines.append(esc(t._("Press a name to mark them present or absent.")))
    rows = []
    for registration, user in items:
        mark = "✅" if registration.attended else "⬜"
        waiting = " ⏳" if registration.status == "waitlisted" else ""
        rows.append(
            [
                InlineKeyboardButton(
                    f"{mark} {person(user)}{waiting}",
                    callback_data=f"reg:mark:{registration.id}:{page}",
                )
            ]
        )
    token = R.occ_token(event.id, occurrence.recurrence_id)
    nav = nav_row(context, page, pages, f"reg:att:{token}:{{page}}")
    if nav:
        rows.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def attendance_page(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    found = await staff_occurrence(update, context, ATT_RE)
    if found is None:
        return
    match, _, event, occurrence = found
    await query.answer()
    text, markup = await _attendance_view(context, event, occurrence, int(match.group(2)))
    if query.message is not None and "reg:mark:" in str(query.message.reply_markup):
        await edit(query, text, markup)
    else:
        await send(update, context, text, markup)


async def toggle_mark(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    found = await pressed(update, context, MARK_RE)
    if found is None:
        return
    kb, match = found
    marked = await staff_registration(update, context, kb, int(match.group(1)))
    if marked is None:
        return
    registration, event, occurrence = marked
    await attendance.mark(
        context.db,
        registration,
        not registration.attended,
        f"staff:{context.user.telegram_id}",
        context.runtime.clock.now(),
    )
    await query.answer()
    text, markup = await _attendance_view(context, event, occurrence, int(match.group(2)))
    await edit(query, text, markup)
