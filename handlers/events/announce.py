"""/announce: staff send a message to the subscribers of a dong or of a kind.

Staff of a dong announce to that dong's subscribers; district admins to any dong or kind.
The text is previewed with the number of chats it will reach; on Send, one row per chat
is queued for the reminder dispatcher (durable, rate-limited, once per chat even if Send
is pressed twice). A persistent conversation: the typed text survives a restart, and a
text that is too long is shown back to shorten, never dropped.

Callback data: ``ann:t:dong:<dong ref>`` / ``ann:t:kind:<kind>``, ``ann:send:<nonce>``,
``ann:cancel``.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.core import audit
from bot.core.i18n import N_
from bot.core.text import esc
from bot.events import subscriptions as S
from bot.kb import cards
from bot.kb.records import KnowledgeBase
from bot.reminders.dispatch import nudge_after_commit
from bot.telegram.context import MaeulContext
from handlers.core import steps
from handlers.core.blocks import confirm_markup, list_keyboard
from handlers.core.browse import edit, knowledge, on_press, refuse, send
from handlers.events.staff_access import staff_knowledge, who
from handlers.events.staff_draft import is_admin_of, staff_dongs

TARGET, TEXT, CONFIRM = "target", "text", "confirm"
KEY = "announce"
LIMIT = 2000
TARGET_RE = re.compile(r"^ann:t:(dong|kind):(~?[a-z0-9_-]{1,24})$")
SEND_RE = re.compile(r"^ann:send:([0-9a-f]{8})$")


def _label(kb: KnowledgeBase, topic: str, value: str) -> dict[str, str] | None:
    """A dong's name, stored with the rows (kinds are translated when sent)."""
    if topic == "dong":
        dong = next((d for d in kb.dongs if d.id == value), None)
        return dong.name.as_dict() if dong is not None else {"ko": value}
    return None


def _label_text(context: MaeulContext, kb: KnowledgeBase, topic: str, value: str) -> str:
    if topic == "kind":
        return context.t._(S.TOPIC_LABELS[value])
    return cards.dong_label(kb, value, context.t)


def _nobody(context: MaeulContext, kb: KnowledgeBase, topic: str, value: str) -> str:
    return context.t._(
        "Nobody has subscribed to {target} yet, so there is no one to send this to. "
        "Residents and group chats subscribe with /subscribe.",
        target=_label_text(context, kb, topic, value),
    )


