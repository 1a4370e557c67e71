"""/subscribe: news of kinds and dongs, for a private chat or a group; /reminders: times.

A group is subscribed with ``/subscribe@<bot>`` by one of its administrators: the command
and every press are checked with getChatMember (creator or administrator), because the
buttons are visible to the whole group.

Callback data: ``subs:k:<topic>:<0|1>`` (a kind: trainings, meetings, assemblies, grants),
``subs:d:<dong ref>:<0|1>`` — 1 turns it on, 0 off, as the button said when it was shown,
so a press of a screen that was never updated (its reply lost) does what its label says;
without the digit (older screens) a press toggles; ``subs:done``; ``rset:home``,
``rset:t:<topic>`` (choose a time for a kind of event or ``grant``),
``rset:p:<topic>:<preset>``, ``rset:done``. Everything is validated.

/reminders is a conversation (:func:`handlers.core.steps.conversation`) while its screen
waits for a press: text typed meanwhile ("25:00", "30분 전") is asked to use the buttons
instead of being answered as a question. Done or /cancel (or another command) leaves it.
An older screen's buttons still work, outside the conversation.
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.i18n import resolve_language
from bot.core.text import esc
from bot.events import subscriptions as S
from bot.events.reminder_rows import replan_user
from bot.kb import cards
from bot.kb.records import KnowledgeBase
from bot.reminders import rows as R
from bot.telegram.context import MaeulContext
from handlers.core.browse import edit, knowledge, refuse, rows_of, send
from handlers.core.steps import TYPED, conversation, press_buttons

log = logging.getLogger(__name__)

KIND_RE = re.compile(r"^subs:k:(trainings|meetings|assemblies|grants)(?::([01]))?$")
DONG_RE = re.compile(r"^subs:d:(~?[a-z0-9_-]{1,24})(?::([01]))?$")
TOPIC = "|".join(R.TOPICS)
RSET_TOPIC_RE = re.compile(rf"^rset:t:({TOPIC})$")
PRESET = "|".join(sorted({*R.PRESETS, *R.GRANT_PRESETS}))
RSET_PICK_RE = re.compile(rf"^rset:p:({TOPIC}):({PRESET})$")
SCREEN = "screen"
"""The /reminders conversation's one state: its screen waits for a press."""
ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


def _private(update: Update) -> bool:
    return update.effective_chat.type == ChatType.PRIVATE


