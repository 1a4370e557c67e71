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
``nev:svy``, ``nev:e:<field>``, ``nev:ok:<nonce>``, ``nev:cancel``.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

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
from bot.core.users import is_admin, is_staff_of
from bot.events import registrations as R
from bot.events import subscriptions as S
from bot.kb import cards, schedule
from bot.kb.edits import WHEN_EXAMPLES, EditError, find_time, parse_count, parse_text, parse_when
from bot.kb.records import KnowledgeBase
from bot.reminders.dispatch import nudge_after_commit
from bot.telegram.context import MaeulContext
from handlers.core.browse import edit, knowledge, refuse, rows_of, send

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
FIELDS = ("title", "kind", "dong", "start", "end", "place", "seats")
EDIT_RE = re.compile(rf"^nev:e:({'|'.join(FIELDS)})$")
EDIT_LABELS = {
    "title": N_("✏️ Title"),
    "kind": N_("✏️ Kind"),
    "dong": N_("✏️ Dong"),
    "start": N_("✏️ Start"),
    "end": N_("✏️ End"),
    "place": N_("✏️ Place"),
    "seats": N_("✏️ Places"),
}
EDITING = "editing"
"""Draft key: the field being changed from the preview (back to the preview after it)."""
_DURATION_RE = re.compile(r"^(?:(\d{1,2})\s*(?:h|시간))?\s*(?:(\d{1,3})\s*(?:m|min|분))?$")
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


def _draft(context: MaeulContext) -> dict[str, object]:
    draft = context.user_data.get(KEY)
    if not isinstance(draft, dict):
        draft = {}
        context.user_data[KEY] = draft  # type: ignore[index]
    return draft


def _staff_dongs(context: MaeulContext, kb: KnowledgeBase) -> list[str]:
    admins = context.runtime.settings.admin_ids
    return [d.id for d in kb.dongs if is_staff_of(context.user, d.id, admins)]


def _admin(context: MaeulContext) -> bool:
    return is_admin(context.user, context.runtime.settings.admin_ids)


def _error(context: MaeulContext, error: EditError) -> str:
    t = context.t
    if error.value is None:
        return t._(error.message)
    value = t.format_number(error.value) if isinstance(error.value, int) else error.value
    return t._(error.message, value=value)


def _cancel_row(context: MaeulContext) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(context.t._("Cancel"), callback_data="nev:cancel")]


