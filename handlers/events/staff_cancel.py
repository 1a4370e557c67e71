"""Cancelling one date of an event, or all of it, from Telegram: a confirmation that says
how many registrants will be told, then :func:`bot.events.registrations.cancel_event`
(audited; registrants told by durable notices, their reminders dropped). Both presses
re-check that the presser may manage the event; a second "yes" is refused with the
domain's reason ("cancelled already")."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.core.text import esc
from bot.events import registrations as R
from bot.kb import cards, schedule
from bot.kb.records import EventSpec
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, ask_confirm, show
from handlers.events import staff_access
from handlers.events.occurrence import TOK
from handlers.events.staff_change import back_markup

CANCEL_ONE_RE = re.compile(rf"^sev:c:{TOK}$")
CANCEL_ALL_RE = re.compile(rf"^sev:C:{staff_access.REF}$")
CANCEL_ONE_YES_RE = re.compile(rf"^sev:cy:{TOK}$")
CANCEL_ALL_YES_RE = re.compile(rf"^sev:Cy:{staff_access.REF}$")

# ---------------------------------------------------------------------------------------
# Cancel a date or the whole event
# ---------------------------------------------------------------------------------------


async def _target(
    update: Update, context: MaeulContext, one: re.Pattern[str], whole: re.Pattern[str]
) -> tuple[str, EventSpec, schedule.Occurrence | None] | None:
    """What the press names — one date (data matching ``one``: its token, the event and
    the occurrence) or the whole event (``whole``: its ref, the event and ``None``) — if
    the presser may manage it; ``None`` after a refusal."""
    data = update.callback_query.data or ""
    date = one.match(data)
    if date is not None:
        found = await staff_access.managed_occurrence(update, context, date.group(1))
        return None if found is None else (date.group(1), *found)
    every = whole.match(data)
    assert every is not None
    event = await staff_access.managed_event(update, context, every.group(1))
    return None if event is None else (every.group(1), event, None)


async def ask_cancel(update: Update, context: MaeulContext) -> None:
    t = context.t
    found = await _target(update, context, CANCEL_ONE_RE, CANCEL_ALL_RE)
    if found is None:
        return
    raw, event, occurrence = found
    if occurrence is not None:
        what = cards.time_range(occurrence.starts_at, occurrence.ends_at, t)
        count = await staff_access.active_count(context, event.id, occurrence.recurrence_id)
        yes = f"sev:cy:{raw}"
        question = t._("Cancel “{title}” on {when}?", title=event.title.get(t.lang), when=what)
    else:
        count = await staff_access.active_count(context, event.id)
        yes = f"sev:Cy:{staff_access.ref(event.id)}"
        question = t._("Cancel “{title}”, all its dates?", title=event.title.get(t.lang))
    told = staff_access.will_be_told(context, count, event)
    await ask_confirm(
        update,
        context,
        esc(question + "\n" + told),
        yes=(t._("Yes, cancel it"), yes),
        no=(t._("No, keep it"), f"sev:e:{staff_access.ref(event.id)}"),
        edit=True,
    )


async def do_cancel(update: Update, context: MaeulContext) -> None:
    t = context.t
    tz = context.runtime.settings.tz
    found = await _target(update, context, CANCEL_ONE_YES_RE, CANCEL_ALL_YES_RE)
    if found is None:
        return
    _, event, occurrence = found
    day = occurrence.starts_at.astimezone(tz).date() if occurrence is not None else None
    result = await staff_access.change_event(update, context, R.cancel_event, event.id, day=day)
    if result is None:
        return
    await answer(update)
    text = staff_access.were_told(context, t._("Cancelled."), result.cancelled, event)
    await show(update, context, esc(text), back_markup(context, event), edit=True)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(ask_cancel, pattern=CANCEL_ONE_RE))
    app.add_handler(CallbackQueryHandler(ask_cancel, pattern=CANCEL_ALL_RE))
    app.add_handler(CallbackQueryHandler(do_cancel, pattern=CANCEL_ONE_YES_RE))
    app.add_handler(CallbackQueryHandler(do_cancel, pattern=CANCEL_ALL_YES_RE))


__all__ = ["register"]
