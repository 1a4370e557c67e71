"""Staff change an event from Telegram: edit it field by field, move one date or all,
cancel one date or all — the domain functions the CLI uses
(:mod:`bot.events.registrations`: audited, registrants told by durable notices).

Edit: a preview of the editable fields (title, place, places, survey), each with its ✏️
button; a typed value brings the preview back with the change marked, and Save applies
only what changed. Move: the new start is typed the way staff say it; the length stays
unless the end is changed too; a confirmation shows old and new time and how many people
will be told. Cancel: a confirmation with that count. Every step re-checks that the
presser may manage the event (the draft keeps only its id), and a Save or Move from an
older preview (its nonce) is refused.

Callback data: entries ``sev:ed:<ref>``, ``sev:m:<tok>`` (one date), ``sev:M:<ref>`` (the
whole event); in the conversation ``sev:f:<field>``, ``sev:svy``, ``sev:cap:none``,
``sev:save:<nonce>``, ``sev:mend``, ``sev:mok:<nonce>``, ``sev:x``; cancelling
``sev:c:<tok>`` / ``sev:C:<ref>`` then ``sev:cy:<tok>`` / ``sev:Cy:<ref>``.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.i18n import N_
from bot.core.text import esc
from bot.events import registrations as R
from bot.kb import cards
from bot.kb.edits import EditError, parse_count, parse_text
from bot.kb.records import EventSpec
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, drop_keyboard, refuse, show
from handlers.events.staff_draft import (
    error_text,
)
from handlers.events.staff_events import (
    REF,
    after_change,
    managed_event,
    ref,
)

KEY = "staffevent"
PREVIEW, TEXT, MOVE_START, MOVE_END, MOVE_OK = "preview", "text", "mstart", "mend", "mok"
EDIT_RE = re.compile(rf"^sev:ed:{REF}$")
FIELD_RE = re.compile(r"^sev:f:(title|place|seats)$")
SAVE_RE = re.compile(r"^sev:save:([0-9a-f]{8})$")
QUESTIONS = {
    "title": N_("What is its title?"),
    "place": N_("Where does it take place?"),
    "seats": N_("How many places? Type a number, or choose below."),
}
REASONS = {
    "already": N_("It is cancelled already."),
    "cancelled": N_("That date is cancelled."),
    "order": N_("The end must be after the start."),
    "moved": N_("That date was moved; please choose it again from the event."),
    "unknown": N_("This event is no longer in the schedule."),
    "no_date": N_("This event is no longer in the schedule."),
    "empty": N_("The Korean text cannot be empty."),
}


def draft_of(context: MaeulContext) -> dict[str, Any]:
    draft = context.user_data.get(KEY)
    return draft if isinstance(draft, dict) else {}


def reason(context: MaeulContext, error: R.EventChangeError) -> str:
    message = REASONS.get(error.code)
    if message is not None:
        return context.t._(message)
    return context.t._("The change could not be made: {reason}", reason=str(error))


def cancel_row(context: MaeulContext) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(context.t._("Cancel"), callback_data="sev:x")]


async def event_of_draft(update: Update, context: MaeulContext) -> EventSpec | None:
    """The draft's event, if this user may still manage it (else a refusal)."""
    event_id = draft_of(context).get("event")
    if not isinstance(event_id, str):
        await refuse(update, context)
        return None
    return await managed_event(update, context, ref(event_id))


# ---------------------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------------------


async def edit_start(update: Update, context: MaeulContext) -> str | int:
    match = EDIT_RE.match(update.callback_query.data or "")
    assert match is not None
    event = await managed_event(update, context, match.group(1))
    if event is None:
        return ConversationHandler.END
    lang = "ko"
    context.user_data[KEY] = {  # type: ignore[index]
        "event": event.id,
        "old": {
            "title": event.title.get(lang),
            "place": event.place.get(lang),
            "capacity": R.capacity_of(event),
            "survey": event.survey,
        },
        "new": {},
    }
    await answer(update)
    await _preview(update, context, event)
    return PREVIEW