async def start(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    if not _staff_dongs(context, kb) and not _admin(context):
        await update.effective_message.reply_text(t._("Only staff can create events."))
        return ConversationHandler.END
    context.user_data[KEY] = {}  # type: ignore[index]
    await send(
        update, context, esc(t._("New event. What kind of event is it?")), _kind_markup(context)
    )
    return KIND


def _kind_markup(context: MaeulContext) -> InlineKeyboardMarkup:
    t = context.t
    buttons = [
        InlineKeyboardButton(t._(cards.KIND_LABELS[kind]), callback_data=f"nev:k:{kind}")
        for kind in schedule.KINDS
    ]
    return InlineKeyboardMarkup([*rows_of(buttons), _cancel_row(context)])


def _dong_markup(context: MaeulContext, kb: KnowledgeBase) -> InlineKeyboardMarkup:
    t = context.t
    buttons = [
        InlineKeyboardButton(
            cards.dong_label(kb, dong_id, t), callback_data=f"nev:d:{cards.ref(dong_id, 24)}"
        )
        for dong_id in _staff_dongs(context, kb)
    ]
    if _admin(context):
        buttons.insert(0, InlineKeyboardButton(t._("District-wide"), callback_data="nev:d:all"))
    return InlineKeyboardMarkup([*rows_of(buttons), _cancel_row(context)])


async def _then(update: Update, context: MaeulContext, ask_next: str) -> str:
    """After a field: back to the preview when it was changed from there, else on to the
    next question (its prompt already sent by the caller)."""
    if _draft(context).pop(EDITING, None) is not None:
        await _preview(update, context)
        return CONFIRM
    return ask_next


def _editing(context: MaeulContext) -> bool:
    return _draft(context).get(EDITING) is not None


async def kind(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    match = KIND_RE.match(query.data or "")
    assert match is not None
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    t = context.t
    _draft(context)["kind"] = match.group(1)
    await query.answer()
    if _editing(context):
        await query.edit_message_reply_markup(None)
        return await _then(update, context, DONG)
    await edit(query, esc(t.p_("event", "For which dong?")), _dong_markup(context, kb))
    return DONG


async def dong(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    match = DONG_RE.match(query.data or "")
    assert match is not None
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    raw = match.group(1)
    if raw == "all":
        chosen: str | None = None
        allowed = _admin(context)
    else:
        chosen = cards.resolve(raw, (d.id for d in kb.dongs))
        allowed = chosen is not None and chosen in _staff_dongs(context, kb)
    if not allowed:
        await refuse(query, context)
        return DONG
    _draft(context)["dong"] = chosen
    await query.answer()
    if _editing(context):
        await query.edit_message_reply_markup(None)
        return await _then(update, context, TITLE)
    await edit(query, esc(context.t._("What is its title?")), None)
    return TITLE


async def title(update: Update, context: MaeulContext) -> str:
    text = update.effective_message.text or ""
    try:
        _draft(context)["title"] = parse_text(text)
    except EditError as error:
        await update.effective_message.reply_text(_error(context, error))
        return TITLE
    if _editing(context):
        return await _then(update, context, START)
    await update.effective_message.reply_text(_start_question(context))
    return START


def _start_question(context: MaeulContext) -> str:
    t = context.t
    return t._("When does it start?") + " " + t._(WHEN_EXAMPLES)


def _end_question(context: MaeulContext) -> str:
    return context.t._(
        "When does it end? Type the end time (9pm, 21:00) or how long it lasts (2h, 90m)."
    )


async def start_time(update: Update, context: MaeulContext) -> str:
    t = context.t
    text = update.effective_message.text or ""
    now = context.runtime.clock.now()
    tz = context.runtime.settings.tz
    try:
        when = parse_when(text, now, tz)
    except EditError as error:
        reply = _error(context, error)
        if error.message in (
            N_("I could not read that date."),
            N_("Which day? Please name the day."),
        ):
            reply += "\n" + t._(WHEN_EXAMPLES)
        await update.effective_message.reply_text(reply)
        return START
    if when <= now:
        await update.effective_message.reply_text(
            t._(
                "{when} has passed. Please type a time in the future.",
                when=t.format_datetime(when),
            )
        )
        return START
    draft = _draft(context)
    if draft.get("ends_at") and draft.get("starts_at"):  # a new start keeps the length
        length = datetime.fromisoformat(str(draft["ends_at"])) - datetime.fromisoformat(
            str(draft["starts_at"])
        )
        draft["ends_at"] = (when + length).isoformat()
    draft["starts_at"] = when.isoformat()
    if _editing(context):
        return await _then(update, context, END)
    await update.effective_message.reply_text(
        t._("Starts {when}.", when=t.format_datetime(when)) + "\n" + _end_question(context)
    )
    return END


def parse_end(text: str, start: datetime) -> datetime | None:
    clean = text.strip().lower()
    for unit, short in (("시간", "h"), ("분", "m")):
        clean = re.sub(rf"(\d)\s*{unit}", rf"\1{short}", clean)
    clock = _CLOCK_RE.match(clean)
    if clock is not None:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        if hour > 23 or minute > 59:
            return None
        end = start.replace(hour=hour, minute=minute)
        return end if end > start else None
    duration = _DURATION_RE.match(clean)
    if duration is not None and (duration.group(1) or duration.group(2)):
        delta = timedelta(hours=int(duration.group(1) or 0), minutes=int(duration.group(2) or 0))
        return start + delta if timedelta(0) < delta <= timedelta(hours=24) else None
    assert start.tzinfo is not None
    try:
        typed = find_time(text)
    except EditError:
        return None
    if typed is not None and typed.span == (0, len(text.strip().lower())):
        # a time of day alone ("9pm", "오후 9시", "9시"): the first one after the start
        hours = [typed.hour, typed.hour + 12] if typed.ambiguous else [typed.hour]
        for hour in hours:
            end = start.replace(hour=hour, minute=typed.minute)
            if end > start:
                return end
        return None
    try:
        end = parse_when(text, start, start.tzinfo)
    except EditError:
        return None
    return end if end > start else None


async def end_time(update: Update, context: MaeulContext) -> str:
    t = context.t
    draft = _draft(context)
    start_at = datetime.fromisoformat(str(draft.get("starts_at")))
    end = parse_end(update.effective_message.text or "", start_at)
    if end is None:
        await update.effective_message.reply_text(
            t._("I could not read that. Type an end time after the start (21:00) or a length (2h).")
        )
        return END
    draft["ends_at"] = end.isoformat()
    if _editing(context):
        return await _then(update, context, PLACE)
    await update.effective_message.reply_text(t._("Where does it take place?"))
    return PLACE


async def place(update: Update, context: MaeulContext) -> str:
    try:
        _draft(context)["place"] = parse_text(update.effective_message.text or "")
    except EditError as error:
        await update.effective_message.reply_text(_error(context, error))
        return PLACE
    if _editing(context):
        return await _then(update, context, SEATS)
    await _ask_seats(update, context)
    return SEATS


async def _ask_seats(update: Update, context: MaeulContext) -> None:
    t = context.t
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t._("No limit"), callback_data="nev:cap:none"),
                InlineKeyboardButton(t._("No registration"), callback_data="nev:cap:off"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        t._("How many places? Type a number, or choose below."), reply_markup=markup
    )


async def seats_typed(update: Update, context: MaeulContext) -> str:
    try:
        _draft(context)["capacity"] = parse_count(update.effective_message.text or "")
    except EditError as error:
        await update.effective_message.reply_text(_error(context, error))
        return SEATS
    _draft(context)["registration"] = True
    _draft(context).pop(EDITING, None)
    await _preview(update, context)
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
    await _preview(update, context)
    return CONFIRM


def _new_event(draft: dict[str, object]) -> R.NewEvent:
    title_text = str(draft["title"])
    place_text = str(draft["place"])
    capacity = draft.get("capacity")
    return R.NewEvent(
        kind=str(draft["kind"]),
        title={"ko": title_text},
        starts_at=datetime.fromisoformat(str(draft["starts_at"])),
        ends_at=datetime.fromisoformat(str(draft["ends_at"])),
        place={"ko": place_text},
        dong=str(draft["dong"]) if draft.get("dong") else None,
        capacity=int(capacity) if isinstance(capacity, int) else None,
        registration_required=bool(draft.get("registration", True)),
        survey=bool(draft.get("survey", False)),
    )


async def _preview(update: Update, context: MaeulContext) -> None:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    draft = _draft(context)
    draft.setdefault("survey", draft.get("kind") == "training")
    nonce = secrets.token_hex(4)
    draft["nonce"] = nonce
    spec = _new_event(draft)
    lines = [
        f"<b>{esc(t._('Preview'))}</b>",
        "",
        f"<b>{esc(spec.title['ko'])}</b>",
        esc(f"{t._(cards.KIND_LABELS[spec.kind])} · {cards.dong_label(kb, spec.dong, t)}"),
        "🕒 " + esc(cards.time_range(spec.starts_at, spec.ends_at, t)),
        "📍 " + esc(spec.place["ko"]),
    ]
    if not spec.registration_required:
        lines.append(esc(t._("No registration needed")))
    elif spec.capacity is None:
        lines.append(esc(t._("Registration required")) + " · " + esc(t._("No limit")))
    else:
        lines.append(
            esc(t._("Registration required"))
            + " · "
            + esc(t.n_("{n} place", "{n} places", spec.capacity))
        )
    lines.append(
        esc(
            t._(
                "Satisfaction survey the next day: {answer}",
                answer=t.p_("survey", "yes") if spec.survey else t.p_("survey", "no"),
            )
        )
    )
    edits = [
        InlineKeyboardButton(t._(EDIT_LABELS[name]), callback_data=f"nev:e:{name}")
        for name in FIELDS
        if name != "dong" or len(_staff_dongs(context, kb)) + _admin(context) > 1
    ]
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t._("✅ Publish"), callback_data=f"nev:ok:{nonce}")],
            *rows_of(edits, 3),
            [InlineKeyboardButton(t._("📝 Survey on/off"), callback_data="nev:svy")],
            _cancel_row(context),
        ]
    )
    await send(update, context, "\n".join(lines), markup)


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
        await send(update, context, esc(t._("What kind of event is it?")), _kind_markup(context))
        return KIND
    if name == "dong":
        await send(
            update, context, esc(t.p_("event", "For which dong?")), _dong_markup(context, kb)
        )
        return DONG
    if name == "seats":
        await _ask_seats(update, context)
        return SEATS
    prompts = {
        "title": (t._("What is its title?"), TITLE),
        "start": (_start_question(context), START),
        "end": (_end_question(context), END),
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
    await _preview(update, context)
    return CONFIRM


async def publish(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    match = OK_RE.match(query.data or "")
    assert match is not None
    t = context.t
    draft = _draft(context)
    if draft.get("nonce") != match.group(1):
        await refuse(query, context)
        return CONFIRM
    now = context.runtime.clock.now()
    tz = context.runtime.settings.tz
    try:
        spec = await R.create_event(
            context.db,
            _new_event(draft),
            actor=f"tg:{context.user.telegram_id}",
            actor_telegram_id=context.user.telegram_id,
            now=now,
            tz=tz,
        )
    except R.EventChangeError as error:
        await query.answer(
            t._("The event could not be created: {reason}", reason=str(error)), show_alert=True
        )
        return CONFIRM
    told = await S.notify_new_event(context.db, spec, now)
    context.runtime.knowledge.invalidate()
    store = context.runtime.knowledge

    from sqlalchemy import event as sa_event

    sa_event.listen(
        context.db.sync_session, "after_commit", lambda _: store.invalidate(), once=True
    )
    nudge_after_commit(context.db, getattr(context.application, "dispatcher", None))
    context.user_data.pop(KEY, None)
    await query.answer()
    await query.edit_message_reply_markup(None)
    await send(
        update,
        context,
        esc(
            t._("Published.")
            + " "
            + t.n_("{n} subscribed chat will be told.", "{n} subscribed chats will be told.", told)
        ),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t._("📅 Event card"),
                        callback_data=cards.occurrence_data(
                            spec.id, spec.starts_at.astimezone(tz).date()
                        ),
                    )
                ]
            ]
        ),
    )
    return ConversationHandler.END


