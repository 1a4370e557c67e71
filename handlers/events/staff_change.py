"""Staff change an event from Telegram: edit it field by field, move one date or all,
cancel one date or all — the domain functions the CLI uses
(:mod:`bot.events.registrations`: audited, registrants told by durable notices).

Edit: a preview of the editable fields (title, English title, kind, dong, place,
registration required or not, places, survey), each with its ✏️ button or toggle; a typed
or chosen value brings the preview back with the change marked, and Save applies only what
changed through :func:`bot.events.registrations.edit_event` — the same rules and audit as
``maeul events edit`` (a new Korean title drops the English one unless it is typed too; a
new place is told to the registrants). A dong is offered, and checked again on Save, only
among those the presser manages (district-wide: admins).

Move: the new start is typed the way staff say it; the length stays unless the end is
changed too; a confirmation shows old and new time and how many people will be told.
Cancel: a confirmation with that count. Every step re-checks that the presser may manage
the event (the draft keeps only its id), and a Save or Move from an older preview (its
nonce) is refused.

Callback data: entries ``sev:ed:<ref>``, ``sev:m:<tok>`` (one date), ``sev:M:<ref>`` (the
whole event); in the conversation ``sev:f:<field>``, ``sev:kd:<kind>``,
``sev:dg:<dong ref>|all``, ``sev:svy``, ``sev:reg``, ``sev:cap:none``, ``sev:ten:none``,
``sev:save:<nonce>``, ``sev:mend``, ``sev:mok:<nonce>``, ``sev:x``; cancelling
``sev:c:<tok>`` / ``sev:C:<ref>`` then ``sev:cy:<tok>`` / ``sev:Cy:<ref>``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ConversationHandler, MessageHandler

from bot.core.i18n import N_
from bot.core.text import esc
from bot.events import registrations as R
from bot.kb import cards, schedule
from bot.kb.edits import EditError, parse_count, parse_text
from bot.kb.records import EventSpec
from bot.telegram.context import MaeulContext
from handlers.core import blocks
from handlers.core.browse import knowledge
from handlers.core.steps import TYPED, confirms_preview, conversation, forgetting, press_buttons
from handlers.events import staff_access
from handlers.events.staff_draft import (
    chosen_dong,
    dong_choices,
    dong_value,
    error_text,
    is_admin_of,
    staff_dongs,
)
from handlers.events.staff_edit_view import cancel_row, changes, preview, values_of

KEY = "staffevent"
PREVIEW, TEXT, CHOICE = "preview", "text", "choice"
MOVE_START, MOVE_END, MOVE_OK = "mstart", "mend", "mok"
EDIT_RE = re.compile(rf"^sev:ed:{staff_access.REF}$")
FIELD_RE = re.compile(r"^sev:f:(title|title_en|place|seats|kind|dong)$")
KIND_RE = re.compile(rf"^sev:kd:({'|'.join(schedule.KINDS)})$")
DONG_RE = re.compile(r"^sev:dg:(~?[a-z0-9_-]{1,24}|all)$")
SAVE_RE = re.compile(r"^sev:save:([0-9a-f]{8})$")
QUESTIONS = {
    "title": N_("What is its title?"),
    "title_en": N_("What is its title in English? (Residents who use the bot in English see it.)"),
    "place": N_("Where does it take place?"),
    "seats": N_("How many places? Type a number, or choose below."),
    "kind": N_("What kind of event is it?"),
    "dong": N_("Which dong holds it?"),
}


def draft_of(context: MaeulContext) -> dict[str, Any]:
    draft = context.user_data.get(KEY)
    return draft if isinstance(draft, dict) else {}


async def event_of_draft(update: Update, context: MaeulContext) -> EventSpec | None:
    """The draft's event, if this user may still manage it (else a refusal)."""
    event_id = draft_of(context).get("event")
    if not isinstance(event_id, str):
        await blocks.refuse(update, context)
        return None
    return await staff_access.managed_event(update, context, staff_access.ref(event_id))


on_draft_event = blocks.opened_by(event_of_draft, ConversationHandler.END)
"""The opening of a step on the draft's event, as a decorator: ``step(update, context,
event)`` when this user may still manage it; else a refusal, and the conversation ends."""


