"""Registering for events from their cards; /calendar, /myevents, /checkin; staff attendance.

Callback data (``<tok>`` is an occurrence token, :func:`bot.events.registrations.occ_token`):
``reg:in:<tok>`` register or join the waitlist; ``reg:out:<tok>`` asks to confirm a
cancellation, ``reg:outy:<tok>`` does it, ``reg:keep:<tok>`` keeps it (unless it is
cancelled already: a "yes" whose reply was lost; an older question's ``reg:keep`` just
says kept); ``reg:ics:<tok>`` sends
the occurrence as an ``.ics`` file. Staff of the event's dong see its check-in QR and
attendance buttons on the card: the staff's screens (:mod:`handlers.events.staff_attend`,
``sev:q:<tok>``, ``sev:a:<tok>:0``; the older ``reg:code``/``reg:att``/``reg:mark`` data
lands there too). Every part is validated; a forged or stale press gets a localized
alert. Deep link: ``t.me/<bot>?start=checkin_<CODE>``.

/checkin is in handlers.events.checkin, the calendar files, /calendar and /myevents in
handlers.events.calendar; this module registers them.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.i18n import N_
from bot.core.text import esc
from bot.events import registrations as R
from bot.events.reminder_rows import pending_reminders, reminder_times
from bot.kb import cards, schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.reminders.rows import offsets_for
from bot.telegram.context import MaeulContext
from handlers.core.blocks import ask_confirm, declined
from handlers.core.browse import edit, refuse, send
from handlers.events.calendar import ICS_RE, add_to_calendar, calendar_command, myevents_command
from handlers.events.checkin import checkin_conversation, checkin_deep_link
from handlers.events.occurrence import TOK, nudge, pressed_occurrence
from handlers.events.staff_draft import may_manage

JOIN_RE = re.compile(rf"^reg:in:{TOK}$")
OUT_RE = re.compile(rf"^reg:out:{TOK}$")
OUT_YES_RE = re.compile(rf"^reg:outy:{TOK}$")
KEEP_RE = re.compile(rf"^reg:keep:{TOK}$")


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
    # without sign-up, a registration is someone's reminder: neither counted nor called one
    reminder = R.reminder_only(event)
    show_seats = not reminder and (event.registration is not None or seats.taken > 0)
    text = cards.event_card(
        event,
        None,
        kb,
        t,
        now,
        seats=(seats.capacity, seats.taken, seats.waitlisted) if show_seats else None,
        mine=None if reminder else status,
        position=position,
        occurrence=occurrence,
    )
    if reminder and status == "registered" and not occurrence.cancelled:
        text = _with_line(
            text,
            esc(" · ".join(cards.registration_lines(event, occurrence, t, now))),
            esc(t._("🔔 You will get a reminder before it starts.")),
        )
    rows = registration_rows(context, event, occurrence, status, seats.full)
    rows += [list(row) for row in card_markup(context, kb, event).inline_keyboard]
    return text, InlineKeyboardMarkup(rows)


def _with_line(text: str, after: str, line: str) -> str:
    """The card with ``line`` after its line ``after`` (the registration part, where the
    reader's status goes), or at its end after a blank line."""
    lines = text.split("\n")
    if after and after in lines:
        lines.insert(lines.index(after) + 1, line)
    else:
        lines += ["", line]
    return "\n".join(lines)


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
            label = (
                t._("🔕 Stop reminding me")
                if R.reminder_only(event)
                else t._("❌ Cancel my registration")
            )
            first.append(InlineKeyboardButton(label, callback_data=f"reg:out:{token}"))
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
    if may_manage(context, event) and not occurrence.cancelled:  # the staff's screens
        rows.append(
            [
                InlineKeyboardButton(t._("📷 Check-in QR"), callback_data=f"sev:q:{token}"),
                InlineKeyboardButton(t._("👥 Attendance"), callback_data=f"sev:a:{token}:0"),
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
    found = await pressed_occurrence(update, context, JOIN_RE)
    if found is None:
        return
    _, kb, event, occurrence = found
    t = context.t
    now = context.runtime.clock.now()
    if R.reminder_only(event) and R.refusal(event, occurrence, now) is None:
        # "Remind me" with no reminder to come would keep nothing: say so, store nothing
        mine = await R.get_registration(
            context.db, context.user, event.id, occurrence.recurrence_id
        )
        nothing = await _no_reminder(context, event, occurrence)
        if nothing is not None and (mine is None or mine.status not in R.ACTIVE):
            await query.answer(nothing, show_alert=True)
            return
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
    alert = outcome.status == "waitlisted"
    if outcome.status == "registered":
        assert outcome.registration is not None
        answer, alert = await _registered(context, event, outcome.registration)
    elif outcome.status == "waitlisted":
        answer = t._(
            "It is full: you are number {n} on the waitlist. I will tell you if a seat opens.",
            n=outcome.position or 1,
        )
    elif outcome.status == "already_waitlisted":
        answer = t._("You are already on the waitlist (number {n}).", n=outcome.position or 1)
    elif R.reminder_only(event):
        answer = t._("🔔 You already get a reminder for it.")
    else:
        answer = t._("You are already registered.")
    await query.answer(answer, show_alert=alert)
    if outcome.promoted:
        nudge(context)
    await _refresh_card(update, context, kb, event, occurrence)


async def _no_reminder(
    context: MaeulContext, event: EventSpec, occurrence: schedule.Occurrence
) -> str | None:
    """Why no reminder would come for this occurrence (the person's reminders of its kind
    are off, or every reminder time has passed), or None."""
    t = context.t
    offsets = await offsets_for(context.db, context.user.id, event.kind)
    if not offsets:
        return t._(
            "Reminders for {kind} are off: /reminders turns them on.",
            kind=t._(cards.KIND_LABELS[event.kind]),
        )
    now = context.runtime.clock.now()
    if all(due <= now for due, _ in reminder_times(occurrence.starts_at, offsets)):
        return t._("It starts soon: there is no reminder before it.")
    return None


async def _registered(
    context: MaeulContext, event: EventSpec, registration: Any
) -> tuple[str, bool]:
    """What to tell someone just registered, by the reminders actually planned (their
    reminders of this kind may be off, or the last reminder time passed); and whether it
    is an alert (something they did not expect)."""
    t = context.t
    if R.reminder_only(event):  # no sign-up: only a reminder was asked for
        return t._("🔔 I will remind you before it starts."), False
    if await pending_reminders(context.db, registration):
        return t._("You are registered. I will remind you before it starts."), False
    if not await offsets_for(context.db, context.user.id, event.kind):
        kind = t._(cards.KIND_LABELS[event.kind])
        return t._(
            "You are registered. Reminders for {kind} are off, so I will not remind you: "
            "/reminders turns them on.",
            kind=kind,
        ), True
    return t._("You are registered. It starts soon: there is no reminder before it."), False


async def _my_registration(
    update: Update, context: MaeulContext, pattern: re.Pattern[str]
) -> tuple[Any, Any, Any] | None:
    """The event, occurrence and the user's active registration a button names, or a refusal."""
    query = update.callback_query
    found = await pressed_occurrence(update, context, pattern)
    if found is None:
        return None
    *_, event, occurrence = found
    mine = await R.get_registration(context.db, context.user, event.id, occurrence.recurrence_id)
    if mine is None or mine.status not in R.ACTIVE:
        await refuse(query, context, context.t._("You are not registered for this date."))
        return None
    return event, occurrence, mine


async def ask_cancel(update: Update, context: MaeulContext) -> None:
    found = await _my_registration(update, context, OUT_RE)
    if found is None:
        return
    event, occurrence, _mine = found
    t = context.t
    token = R.occ_token(event.id, occurrence.recurrence_id)
    params = {
        "title": esc(event.title.get(t.lang)),
        "when": t.format_datetime(occurrence.starts_at),
    }
    if R.reminder_only(event):
        text = t._("Stop the reminders for “{title}” on {when}?", **params)
        yes = (t._("Yes, stop them"), f"reg:outy:{token}")
    else:
        text = t._("Cancel your registration for “{title}” on {when}?", **params)
        yes = (t._("Yes, cancel it"), f"reg:outy:{token}")
    no = (t._("No, keep it"), f"reg:keep:{token}")
    await ask_confirm(update, context, text, yes=yes, no=no)


async def do_cancel(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    found = await _my_registration(update, context, OUT_YES_RE)
    if found is None:
        return
    event, occurrence, mine = found
    t = context.t
    promoted = await R.cancel(context.db, mine, event, occurrence, context.runtime.clock.now())
    if promoted:
        nudge(context)
    await query.answer()
    params = {"title": event.title.get(t.lang), "when": t.format_datetime(occurrence.starts_at)}
    done = (
        t._("Reminders off: “{title}” on {when}.", **params)
        if R.reminder_only(event)
        else t._("Cancelled: “{title}” on {when}. You will get no reminders for it.", **params)
    )
    await edit(query, esc(done), None)


async def keep(update: Update, context: MaeulContext) -> None:
    data = update.callback_query.data if update.callback_query else None
    if data != "reg:keep" and await _my_registration(update, context, KEEP_RE) is None:
        return  # cancelled already (refused with "You are not registered for this date.")
    await declined(update, context, context.t._("Kept. Nothing was changed."))


def register(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.core.start import DEEP_LINKS

    app.add_handler(CommandHandler("calendar", calendar_command))
    app.add_handler(CommandHandler("myevents", myevents_command))
    app.add_handler(checkin_conversation())
    app.add_handler(CallbackQueryHandler(join, pattern=JOIN_RE))
    app.add_handler(CallbackQueryHandler(ask_cancel, pattern=OUT_RE))
    app.add_handler(CallbackQueryHandler(do_cancel, pattern=OUT_YES_RE))
    app.add_handler(CallbackQueryHandler(keep, pattern=r"^reg:keep(:|$)"))
    app.add_handler(CallbackQueryHandler(add_to_calendar, pattern=ICS_RE))
    DEEP_LINKS["checkin"] = checkin_deep_link


__all__ = ["card_view", "register", "registration_rows"]
