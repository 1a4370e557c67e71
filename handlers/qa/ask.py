"""Free text in a private chat is a question: answer it from the knowledge base.

Registered as the last feature of group 0, so every conversation that expects typed
text takes it first; texts over the fallbacks' limit are left to their refusal. A
confident answer names its record (with a button to its card); an unsure one offers the
top three as buttons; when nothing fits the centre's contact is given and the question
is logged (text, language, the day and, for a follow-up, the record it followed — no user
id) for staff (``maeul kb unanswered``, /unanswered).
"""

from __future__ import annotations

import asyncio
import re
import weakref
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, MessageHandler, filters

from bot.app import MaeulBot
from bot.assembly import service as assembly_service
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.runtime import Runtime
from bot.core.scope import current_scope
from bot.core.text import esc, shorten
from bot.features import vote_state_of
from bot.kb.store import KnowledgeStore
from bot.qa import (
    Answer,
    EngineCache,
    QAEngine,
    count_question,
    kind_of,
    listed,
    log_unanswered,
    names_own_dong,
    offered,
    record_name,
    render,
)
from bot.qa.numbers import number_typed
from bot.qa.text import detect_language
from bot.telegram.context import MaeulContext
from handlers.core import topic
from handlers.core.fallbacks import FREE_TEXT_LIMIT
from handlers.core.language import ask_language
from handlers.core.menu import main_menu
from models import AssemblyVote

# Callback-data prefixes of the cards (implemented by the browsing handlers).
CARD_PREFIX = {"grant": "grants:show:", "faq": "faq:show:", "event": "events:show:"}
MAX_BUTTONS = 5
_LATIN_WORD = re.compile(r"(?<![\w'])[A-Za-z]+(?:'[A-Za-z]+)?(?![\w'])")
"""A Latin word as English sentences have them (no digits in it: "K7P2QX" is no word)."""
_LANGUAGE_ASKED = re.compile(
    r"(?:🌐\s?)?(?:한국어|영어|언어|언어\s?(?:설정|변경|선택|바꾸기|바꿀래요|바꿔\s?주세요)"
    r"|english|korean|language|change\s(?:the\s)?language|set\slanguage"
    r"|中文|汉语|漢語|语言|語言|tiếng việt|ngôn ngữ|日本語|言語)(?:\s?\(language\))?[\s.!?~]*",
    re.IGNORECASE,
)
"""A message that is only a language's name, or "language": the language picker, not a
question (the menu's button reads "🌐 언어 (Language)"; people type what they see)."""


def _number_past(text: str, choices: tuple[str, ...]) -> bool:
    """Does ``text`` point by number at a line past the ``choices`` the chat was shown ("4번"
    after a list of three, "9번" after eight lines and "…and 4 more")? Nothing was on that
    line: the engine would answer the words around the number about some other record."""
    number = number_typed(text) if choices else None
    return number is not None and number > len(choices)


_SHORT_TEXT = filters.Regex(re.compile(rf"\A[\s\S]{{1,{FREE_TEXT_LIMIT}}}\Z"))

# One engine cache per knowledge store (i.e. per running bot), rebuilt per KB version.
_caches: weakref.WeakKeyDictionary[KnowledgeStore, EngineCache] = weakref.WeakKeyDictionary()


def engine_cache(runtime: Runtime) -> EngineCache:
    cache = _caches.get(runtime.knowledge)
    if cache is None:
        settings = runtime.settings
        cache = EngineCache(
            settings.default_language,
            semantic=settings.qa_model != "none",
            cache_dir=settings.qa_cache_dir,
        )
        _caches[runtime.knowledge] = cache
    return cache


def card_button(
    engine: QAEngine, id_: str, lang: str, votes: dict[str, int] | None = None
) -> InlineKeyboardButton | None:
    """A button to the record's card; an assembly's is its vote's card (``votes``: the vote
    number of each assembly offered, from bot/assembly)."""
    kind = kind_of(engine, id_)
    if kind == "assembly" and votes and id_ in votes:
        data = f"vote:o:{votes[id_]}"
    elif (prefix := CARD_PREFIX.get(kind)) is not None:
        data = prefix + id_
    else:
        return None
    if len(data.encode()) > 64:
        return None
    label = shorten(record_name(engine, kind, id_, lang), 40)
    return InlineKeyboardButton(label, callback_data=data)


def keyboard(
    engine: QAEngine, answer: Answer, lang: str, votes: dict[str, int] | None = None
) -> InlineKeyboardMarkup | None:
    if answer.kind == "none":
        return None
    if not answer.confident:
        ids = list(offered(answer)[:MAX_BUTTONS])
    elif answer.is_filter:
        later = answer.event_query.later if answer.event_query is not None else ()
        ids = list(answer.matches[:MAX_BUTTONS]) or [i for i, _ in later]
    else:
        ids = [answer.id] if answer.id else []
    rows = [[b] for i in ids if (b := card_button(engine, i, lang, votes)) is not None]
    return InlineKeyboardMarkup(rows) if rows else None


async def _votes_shown(
    context: MaeulContext, engine: QAEngine, answer: Answer, now: datetime
) -> dict[str, AssemblyVote]:
    """The vote as it stands of each assembly the answer shows: the one answered about, or
    those among the choices offered ("is it one of these?")."""
    shown = ([answer.id] if answer.id else []) if answer.confident else offered(answer)
    votes: dict[str, AssemblyVote] = {}
    for id_ in shown:
        if kind_of(engine, id_) == "assembly":
            vote = await assembly_service.get_vote(context.db, id_, now)
            if vote is not None:
                votes[id_] = vote
    return votes


