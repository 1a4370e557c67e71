"""Registering for events from their cards; /calendar, /myevents, /checkin; staff attendance.

Callback data (``<tok>`` is an occurrence token, :func:`bot.events.registrations.occ_token`):
``reg:in:<tok>`` register or join the waitlist; ``reg:out:<tok>`` asks to confirm a
cancellation, ``reg:outy:<tok>`` does it, ``reg:keep`` keeps it; ``reg:ics:<tok>`` sends
the occurrence as an ``.ics`` file; staff: ``reg:code:<tok>`` the check-in code,
``reg:att:<tok>:<page>`` the attendance list, ``reg:mark:<registration id>:<page>``
toggles one person. Every part is validated; a forged or stale press gets a localized
alert. Deep link: ``t.me/<bot>?start=checkin_<CODE>``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.i18n import N_
from bot.core.text import esc, shorten
from bot.core.users import is_staff_of
from bot.events import attendance, ics
from bot.events import registrations as R
from bot.kb import cards, schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.reminders.dispatch import nudge_after_commit
from bot.telegram.context import MaeulContext
from handlers.core.browse import edit, knowledge, nav_row, page_of, refuse, send
from models.events import Registration
from models.user import User

TOK = r"(~?[a-z0-9_-]{1,40}\.[0-9a-z]{1,9})"
JOIN_RE = re.compile(rf"^reg:in:{TOK}$")
OUT_RE = re.compile(rf"^reg:out:{TOK}$")
OUT_YES_RE = re.compile(rf"^reg:outy:{TOK}$")
ICS_RE = re.compile(rf"^reg:ics:{TOK}$")
CODE_RE = re.compile(rf"^reg:code:{TOK}$")
ATT_RE = re.compile(rf"^reg:att:{TOK}:(\d{{1,3}})$")
MARK_RE = re.compile(r"^reg:mark:(\d{1,12}):(\d{1,3})$")
ATTENDANCE_PAGE = 8


def _nudge(context: MaeulContext) -> None:
    nudge_after_commit(context.db, getattr(context.application, "dispatcher", None))


def is_event_staff(context: MaeulContext, event: EventSpec) -> bool:
    return is_staff_of(context.user, event.dong, context.runtime.settings.admin_ids)


async def _occurrence(
    update: Update, context: MaeulContext, token: str
) -> tuple[KnowledgeBase, EventSpec, schedule.Occurrence] | None:
    kb = await knowledge(update, context)
    if kb is None:
        return None
    parsed = R.parse_token(kb, token, context.runtime.settings.tz)
    if parsed is None:
        await refuse(
            update.callback_query, context, context.t._("This event is no longer in the schedule.")
        )
        return None
    return kb, *parsed


# ---------------------------------------------------------------------------------------
# The card's registration part (handlers.events shows it)
# ---------------------------------------------------------------------------------------


async def card_view(
    context: MaeulContext, kb: KnowledgeBase, event: EventSpec, occurrence: schedule.Occurrence
) -> tuple[str, InlineKeyboardMarkup]:
    """An occurrence's card with seats left, the reader's status and their buttons."""
    from handlers.events.browse import card_markup

    t = context.t
    now = context.runtime.clock.now()
    seats = await R.seats(context.db, event, occurrence.recurrence_id)
    mine = await R.get_registration(context.db, context.user, event.id, occurrence.recurrence_id)
    status = mine.status if mine is not None else None
    position = (
        await R.waitlist_position(context.db, mine)
        if mine is not None and mine.status == "waitlisted"
        else None
    )
    show_seats = event.registration is not None or seats.taken > 0
    text = cards.event_card(
        event,
        None,
        kb,
        t,
        now,
        seats=(seats.capacity, seats.taken, seats.waitlisted) if show_seats else None,
        mine=status,
        position=position,
        occurrence=occurrence,
    )
    rows = registration_rows(context, event, occurrence, status, seats.full)
    rows += [list(row) for row in card_markup(context, kb, event).inline_keyboard]
    return text, InlineKeyboardMarkup(rows)


def registration_rows(
    context: MaeulContext,
    event: EventSpec,
    occurrence: schedule.Occurrence,
    status: str | None,
    full: bool,
) -> list[list[InlineKeyboardButton]]:
    t = context.t
    now = context.runtime.clock.now()
    token = R.occ_token(event.id, occurrence.recurrence_id)
    rows: list[list[InlineKeyboardButton]] = []
    if not occurrence.cancelled and not occurrence.is_over(now):
        first: list[InlineKeyboardButton] = []
        if status == "registered":
            first.append(
                InlineKeyboardButton(
                    t._("❌ Cancel my registration"), callback_data=f"reg:out:{token}"
                )
            )
        elif status == "waitlisted":
            first.append(
                InlineKeyboardButton(t._("❌ Leave the waitlist"), callback_data=f"reg:out:{token}")
            )
        elif status != "walkin" and R.refusal(event, occurrence, now) is None:
            if R.capacity_of(event) is None and not (
                event.registration and event.registration.required
            ):
                label = t._("🔔 Remind me")
            elif full:
                label = t._("⏳ Join the waitlist")
            else:
                label = t._("✅ Register")
            first.append(InlineKeyboardButton(label, callback_data=f"reg:in:{token}"))
        first.append(
            InlineKeyboardButton(t._("🗓 Add to calendar"), callback_data=f"reg:ics:{token}")
        )
        rows.append(first)
    if is_event_staff(context, event) and not occurrence.cancelled:
        rows.append(
            [
                InlineKeyboardButton(t._("🔑 Check-in code"), callback_data=f"reg:code:{token}"),
                InlineKeyboardButton(t._("👥 Attendance"), callback_data=f"reg:att:{token}:0"),
            ]
        )
    return rows


async def _refresh_card(
    update: Update,
    context: MaeulContext,
    kb: KnowledgeBase,
    event: EventSpec,
    occurrence: schedule.Occurrence,
) -> None:
    """Redraw the card the button was on (or send it, when the press came from elsewhere)."""
    text, markup = await card_view(context, kb, event, occurrence)
    message = update.callback_query.message if update.callback_query else None
    shown = getattr(message, "text", None) or ""
    if message is not None and shown.startswith(event.title.get(context.t.lang)):
        await edit(update.callback_query, text, markup)
    else:
        await send(update, context, text, markup)


# ---------------------------------------------------------------------------------------
# Register / cancel
# ---------------------------------------------------------------------------------------

REFUSALS = {
    "cancelled": N_("This date has been cancelled."),
    "started": N_("This date has already started."),
    "closed": N_("Registration for this date has closed."),
}


async def join(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    match = JOIN_RE.match(query.data or "")
    assert match is not None
    found = await _occurrence(update, context, match.group(1))
    if found is None:
        return
    kb, event, occurrence = found
    t = context.t
    outcome = await R.register(
        context.db,
        context.user,
        event,
        occurrence,
        context.runtime.clock.now(),
        context.runtime.settings.tz,
    )
    if outcome.status in REFUSALS:
        await query.answer(t._(REFUSALS[outcome.status]), show_alert=True)
        return
    if outcome.status == "registered":
        answer = t._("You are registered. I will remind you before it starts.")
    elif outcome.status == "waitlisted":
        answer = t._(
            "It is full: you are number {n} on the waitlist. I will tell you if a seat opens.",
            n=outcome.position or 1,
        )
    elif outcome.status == "already_waitlisted":
        answer = t._("You are already on the waitlist (number {n}).", n=outcome.position or 1)
    else:
        answer = t._("You are already registered.")
    await query.answer(answer, show_alert=outcome.status == "waitlisted")
    if outcome.promoted:
        _nudge(context)
    await _refresh_card(update, context, kb, event, occurrence)


async def _my_registration(
    update: Update, context: MaeulContext, pattern: re.Pattern[str]
) -> tuple[Any, Any, Any] | None:
    """The event, occurrence and the user's active registration a button names, or a refusal."""
    query = update.callback_query
    match = pattern.match(query.data or "")
    assert match is not None
    found = await _occurrence(update, context, match.group(1))
    if found is None:
        return None
    _, event, occurrence = found
    mine = await R.get_registration(context.db, context.user, event.id, occurrence.recurrence_id)
    if mine is None or mine.status not in R.ACTIVE:
        await refuse(query, context, context.t._("You are not registered for this date."))
        return None
    return event, occurrence, mine


