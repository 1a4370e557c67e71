"""/newevent: staff create an event step by step (kind, dong, title, start, end, place,
seats), see a preview, change any field from it, and publish; subscribers of its kind (and
dong) are told.

Times are typed the way staff say them — "3월 5일 오후 7시", "다음 주 화요일 19:00", "내일
오후 3시", "next Tuesday 7pm", "2027-03-05 19:00" (:func:`bot.kb.edits.parse_when`) — in the
configured zone, relative to the bot's clock; the bot repeats the date it understood, and
asks back when a time is in the past, has no day or time, or could be morning or evening.
Each field has an edit button on the preview; after the new value the preview comes back
(a new start keeps the event's length).

Staff of a dong create events of that dong; district admins also district-wide ones. The
draft lives in ``user_data`` (a persistent conversation: it survives a restart), and
anything typed that cannot be read is explained and asked again, keeping the draft.

Callback data: ``nev:k:<kind>``, ``nev:d:<dong ref>|all``, ``nev:cap:none|off``,
``nev:svy``, ``nev:e:<field>``, ``nev:ok:<nonce>``, ``nev:cancel``. The screens (choices,
preview, publishing) are in :mod:`handlers.events.staff_newevent_view`; reading a typed
time and who may create are shared with the staff's event screens
(:mod:`handlers.events.staff_draft`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.core.i18n import N_
from bot.core.text import esc
from bot.kb import schedule
from bot.kb.edits import EditError, parse_count, parse_text
from bot.kb.records import KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core import steps
from handlers.core.blocks import drop_keyboard
from handlers.core.browse import edit, knowledge, on_press, refuse, send
from handlers.events import staff_newevent_view as V
from handlers.events.staff_access import staff_knowledge
from handlers.events.staff_draft import (
    chosen_dong,
    dong_choices,
    end_question,
    error_text,
    parse_end,
    read_end,
    read_start,
    start_question,
)

KIND, DONG, TITLE, START, END, PLACE, SEATS, CONFIRM = (
    "kind",
    "dong",
    "title",
    "start",
    "end",
    "place",
    "seats",
    "confirm",
)
KEY = "newevent"
KIND_RE = re.compile(rf"^nev:k:({'|'.join(schedule.KINDS)})$")
DONG_RE = re.compile(r"^nev:d:(~?[a-z0-9_-]{1,24}|all)$")
CAP_RE = re.compile(r"^nev:cap:(none|off)$")
OK_RE = re.compile(r"^nev:ok:([0-9a-f]{8})$")
EDIT_RE = re.compile(rf"^nev:e:({'|'.join(V.FIELDS)})$")
EDITING = "editing"
"""Draft key: the field being changed from the preview (back to the preview after it)."""


def _draft(context: MaeulContext) -> dict[str, object]:
    draft = context.user_data.get(KEY)
    if not isinstance(draft, dict):
        draft = {}
        context.user_data[KEY] = draft  # type: ignore[index]
    return draft


async def _read(
    update: Update, context: MaeulContext, name: str, parse: Callable[[str], object]
) -> bool:
    """A typed field read into the draft; False after saying what is wrong with it."""
    try:
        _draft(context)[name] = parse(update.effective_message.text or "")
    except EditError as error:
        await update.effective_message.reply_text(error_text(context, error))
        return False
    return True


async def start(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    if await staff_knowledge(update, context, t._("Only staff can create events.")) is None:
        return ConversationHandler.END
    context.user_data[KEY] = {}  # type: ignore[index]
    await send(
        update, context, esc(t._("New event. What kind of event is it?")), V.kind_markup(context)
    )
    return KIND


async def _then(
    update: Update, context: MaeulContext, ask_next: str, ask: Callable[[], Awaitable[object]]
) -> str:
    """After a field: back to the preview when it was changed from there (the pressed
    choice loses its buttons), else ``ask`` the next question and wait for its answer."""
    if _draft(context).pop(EDITING, None) is not None:
        await drop_keyboard(update)
        await V.show_preview(update, context, _draft(context))
        return CONFIRM
    await ask()
    return ask_next


async def start_pressed(update: Update, context: MaeulContext) -> str | int:
    """ "➕ New event" on the staff's event list (/staffevents)."""
    await update.callback_query.answer()
    return await start(update, context)