async def ask(update: Update, context: MaeulContext) -> None:
    message = update.effective_message
    text = (message.text or "").strip()
    t = context.t
    runtime = context.runtime
    if not text:
        return
    if _LANGUAGE_ASKED.fullmatch(text):
        await ask_language(update, context)
        return
    engine = await engine_cache(runtime).get(runtime.knowledge)
    if engine is None:
        await message.reply_text(
            t._("I cannot answer questions yet: the centre has not set up its information."),
            reply_markup=main_menu(t),
        )
        return
    # Korean or English: answered as asked; any other language (or none to tell): in the
    # user's interface language, with a note that the information is in Korean and English.
    # Latin text is English only as a sentence (two words or more): "ok", a code, a lone
    # word or a token with digits is answered in the interface language
    asked = detect_language(text)
    if asked == "en" and len(_LATIN_WORD.findall(text)) < 2:
        asked = None
    lang = asked if asked in SUPPORTED_LANGUAGES else t.lang
    now = runtime.clock.now()
    follow, choices = topic.recent(context)
    # (a one-line list is kept as its record, the topic: "2번" after it is past it too)
    lines = choices or topic.lines_shown(context)
    if _number_past(text, lines):  # the list stays to point at: not forgotten
        said = t._(
            "The list above goes up to {n}: type one of its numbers, or ask again.",
            n=len(lines),
        )
        await message.reply_text(esc(said))
        return
    told = topic.saved(context)
    # the model takes ~20 ms a question: off the event loop
    home_dong = context.user.home_dong_id  # ("우리 동 행사", each dong's vote: the user's own)
    answer = await asyncio.to_thread(
        engine.ask, text, now, lang, follow=follow, choices=choices, home_dong=home_dong
    )
    answer_t = t if lang == t.lang else runtime.translator(lang)
    votes = await _votes_shown(context, engine, answer, now)
    vote = votes.get(answer.id) if answer.confident and answer.id else None
    state = await vote_state_of(context.db, vote, now) if vote is not None else None
    body = render(engine, answer, answer_t, now, state)
    if home_dong is None and names_own_dong(text):  # "우리 동 행사" before /mydong
        body += "\n\n" + answer_t._("Set your dong in /mydong and I will answer for it.")
    if answer.confident and answer.id and answer.kind in ("grant", "event", "assembly"):
        one_line = len(listed(engine, answer)) == 1 and answer.is_filter
        topic.remember(context, answer.kind, answer.id, listed=one_line)
    elif not answer.confident and answer.kind != "none" and answer.alternatives:
        topic.remember_choices(context, offered(answer))
    elif shown := listed(engine, answer):  # a list: its lines, to point at by number
        topic.remember_choices(context, shown)
    elif answer.reason not in ("thanks", "chitchat", "no_list"):  # ("2번" with nothing shown)
        topic.forget(context)
    # counted for /stats in this transaction (a day, the home dong, no text, no user);
    # thanks and small talk are not questions
    dong = context.user.home_dong_id
    if (answer.kind == "none" and answer.reason in ("none", "elsewhere", "service")) or (
        answer.reason == "wide"  # choices found by the KB's words alone: staff should see it
    ):
        # a follow-up keeps the record it was asked after: "언제까지요?" means nothing alone
        await log_unanswered(
            context.db, text, answer.question_lang or lang, now, dong, followed=follow
        )
    elif answer.kind != "none":
        await count_question(context.db, now.date(), dong, answered=True)
    markup = keyboard(engine, answer, lang, {i: v.id for i, v in votes.items()})
    if answer.kind == "none":  # nothing to open: the ways on from here (one language)
        markup = main_menu(answer_t)
    elif vote is not None:  # the vote's own card (/vote's): its ballot, or its results
        button = InlineKeyboardButton(
            answer_t._("🗳 Open the vote"), callback_data=f"vote:o:{vote.id}"
        )
        markup = InlineKeyboardMarkup([[button]])
    await _tell(update, context, told, esc(body), markup)


async def _tell(
    update: Update,
    context: MaeulContext,
    told: object,
    html: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """Send the answer after the commit, as every reply is sent (bot/app.py). When the
    answer changed what the chat talks about (handlers/core/topic.py: what it *was told*),
    it is sent by an after-commit hook instead of the outbox, with the same retries: if it
    never reaches the chat, the context is put back as it was before the question, so a
    follow-up is not answered about an answer nobody saw."""
    scope = current_scope()
    queued = len(scope.outbox) if scope is not None else 0
    await update.effective_message.reply_text(html, parse_mode=ParseMode.HTML, reply_markup=markup)
    untold = topic.saved(context)
    bot = context.bot
    if scope is None or not scope.deferring or untold == told or not isinstance(bot, MaeulBot):
        return
    answer = scope.outbox[queued:]
    del scope.outbox[queued:]
    chat_id = update.effective_chat.id

    async def deliver() -> None:
        if await bot.send_deferred(answer):  # not sent (every attempt failed)
            await topic.put_back(context, chat_id, told, untold)

    scope.after_commit.append(deliver)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & filters.TEXT
            & ~filters.COMMAND
            & _SHORT_TEXT,
            ask,
        )
    )