async def _preview(update: Update, context: MaeulContext, event: EventSpec) -> None:
    t = context.t
    draft = draft_of(context)
    old, new = draft["old"], draft["new"]
    value = {**old, **new}
    nonce = secrets.token_hex(4)
    draft["nonce"] = nonce

    def line(name: str, label: str, shown: str) -> str:
        changed = " ✏️ " + t._("(changed)") if name in new and new[name] != old[name] else ""
        return f"{esc(label)}: <b>{esc(shown)}</b>{esc(changed)}"

    seats = (
        t._("No limit")
        if value["capacity"] is None
        else t.n_("{n} place", "{n} places", value["capacity"])
    )
    lines = [
        f"<b>{esc(t._('Edit event'))}</b> · "
        + esc(cards.time_range(event.starts_at, event.ends_at, t)),
        "",
        line("title", t._("Title"), value["title"]),
        line("place", t._("Place"), value["place"]),
    ]
    registration = event.registration is not None and event.registration.required
    if registration:
        lines.append(line("capacity", t._("Places"), seats))
    lines.append(
        line(
            "survey",
            t._("Satisfaction survey"),
            t.p_("survey", "yes") if value["survey"] else t.p_("survey", "no"),
        )
    )
    lines += ["", esc(t._("Change a field, then save. Times: use Move."))]
    fields = [
        InlineKeyboardButton(t._("✏️ Title"), callback_data="sev:f:title"),
        InlineKeyboardButton(t._("✏️ Place"), callback_data="sev:f:place"),
    ]
    if registration:
        fields.append(InlineKeyboardButton(t._("✏️ Places"), callback_data="sev:f:seats"))
    markup = InlineKeyboardMarkup(
        [
            fields,
            [InlineKeyboardButton(t._("📝 Survey on/off"), callback_data="sev:svy")],
            [
                InlineKeyboardButton(t._("💾 Save"), callback_data=f"sev:save:{nonce}"),
                *cancel_row(context),
            ],
        ]
    )
    await show(update, context, "\n".join(lines), markup)


async def ask_field(update: Update, context: MaeulContext) -> str | int:
    match = FIELD_RE.match(update.callback_query.data or "")
    assert match is not None
    if await event_of_draft(update, context) is None:
        return ConversationHandler.END
    name = match.group(1)
    draft = draft_of(context)
    draft["field"] = name
    draft.pop("nonce", None)  # the old preview can no longer save
    await answer(update)
    await drop_keyboard(update)
    markup = None
    if name == "seats":
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(context.t._("No limit"), callback_data="sev:cap:none")]]
        )
    await show(update, context, esc(context.t._(QUESTIONS[name])), markup)
    return TEXT


async def field_typed(update: Update, context: MaeulContext) -> str | int:
    event = await event_of_draft(update, context)
    if event is None:
        return ConversationHandler.END
    draft = draft_of(context)
    name = draft.get("field")
    text = update.effective_message.text or ""
    try:
        if name == "seats":
            draft["new"]["capacity"] = parse_count(text)
        elif name in ("title", "place"):
            draft["new"][name] = parse_text(text)
    except EditError as error:
        await update.effective_message.reply_text(error_text(context, error))
        return TEXT
    await _preview(update, context, event)
    return PREVIEW


async def no_limit(update: Update, context: MaeulContext) -> str | int:
    event = await event_of_draft(update, context)
    if event is None:
        return ConversationHandler.END
    draft_of(context)["new"]["capacity"] = None
    await answer(update)
    await drop_keyboard(update)
    await _preview(update, context, event)
    return PREVIEW


