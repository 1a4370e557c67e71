"""/faq: frequently asked questions by topic → the questions of a topic → the answer card.

Callback data: ``faq:topics`` (back to the topics, editing the message), ``faq:home`` (a new
topics message), ``faq:topic:<key>``, ``faq:show:<faq_id>`` (the card, from any message).
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.text import esc, shorten
from bot.kb import cards
from bot.kb import faq as faqtopics
from bot.kb.records import FaqSpec, KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer
from handlers.core.browse import edit, knowledge, on_press, pressed_record, refuse, rows_of, send

TOPIC_RE = re.compile(r"^faq:topic:([a-z]{1,20})$")
SHOW_RE = re.compile(r"^faq:show:(~?[a-z0-9_-]{1,64})$")


def topics_view(context: MaeulContext, kb: KnowledgeBase) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    found = faqtopics.topics(kb)
    buttons = [
        InlineKeyboardButton(
            f"{t._(topic.label)} ({len(topic.entries)})", callback_data=f"faq:topic:{topic.key}"
        )
        for topic in found
    ]
    text = f"<b>{esc(t._('Frequently asked questions'))}</b>\n" + esc(t._("Choose a topic."))
    if not found:
        text += "\n\n" + esc(t._("There are no questions yet."))
    return text, InlineKeyboardMarkup(rows_of(buttons, 1))


def topic_view(context: MaeulContext, topic: faqtopics.Topic) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    rows = [
        [
            InlineKeyboardButton(
                shorten(faq.question.get(t.lang), 60),
                callback_data=cards.show_data("faq", faq.id),
            )
        ]
        for faq in topic.entries
    ]
    rows.append([InlineKeyboardButton(t._("◀ Topics"), callback_data="faq:topics")])
    text = f"<b>{esc(t._(topic.label))}</b>\n" + esc(t._("Choose a question."))
    return text, InlineKeyboardMarkup(rows)


async def faq_command(update: Update, context: MaeulContext) -> None:
    kb = await knowledge(update, context)
    if kb is None:
        return
    await answer(update)
    text, markup = topics_view(context, kb)
    await send(update, context, text, markup)


async def back_to_topics(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    kb = await knowledge(update, context)
    if kb is None:
        return
    await query.answer()
    text, markup = topics_view(context, kb)
    await edit(query, text, markup)


@on_press(TOPIC_RE)
async def open_topic(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> None:
    query = update.callback_query
    topic = faqtopics.get_topic(kb, match.group(1))
    if topic is None:
        await refuse(query, context)
        return
    await query.answer()
    text, markup = topic_view(context, topic)
    await edit(query, text, markup)


def _faq(kb: KnowledgeBase, value: str) -> FaqSpec | None:
    faq_id = cards.resolve(value, (f.id for f in kb.faq))
    return faqtopics.get_faq(kb, faq_id) if faq_id is not None else None


async def show(update: Update, context: MaeulContext) -> None:
    t = context.t
    gone = t._("This question is no longer in the FAQ.")
    found = await pressed_record(update, context, SHOW_RE, _faq, gone)
    if found is None:
        return
    kb, _, faq = found
    await update.callback_query.answer()
    rows = [
        [
            InlineKeyboardButton(
                ("📋 " if kind == "grants" else "📅 ") + cards.record_title(spec, t.lang),
                callback_data=cards.show_data(kind, spec.id),
            )
        ]
        for kind, spec in cards.related_records(faq, kb)
    ]
    rows.append([InlineKeyboardButton(t._("💬 More questions"), callback_data="faq:home")])
    await send(update, context, cards.faq_card(faq, kb, t), InlineKeyboardMarkup(rows))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("faq", faq_command))
    app.add_handler(CallbackQueryHandler(faq_command, pattern=r"^(menu:faq|faq:home)$"))
    app.add_handler(CallbackQueryHandler(back_to_topics, pattern=r"^faq:topics$"))
    app.add_handler(CallbackQueryHandler(open_topic, pattern=TOPIC_RE))
    app.add_handler(CallbackQueryHandler(show, pattern=SHOW_RE))


__all__ = ["register", "topic_view", "topics_view"]