@on_press(KIND_RE, ConversationHandler.END)
async def kind(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> str | int:
    query = update.callback_query
    draft = _draft(context)
    draft["kind"] = match.group(1)
    await query.answer()
    choices = dong_choices(context, kb)
    if len(choices) == 1 and EDITING not in draft:  # staff of one dong: nothing to ask
        draft["dong"] = choices[0]
        question = esc(context.t._("What is its title?"))
        return await _then(update, context, TITLE, lambda: edit(query, question, None))
    question = esc(context.t.p_("event", "For which dong?"))
    return await _then(
        update, context, DONG, lambda: edit(query, question, V.dong_markup(context, kb))
    )


@on_press(DONG_RE, ConversationHandler.END)
async def dong(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> str | int:
    query = update.callback_query
    allowed, chosen = chosen_dong(context, kb, match.group(1))
    if not allowed:
        await refuse(query, context)
        return DONG
    _draft(context)["dong"] = chosen
    await query.answer()
    question = esc(context.t._("What is its title?"))
    return await _then(update, context, TITLE, lambda: edit(query, question, None))


async def title(update: Update, context: MaeulContext) -> str:
    if not await _read(update, context, "title", parse_text):
        return TITLE
    ask = start_question(context)
    return await _then(update, context, START, lambda: update.effective_message.reply_text(ask))


async def start_time(update: Update, context: MaeulContext) -> str:
    t = context.t
    when = await read_start(update, context)
    if when is None:
        return START
    draft = _draft(context)
    if draft.get("ends_at") and draft.get("starts_at"):  # a new start keeps the length
        length = datetime.fromisoformat(str(draft["ends_at"])) - datetime.fromisoformat(
            str(draft["starts_at"])
        )
        draft["ends_at"] = (when + length).isoformat()
    draft["starts_at"] = when.isoformat()
    ask = t._("Starts {when}.", when=t.format_datetime(when)) + "\n" + end_question(context)
    return await _then(update, context, END, lambda: update.effective_message.reply_text(ask))


async def end_time(update: Update, context: MaeulContext) -> str:
    t = context.t
    draft = _draft(context)
    start_at = datetime.fromisoformat(str(draft.get("starts_at")))
    end = await read_end(update, context, start_at)
    if end is None:
        return END
    draft["ends_at"] = end.isoformat()
    ask = t._("Where does it take place?")
    return await _then(update, context, PLACE, lambda: update.effective_message.reply_text(ask))


async def place(update: Update, context: MaeulContext) -> str:
    if not await _read(update, context, "place", parse_text):
        return PLACE
    return await _then(update, context, SEATS, lambda: V.ask_seats(update, context))


async def seats_typed(update: Update, context: MaeulContext) -> str:
    if not await _read(update, context, "capacity", parse_count):
        return SEATS
    _draft(context)["registration"] = True
    _draft(context).pop(EDITING, None)
    await V.show_preview(update, context, _draft(context))
    return CONFIRM


async def seats_pressed(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = CAP_RE.match(query.data or "")
    assert match is not None
    draft = _draft(context)
    draft["capacity"] = None
    draft["registration"] = match.group(1) == "none"
    draft.pop(EDITING, None)
    await query.answer()
    await query.edit_message_reply_markup(None)
    await V.show_preview(update, context, _draft(context))
    return CONFIRM


async def edit_field(update: Update, context: MaeulContext) -> str | int:
    """An edit button of the preview: ask for that field again; its answer brings the
    preview back."""
    query = update.callback_query
    match = EDIT_RE.match(query.data or "")
    assert match is not None
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    t = context.t
    name = match.group(1)
    draft = _draft(context)
    draft[EDITING] = name
    draft.pop("nonce", None)  # the old preview can no longer publish
    await query.answer()
    await query.edit_message_reply_markup(None)
    message = update.effective_message
    if name == "kind":
        await send(update, context, esc(t._("What kind of event is it?")), V.kind_markup(context))
        return KIND
    if name == "dong":
        await send(
            update, context, esc(t.p_("event", "For which dong?")), V.dong_markup(context, kb)
        )
        return DONG
    if name == "seats":
        await V.ask_seats(update, context)
        return SEATS
    prompts = {
        "title": (t._("What is its title?"), TITLE),
        "start": (start_question(context), START),
        "end": (end_question(context), END),
        "place": (t._("Where does it take place?"), PLACE),
    }
    prompt, state = prompts[name]
    await message.reply_text(prompt)
    return state


async def toggle_survey(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    draft = _draft(context)
    draft["survey"] = not bool(draft.get("survey"))
    await query.answer()
    await query.edit_message_reply_markup(None)
    await V.show_preview(update, context, _draft(context))
    return CONFIRM


async def publish(update: Update, context: MaeulContext) -> str | int:
    draft = _draft(context)
    if not await steps.confirms_preview(update, context, OK_RE, draft):
        return CONFIRM
    if not await V.publish_draft(update, context, draft):
        return CONFIRM
    context.user_data.pop(KEY, None)
    return ConversationHandler.END


cancel = steps.declining(KEY, N_("Cancelled. Nothing was changed."))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(
        steps.conversation(
            "newevent",
            [
                CommandHandler("newevent", start),
                CallbackQueryHandler(start_pressed, pattern=r"^sev:new$"),
            ],
            {
                # the steps answered with buttons only: typed text asks for the buttons
                # (never falls through to the Q&A while the draft stays open)
                KIND: [
                    CallbackQueryHandler(kind, pattern=KIND_RE),
                    MessageHandler(steps.TYPED, steps.press_buttons_then(KIND)),
                ],
                DONG: [
                    CallbackQueryHandler(dong, pattern=DONG_RE),
                    MessageHandler(steps.TYPED, steps.press_buttons_then(DONG)),
                ],
                TITLE: [MessageHandler(steps.TYPED, title)],
                START: [MessageHandler(steps.TYPED, start_time)],
                END: [MessageHandler(steps.TYPED, end_time)],
                PLACE: [MessageHandler(steps.TYPED, place)],
                SEATS: [
                    MessageHandler(steps.TYPED, seats_typed),
                    CallbackQueryHandler(seats_pressed, pattern=CAP_RE),
                ],
                CONFIRM: [
                    CallbackQueryHandler(publish, pattern=OK_RE),
                    CallbackQueryHandler(edit_field, pattern=EDIT_RE),
                    CallbackQueryHandler(toggle_survey, pattern=r"^nev:svy$"),
                    MessageHandler(steps.TYPED, steps.press_buttons_then(CONFIRM)),
                ],
            },
            cancel,
            r"^nev:cancel$",
        )
    )


__all__ = ["parse_end", "register"]