async def toggle_survey(update: Update, context: MaeulContext) -> str | int:
    event = await event_of_draft(update, context)
    if event is None:
        return ConversationHandler.END
    draft = draft_of(context)
    draft["new"]["survey"] = not {**draft["old"], **draft["new"]}["survey"]
    await answer(update)
    await drop_keyboard(update)
    await _preview(update, context, event)
    return PREVIEW


async def save(update: Update, context: MaeulContext) -> str | int:
    match = SAVE_RE.match(update.callback_query.data or "")
    assert match is not None
    draft = draft_of(context)
    if draft.get("nonce") != match.group(1):
        await refuse(update, context)
        return PREVIEW
    event = await event_of_draft(update, context)
    if event is None:
        return ConversationHandler.END
    t = context.t
    names = {"title": "title_ko", "place": "place_ko", "capacity": "capacity", "survey": "survey"}
    values = {names[k]: v for k, v in draft["new"].items() if v != draft["old"].get(k)}
    await drop_keyboard(update)
    if not values:
        await answer(update)
        context.user_data.pop(KEY, None)
        await show(update, context, esc(t._("Nothing was changed.")), None)
        return ConversationHandler.END
    try:
        found = await R.edit_event(
            context.db,
            event.id,
            values,
            actor=f"tg:{context.user.telegram_id}",
            actor_telegram_id=context.user.telegram_id,
            now=context.runtime.clock.now(),
            tz=context.runtime.settings.tz,
        )
    except R.EventChangeError as error:
        await refuse(update, context, reason(context, error))
        return PREVIEW
    after_change(context)
    context.user_data.pop(KEY, None)
    await answer(update)
    text = t._("Saved.")
    if found.promoted:
        text += " " + t.n_(
            "{n} person moved up from the waitlist and will be told.",
            "{n} people moved up from the waitlist and will be told.",
            found.promoted,
        )
    await show(update, context, esc(text), back_markup(context, event))
    return ConversationHandler.END


def back_markup(context: MaeulContext, event: EventSpec) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t._("◀ Back to the event"), callback_data=f"sev:e:{ref(event.id)}"
                )
            ]
        ]
    )


async def press_buttons(update: Update, context: MaeulContext) -> str | None:
    await update.effective_message.reply_text(
        context.t._("Please answer with the buttons above, or type /cancel to stop.")
    )
    return None


async def stop(update: Update, context: MaeulContext) -> int:
    context.user_data.pop(KEY, None)
    t = context.t
    await answer(update)
    await drop_keyboard(update)
    await show(update, context, esc(t._("Cancelled. Nothing was changed.")), None)
    return ConversationHandler.END


def register(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.events import staff_move as M

    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            name="staffevent",
            persistent=True,
            entry_points=[
                CallbackQueryHandler(edit_start, pattern=EDIT_RE),
                CallbackQueryHandler(M.move_one, pattern=M.MOVE_ONE_RE),
                CallbackQueryHandler(M.move_all, pattern=M.MOVE_ALL_RE),
            ],
            states={
                PREVIEW: [
                    CallbackQueryHandler(ask_field, pattern=FIELD_RE),
                    CallbackQueryHandler(toggle_survey, pattern=r"^sev:svy$"),
                    CallbackQueryHandler(save, pattern=SAVE_RE),
                    MessageHandler(text, press_buttons),
                ],
                TEXT: [
                    MessageHandler(text, field_typed),
                    CallbackQueryHandler(no_limit, pattern=r"^sev:cap:none$"),
                ],
                MOVE_START: [MessageHandler(text, M.move_start_typed)],
                MOVE_END: [MessageHandler(text, M.move_end_typed)],
                MOVE_OK: [
                    CallbackQueryHandler(M.move_confirmed, pattern=M.MOVE_OK_RE),
                    CallbackQueryHandler(M.move_end_pressed, pattern=r"^sev:mend$"),
                    MessageHandler(text, press_buttons),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", stop),
                CallbackQueryHandler(stop, pattern=r"^sev:x$"),
            ],
            allow_reentry=True,
        )
    )


__all__ = ["register"]