async def press_buttons(update: Update, context: MaeulContext) -> str:
    await update.effective_message.reply_text(
        context.t._("Please answer with the buttons above, or type /cancel to stop.")
    )
    return CONFIRM


async def cancel(update: Update, context: MaeulContext) -> int:
    context.user_data.pop(KEY, None)
    t = context.t
    if update.callback_query is not None:
        await update.callback_query.answer()
        await edit(update.callback_query, esc(t._("Cancelled. Nothing was changed.")), None)
    else:
        await update.effective_message.reply_text(t._("Cancelled. Nothing was changed."))
    return ConversationHandler.END


def register(app: Application) -> None:  # type: ignore[type-arg]
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            name="newevent",
            persistent=True,
            entry_points=[CommandHandler("newevent", start)],
            states={
                KIND: [CallbackQueryHandler(kind, pattern=KIND_RE)],
                DONG: [CallbackQueryHandler(dong, pattern=DONG_RE)],
                TITLE: [MessageHandler(text, title)],
                START: [MessageHandler(text, start_time)],
                END: [MessageHandler(text, end_time)],
                PLACE: [MessageHandler(text, place)],
                SEATS: [
                    MessageHandler(text, seats_typed),
                    CallbackQueryHandler(seats_pressed, pattern=CAP_RE),
                ],
                CONFIRM: [
                    CallbackQueryHandler(publish, pattern=OK_RE),
                    CallbackQueryHandler(edit_field, pattern=EDIT_RE),
                    CallbackQueryHandler(toggle_survey, pattern=r"^nev:svy$"),
                    MessageHandler(text, press_buttons),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=r"^nev:cancel$"),
            ],
            allow_reentry=True,
        )
    )


__all__ = ["parse_end", "register"]
