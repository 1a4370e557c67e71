"""The typed settings of an assembly on its staff panel: the voting period, the number of
eligible residents and the quorum. Each is asked, typed, checked and handed to the service
(:func:`bot.assembly.configure`), whose rules — the whole period before voting opens, only
its close while it is open — are the CLI's too; then the panel is shown again.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import assembly as A
from bot.assembly.render import period
from bot.kb.edits import EditError
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import (
    PERIOD,
    POPULATION,
    QUORUM,
    forget,
    pressed_vote,
    refused,
    remember,
    target,
    who,
)
from handlers.assembly.staff_panel import show_panel
from handlers.assembly.staff_typed import EXAMPLE, RANGE_RE, typed_error, typed_number, typed_when
from handlers.core import blocks
from models.assembly import AssemblyVote


async def ask_typed(update: Update, context: MaeulContext, question: str, state: str) -> str | int:
    vote = await pressed_vote(update, context)
    if vote is None:
        return ConversationHandler.END
    return await _asked(update, context, vote, question, state)


async def _asked(
    update: Update, context: MaeulContext, vote: AssemblyVote, question: str, state: str
) -> str:
    await blocks.answer(update)
    remember(context, vote)
    await context.bot.send_message(update.effective_chat.id, question)
    return state


async def _close_only(context: MaeulContext, vote: AssemblyVote) -> bool:
    """Voting is open: only the close can move (unless it opened with an empty ballot and
    nobody voted — then it takes a new start: :func:`bot.assembly.service.opened_empty`)."""
    now = context.runtime.clock.now()
    return A.status(vote, now) == A.Status.OPEN and not await A.opened_empty(context.db, vote)


async def ask_period(update: Update, context: MaeulContext) -> str | int:
    """ "🕒 Voting period": before it opens, the whole period; while it is open, the close."""
    vote = await pressed_vote(update, context)
    if vote is None:
        return ConversationHandler.END
    t = context.t
    if await _close_only(context, vote):
        question = t._("Voting is open, so only its close can move. When should it close?")
        example = t._("For example: December 17 6pm")
    else:
        question = t._(
            "When is voting open? Type the whole period: when it opens ~ when it closes."
        )
        example = t._(EXAMPLE)
    now = t._("Now: {period}", period=period(t, vote.opens_at, vote.closes_at))
    text = "\n".join([question, now, example, t._("/cancel to keep it as it is.")])
    return await _asked(update, context, vote, text, PERIOD)


async def typed_period(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    vote = await target(update, context)
    if vote is None:
        return ConversationHandler.END
    parts = RANGE_RE.split(update.effective_message.text or "", maxsplit=1)
    changes: dict[str, Any]
    try:
        if await _close_only(context, vote):
            changes = {"closes_at": typed_when(context, parts[-1], context.runtime.clock.now())}
        elif len(parts) == 2 and parts[1].strip():
            opens = typed_when(context, parts[0])
            changes = {"opens_at": opens, "closes_at": typed_when(context, parts[1], opens)}
        else:
            await update.effective_message.reply_text(
                t._("Please type when it opens and when it closes, with ~ between them.")
                + "\n"
                + t._(EXAMPLE)
            )
            return PERIOD
    except EditError as error:
        await update.effective_message.reply_text(typed_error(context, error))
        return PERIOD
    if changes["closes_at"] <= context.runtime.clock.now() and "opens_at" not in changes:
        await update.effective_message.reply_text(
            t._("That is not in the future. To close voting at once, use “Close voting now”.")
        )
        return PERIOD
    if "opens_at" in changes and changes["opens_at"] <= context.runtime.clock.now():
        # a draft with items would open at once, without the review "Open voting now" shows
        await update.effective_message.reply_text(
            t._(
                "That start has passed: type a start in the future. To open voting at once, "
                "use “Open voting now”."
            )
        )
        return PERIOD
    try:
        await A.configure(context.db, vote, **changes, **who(context))
    except A.Refused as refusal:
        await refused(update, context, refusal)
        return PERIOD if refusal.reason in {"window", "empty_open"} else ConversationHandler.END
    forget(context)
    await update.effective_message.reply_text(
        t._("Voting period: {period}", period=period(t, vote.opens_at, vote.closes_at))
    )
    await show_panel(update, context, vote, edit=False)
    return ConversationHandler.END


async def ask_population(update: Update, context: MaeulContext) -> str | int:
    question = context.t._("How many residents are eligible to vote? Type a number, or /cancel.")
    return await ask_typed(update, context, question, POPULATION)


async def ask_quorum(update: Update, context: MaeulContext) -> str | int:
    question = context.t._(
        "What is the quorum, as a percentage of the eligible residents? Type a number "
        "such as 10 (0 for none), or /cancel."
    )
    return await ask_typed(update, context, question, QUORUM)


async def _typed_setting(
    update: Update, context: MaeulContext, name: str, low: int, high: int, retry: str, state: str
) -> str | int:
    text = (update.effective_message.text or "").strip().replace(",", "").removesuffix("%")
    vote = await target(update, context)
    if vote is None:
        return ConversationHandler.END
    if not text.isdigit() or not low <= int(text) <= high:
        await update.effective_message.reply_text(retry)
        return state
    value: int | None = int(text)
    if name == "quorum_percent" and value == 0:
        value = None
    try:
        changes: dict[str, Any] = {name: value}
        await A.configure(context.db, vote, **changes, **who(context))
    except A.Refused as refusal:
        await refused(update, context, refusal)
        return ConversationHandler.END
    forget(context)
    await show_panel(update, context, vote)
    return ConversationHandler.END


async def typed_population(update: Update, context: MaeulContext) -> str | int:
    retry = context.t._("Please type a whole number such as 12000, or /cancel.")
    if typed_number(update.effective_message.text or "") == 0:
        retry = context.t._("The number of eligible residents must be 1 or more, or /cancel.")
    return await _typed_setting(update, context, "eligible_population", 1, 10**9, retry, POPULATION)


async def typed_quorum(update: Update, context: MaeulContext) -> str | int:
    retry = context.t._("Please type a percentage between 0 and 100, such as 10.")
    return await _typed_setting(update, context, "quorum_percent", 0, 100, retry, QUORUM)
