"""/check: the eligibility wizard (age, group size, how long the group has existed, grants
received before, dong) and the grants that fit — and, for the others, why not.

A persistent conversation: its state and the answers so far (``user_data["check"]``) are
stored with the update's transaction, so a restart mid-wizard loses nothing. The
judgement is :func:`bot.kb.eligibility.check`; the words, in handlers.kb.check_render.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.core.dongs import dong_name, list_dongs, match_dong
from bot.core.i18n import Translator
from bot.core.text import esc, shorten
from bot.kb import cards, eligibility
from bot.kb.eligibility import GROUP_AGE_BUCKETS, AnswerError, GroupAge
from bot.kb.records import KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, choices, send_html
from handlers.core.browse import edit_markup, knowledge, on_press, rows_of, send
from handlers.core.steps import TYPED, answered, press_buttons, step_text
from handlers.core.steps import conversation as blocks_conversation
from handlers.kb.check_render import (
    AGE_ERRORS,
    BUCKET_LABELS,
    MEMBER_ERRORS,
    SINCE_ERRORS,
    answers_from,
    prior_names,
    result_view,
)

T = TypeVar("T")
AGE, MEMBERS, SINCE, PRIOR, DONG = "age", "members", "since", "prior", "dong"
KEY = "check"
STEPS = 5


MEMBERS_RE = re.compile(r"^check:members:([1-9])$")
SINCE_RE = re.compile(rf"^check:since:({'|'.join(GROUP_AGE_BUCKETS)})$")
PRIOR_RE = re.compile(r"^check:prior:(~?[a-z0-9_-]{1,40})$")
DONG_RE = re.compile(r"^check:dong:(~?[a-z0-9_-]{1,40})$")


def _data(context: MaeulContext) -> dict[str, Any]:
    assert context.user_data is not None
    data: dict[str, Any] = context.user_data.setdefault(KEY, {})
    return data


def _cancel_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t._("Cancel"), callback_data="check:cancel")


def _step(t: Translator, number: int, question: str) -> str:
    return step_text(t, number, STEPS, question, compact=True)


async def _ask(
    update: Update,
    context: MaeulContext,
    number: int,
    question: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """Step ``number``'s question (plain text), as ``<b>2/5</b> · question``."""
    await send(update, context, _step(context.t, number, question), markup)


# --- steps ---------------------------------------------------------------------------