async def ask_cancel(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    found = await _my_registration(update, context, OUT_RE)
    if found is None:
        return
    event, occurrence, _mine = found
    t = context.t
    await query.answer()
    token = R.occ_token(event.id, occurrence.recurrence_id)
    text = t._(
        "Cancel your registration for “{title}” on {when}?",
        title=esc(event.title.get(t.lang)),
        when=t.format_datetime(occurrence.starts_at),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t._("Yes, cancel it"), callback_data=f"reg:outy:{token}"),
                InlineKeyboardButton(t._("No, keep it"), callback_data="reg:keep"),
            ]
        ]
    )
    await send(update, context, text, markup)


async def do_cancel(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    found = await _my_registration(update, context, OUT_YES_RE)
    if found is None:
        return
    event, occurrence, mine = found
    t = context.t
    promoted = await R.cancel(context.db, mine, event, occurrence, context.runtime.clock.now())
    if promoted:
        _nudge(context)
    await query.answer()
    await edit(
        query,
        esc(
            t._(
                "Cancelled: “{title}” on {when}. You will get no reminders for it.",
                title=event.title.get(t.lang),
                when=t.format_datetime(occurrence.starts_at),
            )
        ),
        None,
    )


async def keep(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    await query.answer()
    await edit(query, esc(context.t._("Kept. Nothing was changed.")), None)


# ---------------------------------------------------------------------------------------
# Calendar files
# ---------------------------------------------------------------------------------------


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
    match = ICS_RE.match(query.data or "")
    assert match is not None
    found = await _occurrence(update, context, match.group(1))
    if found is None:
        return
    _, event, occurrence = found
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
    tz = context.runtime.settings.tz
    now = context.runtime.clock.now()
    entries = []
    for registration in await R.user_registrations(
        context.db, context.user, since=now - timedelta(days=90)
    ):
        event = schedule.get_event(kb, registration.event_id)
        if event is None:
            continue
        occurrence = schedule.find_original(event, registration.occurrence_start, tz)
        if occurrence is None:
            continue
        entries.append(ics.Entry(event, occurrence, registration.status))
    if not any(e.status in ("registered", "waitlisted", "walkin") for e in entries):
        await update.effective_message.reply_text(
            t._("You have not registered for any upcoming event. Open /events to find one.")
        )
        return
    data = ics.calendar(entries, t.lang, now, t._("Maeul: my events"))
    await _send_ics(
        update,
        context,
        "maeul-my-events.ics",
        data,
        t._(
            "Everything you registered for. Import this file again after changes: "
            "moved and cancelled dates are updated in your calendar."
        ),
    )


async def myevents_command(update: Update, context: MaeulContext) -> None:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    tz = context.runtime.settings.tz
    now = context.runtime.clock.now()
    rows = []
    for registration in await R.user_registrations(context.db, context.user, since=now):
        if registration.status not in ("registered", "waitlisted"):
            continue
        event = schedule.get_event(kb, registration.event_id)
        occurrence = (
            schedule.find_original(event, registration.occurrence_start, tz) if event else None
        )
        if event is None or occurrence is None:
            continue
        mark = "⏳ " if registration.status == "waitlisted" else ""
        rows.append(
            [
                InlineKeyboardButton(
                    mark + cards.occurrence_button(occurrence, t),
                    callback_data=cards.occurrence_data(event.id, occurrence.day),
                )
            ]
        )
    if not rows:
        await update.effective_message.reply_text(
            t._("You have not registered for any upcoming event. Open /events to find one.")
        )
        return
    text = esc(t._("Your upcoming events (⏳: on the waitlist). /calendar sends them as a file."))
    await send(update, context, text, InlineKeyboardMarkup(rows[:30]))


# ---------------------------------------------------------------------------------------
# Check-in
# ---------------------------------------------------------------------------------------


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
    match = CODE_RE.match(query.data or "")
    assert match is not None
    found = await _occurrence(update, context, match.group(1))
    if found is None:
        return
    _, event, occurrence = found
    t = context.t
    if not is_event_staff(context, event):
        await refuse(query, context, t._("Only staff can do this."))
        return
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


# ---------------------------------------------------------------------------------------
# Staff attendance list
# ---------------------------------------------------------------------------------------


def _person(user: User) -> str:
    name = user.first_name or str(user.telegram_id)
    if user.username:
        name += f" @{user.username}"
    return shorten(name, 40)


async def _attendance_view(
    context: MaeulContext, event: EventSpec, occurrence: schedule.Occurrence, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    people = await attendance.attendance_list(context.db, event.id, occurrence.recurrence_id)
    items, page, pages = page_of(people, page, ATTENDANCE_PAGE)
    present = sum(1 for registration, _ in people if registration.attended)
    lines = [
        f"<b>{esc(event.title.get(t.lang))}</b>",
        esc(cards.time_range(occurrence.starts_at, occurrence.ends_at, t)),
        "",
        esc(t._("Present: {present} of {total}", present=present, total=len(people))),
        esc(t._("Press a name to mark them present or absent.")),
    ]
    rows = []
    for registration, user in items:
        mark = "✅" if registration.attended else "⬜"
        waiting = " ⏳" if registration.status == "waitlisted" else ""
        rows.append(
            [
                InlineKeyboardButton(
                    f"{mark} {_person(user)}{waiting}",
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
    match = ATT_RE.match(query.data or "")
    assert match is not None
    found = await _occurrence(update, context, match.group(1))
    if found is None:
        return
    _, event, occurrence = found
    if not is_event_staff(context, event):
        await refuse(query, context, context.t._("Only staff can do this."))
        return
    await query.answer()
    text, markup = await _attendance_view(context, event, occurrence, int(match.group(2)))
    if query.message is not None and "reg:mark:" in str(query.message.reply_markup):
        await edit(query, text, markup)
    else:
        await send(update, context, text, markup)


async def toggle_mark(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    match = MARK_RE.match(query.data or "")
    assert match is not None
    kb = await knowledge(update, context)
    if kb is None:
        return
    registration = await context.db.get(Registration, int(match.group(1)))
    event = schedule.get_event(kb, registration.event_id) if registration is not None else None
    occurrence = (
        schedule.find_original(event, registration.occurrence_start, context.runtime.settings.tz)
        if event is not None and registration is not None
        else None
    )
    if registration is None or event is None or occurrence is None:
        await refuse(query, context)
        return
    if not is_event_staff(context, event):
        await refuse(query, context, context.t._("Only staff can do this."))
        return
    if registration.status == "cancelled":
        await refuse(query, context)
        return
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


def register(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.core.start import DEEP_LINKS

    app.add_handler(CommandHandler("calendar", calendar_command))
    app.add_handler(CommandHandler("myevents", myevents_command))
    app.add_handler(CommandHandler("checkin", checkin_command))
    app.add_handler(CallbackQueryHandler(join, pattern=JOIN_RE))
    app.add_handler(CallbackQueryHandler(ask_cancel, pattern=OUT_RE))
    app.add_handler(CallbackQueryHandler(do_cancel, pattern=OUT_YES_RE))
    app.add_handler(CallbackQueryHandler(keep, pattern=r"^reg:keep$"))
    app.add_handler(CallbackQueryHandler(add_to_calendar, pattern=ICS_RE))
    app.add_handler(CallbackQueryHandler(show_code, pattern=CODE_RE))
    app.add_handler(CallbackQueryHandler(attendance_page, pattern=ATT_RE))
    app.add_handler(CallbackQueryHandler(toggle_mark, pattern=MARK_RE))
    DEEP_LINKS["checkin"] = checkin_deep_link


__all__ = ["card_view", "register", "registration_rows"]