def on_confirmed_draft(
    pattern: re.Pattern[str], stay: str
) -> Callable[[Callable[[Update, MaeulContext, EventSpec], Awaitable[Any]]], blocks.Opened]:
    """The opening of the "yes" to a preview of the draft (Save, Move), as a decorator:
    ``step(update, context, event)`` when the press confirms the latest preview (data
    parsed by ``pattern``, its nonce group 1) and this user may still manage the draft's
    event. A press on an older preview is refused and the conversation stays at ``stay``;
    an event gone or no longer managed is refused and the conversation ends."""

    def wrap(step: Callable[[Update, MaeulContext, EventSpec], Awaitable[Any]]) -> blocks.Opened:
        on_event = on_draft_event(step)

        @functools.wraps(step)
        async def opened(update: Update, context: MaeulContext) -> Any:
            if not await confirms_preview(update, context, pattern, draft_of(context)):
                return stay
            return await on_event(update, context)

        return opened

    return wrap


# ---------------------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------------------


@staff_access.on_managed_event(EDIT_RE, ConversationHandler.END)
async def edit_start(update: Update, context: MaeulContext, event: EventSpec) -> str | int:
    registration = event.registration is not None and event.registration.required
    context.user_data[KEY] = {  # type: ignore[index]
        "event": event.id,
        "old": {
            "title": event.title.ko,
            "title_en": (event.title.model_extra or {}).get("en"),
            "place": event.place.ko,
            "kind": event.kind,
            "dong": event.dong,
            "registration": registration,
            "capacity": R.capacity_of(event),
            "survey": event.survey,
        },
        "new": {},
    }
    await blocks.answer(update)
    await preview(update, context, event, draft_of(context))
    return PREVIEW


async def ask_field(update: Update, context: MaeulContext) -> str | int:
    match = FIELD_RE.match(update.callback_query.data or "")
    assert match is not None
    if await event_of_draft(update, context) is None:
        return ConversationHandler.END
    t = context.t
    name = match.group(1)
    draft = draft_of(context)
    draft["field"] = name
    draft.pop("nonce", None)  # the old preview can no longer save
    await blocks.answer(update)
    await blocks.drop_keyboard(update)
    markup = None
    state = TEXT
    if name == "seats":
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t._("No limit"), callback_data="sev:cap:none")]]
        )
    elif name == "title_en":
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t._("No English title"), callback_data="sev:ten:none")]]
        )
    elif name == "kind":
        kinds = blocks.choices(
            ((kind, t._(cards.KIND_LABELS[kind])) for kind in schedule.KINDS),
            lambda kind: f"sev:kd:{kind}",
            lambda kind: kind == values_of(draft)["kind"],
        )
        markup = blocks.list_keyboard(kinds, None, cancel_row(context), width=2)
        state = CHOICE
    elif name == "dong":
        kb = await knowledge(update, context)
        if kb is None:
            return ConversationHandler.END
        current = values_of(draft)["dong"]
        dongs = blocks.choices(
            ((dong_value(d), cards.dong_label(kb, d, t)) for d in dong_choices(context, kb)),
            lambda value: f"sev:dg:{value}",
            lambda value: value == dong_value(current),
        )
        markup = blocks.list_keyboard(dongs, None, cancel_row(context), width=2)
        state = CHOICE
    await blocks.show(update, context, esc(t._(QUESTIONS[name])), markup)
    return state


@on_draft_event
async def field_typed(update: Update, context: MaeulContext, event: EventSpec) -> str | int:
    draft = draft_of(context)
    name = draft.get("field")
    text = update.effective_message.text or ""
    try:
        if name == "seats":
            draft["new"]["capacity"] = parse_count(text)
        elif name in ("title", "title_en", "place"):
            draft["new"][name] = parse_text(text)
    except EditError as error:
        await update.effective_message.reply_text(error_text(context, error))
        return TEXT
    await preview(update, context, event, draft_of(context))
    return PREVIEW


async def _set(update: Update, context: MaeulContext, name: str, value: object) -> str | int:
    """A pressed value for ``name`` (or a toggle): back to the preview."""
    event = await event_of_draft(update, context)
    if event is None:
        return ConversationHandler.END
    draft_of(context)["new"][name] = value
    await blocks.answer(update)
    await preview(update, context, event, draft_of(context), edit=True)
    return PREVIEW


async def no_limit(update: Update, context: MaeulContext) -> str | int:
    return await _set(update, context, "capacity", None)


async def no_english(update: Update, context: MaeulContext) -> str | int:
    return await _set(update, context, "title_en", None)


async def toggle_survey(update: Update, context: MaeulContext) -> str | int:
    return await _set(update, context, "survey", not values_of(draft_of(context))["survey"])