async def _is_group_admin(context: MaeulContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        log.warning("getChatMember failed for chat %s", chat_id, exc_info=True)
        return False
    return member.status in ADMIN_STATUSES


async def _may_change(update: Update, context: MaeulContext) -> bool:
    """Whether the presser may change this chat's subscriptions (their own private chat, or
    an administrator of the group); else an alert."""
    query = update.callback_query
    chat = update.effective_chat
    if _private(update) or await _is_group_admin(context, chat.id, query.from_user.id):
        return True
    await refuse(query, context, context.t._("Only administrators of this group can change this."))
    return False


async def _view(
    context: MaeulContext, kb: KnowledgeBase, chat_id: int, private: bool
) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    mine = await S.of_chat(context.db, chat_id)
    kinds = [
        InlineKeyboardButton(
            ("✓ " if ("kind", topic) in mine else "") + t._(S.TOPIC_LABELS[topic]),
            callback_data=f"subs:k:{topic}:{int(('kind', topic) not in mine)}",
        )
        for topic in S.KIND_TOPICS
    ]
    dongs = [
        InlineKeyboardButton(
            ("✓ " if ("dong", d.id) in mine else "") + d.name.get(t.lang),
            callback_data=f"subs:d:{cards.ref(d.id, 24)}:{int(('dong', d.id) not in mine)}",
        )
        for d in kb.dongs
    ]
    rows = rows_of(kinds) + rows_of(dongs, 3)
    last = [InlineKeyboardButton(t._("Done"), callback_data="subs:done")]
    if private:
        last.insert(0, InlineKeyboardButton(t._("⏰ Reminder times"), callback_data="rset:home"))
    rows.append(last)
    who = t._("you") if private else t._("this group")
    lines = [
        f"<b>{esc(t._('Subscriptions'))}</b>",
        esc(t._("What should I tell {who} about? Press to turn on or off (✓ = on).", who=who)),
        esc(
            t._(
                "Kinds: new events of that kind and staff announcements. Dongs: new events "
                "and announcements of the dong; with dongs chosen, events of other dongs are "
                "left out (district-wide ones always come)."
            )
        ),
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def subscribe_command(update: Update, context: MaeulContext) -> None:
    kb = await knowledge(update, context)
    if kb is None:
        return
    chat = update.effective_chat
    if not _private(update):
        sender = update.effective_user
        if sender is None or not await _is_group_admin(context, chat.id, sender.id):
            await update.effective_message.reply_text(
                context.t._("Only administrators of this group can change its subscriptions.")
            )
            return
    text, markup = await _view(context, kb, chat.id, _private(update))
    await send(update, context, text, markup)


async def menu_button(update: Update, context: MaeulContext) -> None:
    await update.callback_query.answer()
    await subscribe_command(update, context)


async def toggle(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    data = query.data or ""
    kb = await knowledge(update, context)
    if kb is None:
        return
    if not await _may_change(update, context):
        return
    chat = update.effective_chat
    private = _private(update)
    kind = KIND_RE.match(data)
    if kind is not None:
        topic, value, wanted = "kind", kind.group(1), kind.group(2)
    else:
        dong = DONG_RE.match(data)
        found = cards.resolve(dong.group(1), (d.id for d in kb.dongs)) if dong else None
        if dong is None or found is None:
            await refuse(query, context)
            return
        topic, value, wanted = "dong", found, dong.group(2)
    language = None
    if not private:
        tg_language = query.from_user.language_code if query.from_user else None
        language = resolve_language(None, tg_language, context.runtime.settings.default_language)
    on = await S.toggle(
        context.db,
        chat_id=chat.id,
        chat_type=chat.type,
        topic=topic,
        value=value,
        now=context.runtime.clock.utcnow(),
        user=context.user if private else None,
        language=language,
        by=query.from_user.id if query.from_user else None,
        want=None if wanted is None else wanted == "1",
    )
    await query.answer(context.t._("Subscribed.") if on else context.t._("Unsubscribed."))
    text, markup = await _view(context, kb, chat.id, private)
    await edit(query, text, markup)


async def done(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if not await _may_change(update, context):
        return
    await query.answer()
    count = len(await S.of_chat(context.db, chat.id))
    t = context.t
    text = (
        t.n_("Saved: {n} subscription.", "Saved: {n} subscriptions.", count)
        if count
        else t._("Saved: no subscriptions.")
    )
    await edit(query, esc(text), None)


# ---------------------------------------------------------------------------------------
# Reminder times
# ---------------------------------------------------------------------------------------


async def _settings(context: MaeulContext) -> list[str]:
    """Each topic and its times, as the screen's buttons name them."""
    t = context.t
    offsets = await R.all_offsets(context.db, context.user.id)
    return [
        f"{R.topic_label(topic, t)}: {R.offsets_label(topic, offsets[topic], t)}"
        for topic in R.TOPICS
    ]


async def _settings_view(context: MaeulContext) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    lines = [
        f"<b>{esc(t._('Reminder times'))}</b>",
        esc(t._("For events you registered for, and grants you follow. Press one to change it.")),
    ]
    labels = await _settings(context)
    rows = [
        [InlineKeyboardButton(label, callback_data=f"rset:t:{topic}")]
        for topic, label in zip(R.TOPICS, labels, strict=True)
    ]
    rows.append([InlineKeyboardButton(t._("Done"), callback_data="rset:done")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def reminders_command(update: Update, context: MaeulContext) -> str:
    text, markup = await _settings_view(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
        await edit(update.callback_query, text, markup)
    else:
        await send(update, context, text, markup)
    return SCREEN


async def reminders_done(update: Update, context: MaeulContext) -> int:
    """Done: the screen becomes the times as they are now, without buttons."""
    query = update.callback_query
    await query.answer()
    lines = [f"<b>{esc(context.t._('Reminder times'))}</b>"]
    lines += [esc(line) for line in await _settings(context)]
    await edit(query, "\n".join(lines), None)
    return ConversationHandler.END


async def reminders_cancel(update: Update, context: MaeulContext) -> int:
    """/cancel: each press was saved when it was made, so nothing is undone — say so."""
    await update.effective_message.reply_text(
        context.t._("Closed. Reminder times are saved as soon as you press them.")
    )
    return ConversationHandler.END


async def choose_time(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = RSET_TOPIC_RE.match(query.data or "")
    assert match is not None
    topic = match.group(1)
    t = context.t
    current = await R.offsets_for(context.db, context.user.id, topic)
    chosen = R.preset_of(topic, current)
    presets = R.GRANT_PRESETS if topic == R.GRANT_TOPIC else R.PRESETS
    labels = R.GRANT_PRESET_LABELS if topic == R.GRANT_TOPIC else R.PRESET_LABELS
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if name == chosen else "") + t._(labels[name]),
                callback_data=f"rset:p:{topic}:{name}",
            )
        ]
        for name in presets
    ]
    rows.append([InlineKeyboardButton(t._("◀ Back"), callback_data="rset:home")])
    await query.answer()
    text = esc(t._("When should I remind you of {what}?", what=R.topic_label(topic, t)))
    await edit(query, text, InlineKeyboardMarkup(rows))
    return SCREEN


async def pick_time(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = RSET_PICK_RE.match(query.data or "")
    assert match is not None
    topic, name = match.groups()
    presets = R.GRANT_PRESETS if topic == R.GRANT_TOPIC else R.PRESETS
    if name not in presets:
        await refuse(query, context)
        return SCREEN
    now = context.runtime.clock.now()
    await R.set_offsets(context.db, context.user, topic, presets[name], now)
    kb = await context.runtime.knowledge.get()
    if kb is not None:
        await replan_user(context.db, context.user, kb, context.runtime.settings.tz, now, topic)
    await query.answer(context.t._("Saved."))
    text, markup = await _settings_view(context)
    await edit(query, text, markup)
    return SCREEN


def register(app: Application) -> None:  # type: ignore[type-arg]
    presses: list[CallbackQueryHandler[MaeulContext, object]] = [
        CallbackQueryHandler(choose_time, pattern=RSET_TOPIC_RE),
        CallbackQueryHandler(pick_time, pattern=RSET_PICK_RE),
        CallbackQueryHandler(reminders_done, pattern=r"^rset:done$"),
    ]
    app.add_handler(
        conversation(
            "reminder_times",
            entry_points=[
                CommandHandler("reminders", reminders_command),
                CallbackQueryHandler(reminders_command, pattern=r"^rset:home$"),
            ],
            states={
                SCREEN: [
                    *presses,
                    MessageHandler(TYPED & filters.ChatType.PRIVATE, press_buttons),
                ]
            },
            cancel=reminders_cancel,
        )
    )
    # an older screen's buttons, outside the conversation: they work, and (not being a
    # conversation's entry) they do not end another conversation the user is in
    for press in presses:
        app.add_handler(press)
    app.add_handler(CommandHandler("subscribe", subscribe_command))
    app.add_handler(CallbackQueryHandler(menu_button, pattern=r"^menu:subscribe$"))
    app.add_handler(CallbackQueryHandler(toggle, pattern=r"^subs:(k|d):"))
    app.add_handler(CallbackQueryHandler(done, pattern=r"^subs:done$"))


__all__ = ["register"]
