"""/newevent: staff create an event step by step (kind, dong, title, start, end, place,
seats), see a preview, and publish it; subscribers of its kind (and dong) are told.

Staff of a dong create events of that dong; district admins also district-wide ones. The
draft lives in ``user_data`` (a persistent conversation: it survives a restart), and
anything typed that cannot be read is explained and asked again, keeping the draft.

Callback data: ``nev:k:<kind>``, ``nev:d:<dong ref>|all``, ``nev:cap:none|off``,
``nev:svy``, ``nev:ok:<nonce>``, ``nev:cancel``.
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

from bot import cards, schedule
from bot import registrations as R
from bot import subscriptions as S
from bot.context import MaeulContext
from bot.dispatch import nudge_after_commit
from bot.kb import KnowledgeBase
from bot.kbedit import EditError, parse_count, parse_datetime, parse_text
from bot.text import esc
from bot.users import is_admin, is_staff_of
from handlers.browse import edit, knowledge, refuse, rows_of, send

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
    buttons = [
        InlineKeyboardButton(t._(cards.KIND_LABELS[kind]), callback_data=f"nev:k:{kind}")
        for kind in schedule.KINDS
    ]
    rows = [*rows_of(buttons), _cancel_row(context)]
    await send(
        update,
        context,
        esc(t._("New event. What kind of event is it?")),
        InlineKeyboardMarkup(rows),
    )
    return KIND


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
    buttons = [
        InlineKeyboardButton(
            cards.dong_label(kb, dong_id, t), callback_data=f"nev:d:{cards.ref(dong_id, 24)}"
        )
        for dong_id in _staff_dongs(context, kb)
    ]
    if _admin(context):
        buttons.insert(0, InlineKeyboardButton(t._("District-wide"), callback_data="nev:d:all"))
    await edit(
        query,
        esc(t.p_("event", "For which dong?")),
        InlineKeyboardMarkup([*rows_of(buttons), _cancel_row(context)]),
    )
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
    await edit(query, esc(context.t._("What is its title?")), None)
    return TITLE


async def title(update: Update, context: MaeulContext) -> str:
    text = update.effective_message.text or ""
    try:
        _draft(context)["title"] = parse_text(text)
    except EditError as error:
        await update.effective_message.reply_text(_error(context, error))
        return TITLE
    await update.effective_message.reply_text(
        context.t._("When does it start? For example 2027-03-05 19:00.")
    )
    return START


async def start_time(update: Update, context: MaeulContext) -> str:
    t = context.t
    text = update.effective_message.text or ""
    try:
        when = parse_datetime(text, context.runtime.settings.tz)
    except EditError as error:
        await update.effective_message.reply_text(_error(context, error))
        return START
    if when <= context.runtime.clock.now():
        await update.effective_message.reply_text(
            t._("That time has passed. Please type a time in the future.")
        )
        return START
    _draft(context)["starts_at"] = when.isoformat()
    await update.effective_message.reply_text(
        t._("When does it end? Type the end time (21:00) or how long it lasts (2h, 90m).")
    )
    return END


def parse_end(text: str, start: datetime) -> datetime | None:
    clean = text.strip().lower()
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
        end = parse_datetime(text, start.tzinfo)
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
    await update.effective_message.reply_text(t._("Where does it take place?"))
    return PLACE


async def place(update: Update, context: MaeulContext) -> str:
    t = context.t
    try:
        _draft(context)["place"] = parse_text(update.effective_message.text or "")
    except EditError as error:
        await update.effective_message.reply_text(_error(context, error))
        return PLACE
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
    return SEATS


async def seats_typed(update: Update, context: MaeulContext) -> str:
    try:
        _draft(context)["capacity"] = parse_count(update.effective_message.text or "")
    except EditError as error:
        await update.effective_message.reply_text(_error(context, error))
        return SEATS
    _draft(context)["registration"] = True
    await _preview(update, context)
    return CONFIRM


async def seats_pressed(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = CAP_RE.match(query.data or "")
    assert match is not None
    draft = _draft(context)
    draft["capacity"] = None
    draft["registration"] = match.group(1) == "none"
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
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t._("✅ Publish"), callback_data=f"nev:ok:{nonce}"),
                InlineKeyboardButton(t._("📝 Survey on/off"), callback_data="nev:svy"),
            ],
            _cancel_row(context),
        ]
    )
    await send(update, context, "\n".join(lines), markup)


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