async def toggle_registration(update: Update, context: MaeulContext) -> str | int:
    return await _set(
        update, context, "registration", not values_of(draft_of(context))["registration"]
    )


async def kind_chosen(update: Update, context: MaeulContext) -> str | int:
    match = await blocks.matched(update, context, KIND_RE)
    if match is None:
        return CHOICE
    return await _set(update, context, "kind", match.group(1))


async def dong_chosen(update: Update, context: MaeulContext) -> str | int:
    match = await blocks.matched(update, context, DONG_RE)
    if match is None:
        return CHOICE
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    allowed, dong = chosen_dong(context, kb, match.group(1))
    if not allowed:
        await blocks.refuse(update, context, staff_access.only_staff(context))
        return CHOICE
    return await _set(update, context, "dong", dong)


@on_confirmed_draft(SAVE_RE, PREVIEW)
async def save(update: Update, context: MaeulContext, event: EventSpec) -> str | int:
    draft = draft_of(context)
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    t = context.t
    values = changes(draft)
    if "dong" in values and values["dong"] not in dong_choices(context, kb):
        await blocks.refuse(
            update, context, staff_access.only_staff(context)
        )  # the role changed meanwhile
        return PREVIEW
    await blocks.drop_keyboard(update)
    if not values:
        await blocks.answer(update)
        context.user_data.pop(KEY, None)
        await blocks.show(update, context, esc(t._("Nothing was changed.")), None)
        return ConversationHandler.END
    found = await staff_access.change_event(update, context, R.edit_event, event.id, values)
    if found is None:
        return PREVIEW
    context.user_data.pop(KEY, None)
    await blocks.answer(update)
    text = t._("Saved.")
    if found.told:
        text += " " + t.n_(
            "{n} registered person will be told of the new place.",
            "{n} registered people will be told of the new place.",
            found.told,
        )
    if found.promoted:
        text += " " + t.n_(
            "{n} person moved up from the waitlist and will be told.",
            "{n} people moved up from the waitlist and will be told.",
            found.promoted,
        )
    # moved to a dong this user does not manage (an admin's choice): no way back to it
    still = is_admin_of(context) or values.get("dong", event.dong) in staff_dongs(context, kb)
    await blocks.show(update, context, esc(text), back_markup(context, event) if still else None)
    return ConversationHandler.END


def back_markup(context: MaeulContext, event: EventSpec) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t._("◀ Back to the event"),
                    callback_data=f"sev:e:{staff_access.ref(event.id)}",
                )
            ]
        ]
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.events import staff_move as M

    app.add_handler(
        conversation(
            "staffevent",
            [
                CallbackQueryHandler(edit_start, pattern=EDIT_RE),
                CallbackQueryHandler(M.move_one, pattern=M.MOVE_ONE_RE),
                CallbackQueryHandler(M.move_all, pattern=M.MOVE_ALL_RE),
            ],
            {
                PREVIEW: [
                    CallbackQueryHandler(ask_field, pattern=FIELD_RE),
                    CallbackQueryHandler(toggle_survey, pattern=r"^sev:svy$"),
                    CallbackQueryHandler(toggle_registration, pattern=r"^sev:reg$"),
                    CallbackQueryHandler(save, pattern=SAVE_RE),
                    MessageHandler(TYPED, press_buttons),
                ],
                TEXT: [
                    MessageHandler(TYPED, field_typed),
                    CallbackQueryHandler(no_limit, pattern=r"^sev:cap:none$"),
                    CallbackQueryHandler(no_english, pattern=r"^sev:ten:none$"),
                ],
                CHOICE: [
                    CallbackQueryHandler(kind_chosen, pattern=r"^sev:kd:"),
                    CallbackQueryHandler(dong_chosen, pattern=r"^sev:dg:"),
                    MessageHandler(TYPED, press_buttons),
                ],
                MOVE_START: [MessageHandler(TYPED, M.move_start_typed)],
                MOVE_END: [MessageHandler(TYPED, M.move_end_typed)],
                MOVE_OK: [
                    CallbackQueryHandler(M.move_confirmed, pattern=M.MOVE_OK_RE),
                    CallbackQueryHandler(M.move_end_pressed, pattern=r"^sev:mend$"),
                    MessageHandler(TYPED, press_buttons),
                ],
            },
            forgetting(KEY),
            r"^sev:x$",
        )
    )


__all__ = ["register"]