async def start(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    kb = await staff_knowledge(update, context, t._("Only staff can send announcements."))
    if kb is None:
        return ConversationHandler.END
    dongs = staff_dongs(context, kb)
    buttons = [
        InlineKeyboardButton(
            "🏘 " + cards.dong_label(kb, dong_id, t),
            callback_data=f"ann:t:dong:{cards.ref(dong_id, 24)}",
        )
        for dong_id in dongs
    ]
    if is_admin_of(context):
        buttons += [
            InlineKeyboardButton(t._(S.TOPIC_LABELS[topic]), callback_data=f"ann:t:kind:{topic}")
            for topic in S.KIND_TOPICS
        ]
    cancel = InlineKeyboardButton(t._("Cancel"), callback_data="ann:cancel")
    context.user_data.pop(KEY, None)
    await send(
        update,
        context,
        esc(t._("Who should get the announcement? Its subscribers will receive it.")),
        list_keyboard(buttons, footer=[cancel], width=2),
    )
    return TARGET


@on_press(TARGET_RE, ConversationHandler.END)
async def target(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> str | int:
    query = update.callback_query
    topic, raw = match.groups()
    t = context.t
    if topic == "dong":
        value = cards.resolve(raw, (d.id for d in kb.dongs))
        allowed = value is not None and value in staff_dongs(context, kb)
    else:
        value = raw if raw in S.KIND_TOPICS else None
        allowed = value is not None and is_admin_of(context)
    if value is None or not allowed:
        await refuse(query, context)
        return TARGET
    await query.answer()
    if not await S.subscribers(context.db, topic, value):  # not "sending to 0 chats"
        await edit(query, esc(_nobody(context, kb, topic, value)), None)
        return ConversationHandler.END
    context.user_data[KEY] = {"topic": topic, "value": value}  # type: ignore[index]
    label = _label_text(context, kb, topic, value)
    await edit(
        query,
        esc(
            t._(
                "Announcement to the subscribers of {target}. Please type the message "
                "(up to {limit} characters), or /cancel.",
                target=label,
                limit=t.format_number(LIMIT),
            )
        ),
        None,
    )
    return TEXT


async def typed(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    text = (update.effective_message.text or "").strip()
    draft = context.user_data.get(KEY)
    kb = await knowledge(update, context)
    if kb is None or not isinstance(draft, dict):
        await update.effective_message.reply_text(t._("Please start again with /announce."))
        return ConversationHandler.END
    if await steps.too_long(update, context, text, LIMIT):
        return TEXT
    if not text:
        await update.effective_message.reply_text(t._("Please type the message."))
        return TEXT
    topic, value = draft["topic"], draft["value"]
    count = len(await S.subscribers(context.db, topic, value))
    if not count:  # (unsubscribed while the message was typed)
        context.user_data.pop(KEY, None)
        await update.effective_message.reply_text(_nobody(context, kb, topic, value))
        return ConversationHandler.END
    draft = {**draft, "text": text}
    nonce = steps.fresh_nonce(draft)
    context.user_data[KEY] = draft  # type: ignore[index]
    label = _label_text(context, kb, topic, value)
    heading = t.n_(
        "To {n} chat subscribed to {target}:",
        "To {n} chats subscribed to {target}:",
        count,
        target=label,
    )
    preview = [f"<b>{esc(heading)}</b>", "", esc(text)]
    markup = confirm_markup(
        yes=(t._("📢 Send"), f"ann:send:{nonce}"), no=(t._("Cancel"), "ann:cancel")
    )
    await send(update, context, "\n".join(preview), markup)
    return CONFIRM


async def confirmed(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    t = context.t
    draft = context.user_data.get(KEY)
    kb = await knowledge(update, context)
    if kb is None or not isinstance(draft, dict):
        await refuse(query, context)
        return ConversationHandler.END
    if not await steps.confirms_preview(update, context, SEND_RE, draft):
        return ConversationHandler.END
    topic, value, text = draft["topic"], draft["value"], draft["text"]
    now = context.runtime.clock.now()
    announcement_id = f"{context.user.id}:{draft['nonce']}"
    count = await S.announce(
        context.db,
        topic=topic,
        value=value,
        text=text,
        label=_label(kb, topic, value),
        now=now,
        announcement_id=announcement_id,
    )
    await audit.record(
        context.db,
        at=now,
        **who(context),
        action="announce",
        target_type=topic,
        target_id=value,
        details={"chats": count, "length": len(text), "id": announcement_id},
    )
    nudge_after_commit(context.db, getattr(context.application, "dispatcher", None))
    context.user_data.pop(KEY, None)
    await query.answer()
    await edit(
        query,
        esc(t.n_("Sending to {n} chat.", "Sending to {n} chats.", count)) + "\n\n" + esc(text),
        None,
    )
    return ConversationHandler.END


cancel = steps.declining(KEY, N_("Cancelled. Nothing was sent."))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(
        steps.conversation(
            "announce",
            [CommandHandler("announce", start)],
            {
                TARGET: [CallbackQueryHandler(target, pattern=TARGET_RE)],
                TEXT: [MessageHandler(steps.TYPED, typed)],
                CONFIRM: [
                    CallbackQueryHandler(confirmed, pattern=SEND_RE),
                    MessageHandler(steps.TYPED, steps.press_buttons_then(CONFIRM)),
                ],
            },
            cancel,
            r"^ann:cancel$",
        )
    )


__all__ = ["register"]