async def start(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    await answer(update)
    if not kb.grants:
        await send(update, context, esc(t._("There are no grant programmes yet.")), None)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[KEY] = {}
    intro = t._(
        "Let's find the grants that fit your group: five short questions. "
        "Type /cancel to stop at any time."
    )
    question = _step(t, 1, t._("How old are you? Type your age in full years, e.g. 25."))
    # no buttons here: typing a number must not read as pressing one (in the console too)
    await send(update, context, f"{esc(intro)}\n\n{question}", None)
    return AGE


async def _typed(
    update: Update, context: MaeulContext, parse: Callable[[str], T], errors: dict[str, str]
) -> T | None:
    """A typed answer parsed, or ``None`` after saying (in the user's language, with what
    they typed) why it could not be used."""
    text = update.effective_message.text or ""
    try:
        return parse(text[:200])
    except AnswerError as exc:
        message = errors.get(exc.code, errors["not_a_number"])
        await send(update, context, esc(context.t._(message, text=shorten(text, 60))), None)
        return None


async def _keep_typed(
    update: Update,
    context: MaeulContext,
    key: str,
    parse: Callable[[str], int],
    errors: dict[str, str],
    then: Callable[[Update, MaeulContext], Awaitable[str]],
) -> str | None:
    """A typed number kept under ``key`` and the next question asked; ``None`` (the same
    question stays) when it could not be used."""
    value = await _typed(update, context, parse, errors)
    if value is None:
        return None
    _data(context)[key] = value
    return await then(update, context)


async def got_age(update: Update, context: MaeulContext) -> str:
    return (
        await _keep_typed(update, context, "age", eligibility.parse_age, AGE_ERRORS, ask_members)
        or AGE
    )


async def ask_members(update: Update, context: MaeulContext) -> str:
    t = context.t
    buttons = [
        InlineKeyboardButton(str(n), callback_data=f"check:members:{n}") for n in range(1, 7)
    ]
    question = t._("How many people are in your group, you included? Choose or type a number.")
    # 1–6: a typed number means the same in the console (Cancel, below, is its #7)
    await _ask(update, context, 2, question, InlineKeyboardMarkup([buttons, [_cancel_button(t)]]))
    return MEMBERS


async def members_pressed(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = MEMBERS_RE.match(query.data or "")
    assert match is not None
    await query.answer()
    members = int(match.group(1))
    await answered(update, context.t.n_("{n} person", "{n} people", members))
    _data(context)["members"] = members
    return await ask_since(update, context)


async def members_typed(update: Update, context: MaeulContext) -> str:
    parse = eligibility.parse_members
    return await _keep_typed(update, context, "members", parse, MEMBER_ERRORS, ask_since) or MEMBERS


async def ask_since(update: Update, context: MaeulContext) -> str:
    t = context.t
    buttons = [
        InlineKeyboardButton(t._(label), callback_data=f"check:since:{key}")
        for key, label in BUCKET_LABELS.items()
    ]
    question = t._("How long has your group existed? Choose or type, e.g. 8 months or 2 years.")
    await _ask(
        update, context, 3, question, InlineKeyboardMarkup([*rows_of(buttons), [_cancel_button(t)]])
    )
    return SINCE


def _store_since(context: MaeulContext, group_age: GroupAge) -> None:
    _data(context)["since"] = [group_age.min_months, group_age.max_months]


async def since_pressed(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = SINCE_RE.match(query.data or "")
    assert match is not None
    await query.answer()
    await answered(update, context.t._(BUCKET_LABELS[match.group(1)]))
    _store_since(context, GROUP_AGE_BUCKETS[match.group(1)])
    return await ask_prior(update, context)


async def since_typed(update: Update, context: MaeulContext) -> str:
    group_age = await _typed(update, context, eligibility.parse_group_age, SINCE_ERRORS)
    if group_age is None:
        return SINCE
    _store_since(context, group_age)
    return await ask_prior(update, context)


def _prior_markup(t: Translator, kb: KnowledgeBase, chosen: set[str]) -> InlineKeyboardMarkup:
    buttons = choices(
        [(g.id, shorten(g.name.get(t.lang), 30)) for g in kb.grants],
        lambda grant_id: f"check:prior:{cards.ref(grant_id, 40)}",
        marked=lambda grant_id: grant_id in chosen,
    )
    rows = rows_of(buttons)
    rows.append(
        [
            InlineKeyboardButton(
                ("✓ " if not chosen else "") + t._("None"), callback_data="check:none"
            ),
            InlineKeyboardButton(t._("Done ▶"), callback_data="check:done"),
        ]
    )
    rows.append([_cancel_button(t)])
    return InlineKeyboardMarkup(rows)


async def ask_prior(update: Update, context: MaeulContext) -> str:
    t = context.t
    kb = await context.runtime.knowledge.get()
    _data(context).setdefault("prior", [])
    question = t._(
        "Which of these grants has your group received before? Tap all that apply, "
        "then press Done. Choose None if there are none."
    )
    await _ask(update, context, 4, question, _prior_markup(t, kb, set()) if kb else None)
    return PRIOR


@on_press(PRIOR_RE, PRIOR)
async def prior_toggled(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> str:
    query = update.callback_query
    grant_id = cards.resolve(match.group(1), (g.id for g in kb.grants))
    if grant_id is None:
        await query.answer(context.t._("This button is no longer valid."), show_alert=True)
        return PRIOR
    await query.answer()
    chosen = set(_data(context).get("prior", []))
    chosen ^= {grant_id}
    _data(context)["prior"] = sorted(chosen)
    await edit_markup(query, _prior_markup(context.t, kb, chosen))
    return PRIOR


async def prior_done(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    kb = await knowledge(update, context)
    if kb is None:
        return PRIOR
    await query.answer()
    if query.data == "check:none":
        _data(context)["prior"] = []
    chosen = [g for g in _data(context).get("prior", []) if any(x.id == g for x in kb.grants)]
    _data(context)["prior"] = chosen
    await answered(update, prior_names(context.t, kb, chosen))
    return await ask_dong(update, context)


async def ask_dong(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    dongs = await list_dongs(context.db)
    if not dongs:  # nothing to choose from: judge without a dong
        return await finish(update, context, None)
    home = context.user.home_dong_id
    buttons = choices(
        [(d.id, dong_name(d, t.lang)) for d in dongs],
        lambda dong_id: f"check:dong:{cards.ref(dong_id, 40)}",
        marked=lambda dong_id: dong_id == home,
    )
    question = t._("Which dong is your group based in? Choose below or type its name.")
    if home is not None and any(d.id == home for d in dongs):
        question += "\n" + t._("Your home dong is ticked.")
    await _ask(
        update, context, 5, question, InlineKeyboardMarkup([*rows_of(buttons), [_cancel_button(t)]])
    )
    return DONG


async def dong_pressed(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    match = DONG_RE.match(query.data or "")
    assert match is not None
    dongs = await list_dongs(context.db)
    dong_id = cards.resolve(match.group(1), (d.id for d in dongs))
    if dong_id is None:
        await query.answer(context.t._("This button is no longer valid."), show_alert=True)
        return DONG
    await query.answer()
    dong = next(d for d in dongs if d.id == dong_id)
    await answered(update, dong_name(dong, context.t.lang))
    return await finish(update, context, dong_id)


async def dong_typed(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    text = update.effective_message.text or ""
    dong = match_dong(await list_dongs(context.db), text[:100])
    if dong is None:
        await send(
            update,
            context,
            esc(
                t._(
                    "I could not find a dong called “{text}”. Please choose one of the buttons.",
                    text=shorten(text, 40),
                )
            ),
            None,
        )
        return DONG
    return await finish(update, context, dong.id)


# --- the result ------------------------------------------------------------------------


async def finish(update: Update, context: MaeulContext, dong: str | None) -> str | int:
    t = context.t
    kb = await context.runtime.knowledge.get()
    answers = answers_from(_data(context), dong)
    if kb is None or answers is None:  # stored answers from an older version, say
        context.user_data.pop(KEY, None)
        await send(
            update, context, esc(t._("Something was missing. Please type /check again.")), None
        )
        return ConversationHandler.END
    today = context.runtime.clock.today()
    result = eligibility.check(answers, kb, today)
    context.user_data.pop(KEY, None)
    text, markup = result_view(t, kb, answers, result, today)
    await send_html(context, update.effective_chat.id, text, markup)
    return ConversationHandler.END


# --- leaving -------------------------------------------------------------------------


async def cancel(update: Update, context: MaeulContext) -> int:
    context.user_data.pop(KEY, None)
    if update.callback_query is not None:
        await update.callback_query.answer()
        await answered(update, context.t._("Cancel"))
    await context.bot.send_message(
        update.effective_chat.id, context.t._("Stopped. Type /check to start again.")
    )
    return ConversationHandler.END


def register(app: Application) -> None:  # type: ignore[type-arg]
    conversation = blocks_conversation(
        "check",
        entry_points=[
            CommandHandler("check", start),
            CallbackQueryHandler(start, pattern=r"^(menu:check|check:restart)$"),
        ],
        states={
            AGE: [MessageHandler(TYPED, got_age)],
            MEMBERS: [
                CallbackQueryHandler(members_pressed, pattern=MEMBERS_RE),
                MessageHandler(TYPED, members_typed),
            ],
            SINCE: [
                CallbackQueryHandler(since_pressed, pattern=SINCE_RE),
                MessageHandler(TYPED, since_typed),
            ],
            PRIOR: [
                CallbackQueryHandler(prior_toggled, pattern=PRIOR_RE),
                CallbackQueryHandler(prior_done, pattern=r"^check:(none|done)$"),
                MessageHandler(TYPED, press_buttons),
            ],
            DONG: [
                CallbackQueryHandler(dong_pressed, pattern=DONG_RE),
                MessageHandler(TYPED, dong_typed),
            ],
        },
        cancel=cancel,
        cancel_pattern=r"^check:cancel$",
    )
    app.add_handler(conversation)


__all__ = ["register"]
