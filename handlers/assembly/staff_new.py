"""A new assembly, step by step: dong, title, method, voting period (typed the way staff
write dates: "12월 10일 오후 2시 ~ 12월 17일 오후 6시", "다음 주 월요일 9시 …" — the parser
of :func:`bot.kb.edits.parse_when`), quorum, eligible population, then a review screen
(:mod:`staff_new_review`).

The draft lives in ``user_data`` until "Create": nothing is written before, so /cancel
leaves nothing behind. "Create" carries a stamp of the draft shown (a stale review is
refused) and re-checks that the presser is still staff of the draft's dong; the assembly
is made by :func:`bot.assembly.service.create_vote`, the CLI's function, which writes the
audit log entry.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler, MessageHandler

from bot import assembly as A
from bot.assembly.render import method_text, period
from bot.core.dongs import dong_name, get_dong, list_dongs
from bot.core.text import esc
from bot.core.users import is_staff_of
from bot.kb.edits import EditError
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import (
    DRAFT_KEY,
    NEW_CLOSES,
    NEW_METHOD,
    NEW_OPENS,
    NEW_POPULATION,
    NEW_QUORUM,
    NEW_REVIEW,
    NEW_TITLE,
    admins,
    cancel_button,
    forget,
    is_any_staff,
    not_staff_text,
    refused,
    staff_dongs,
    who,
)
from handlers.assembly.staff_new_review import method_of, past_start_text, review, shown
from handlers.assembly.staff_panel import show_panel
from handlers.assembly.staff_typed import EXAMPLE, RANGE_RE, typed_error, typed_number, typed_when
from handlers.core import blocks, steps

STEPS = 6


def _draft(context: MaeulContext) -> dict[str, Any]:
    draft = context.user_data.get(DRAFT_KEY) if context.user_data else None
    return draft if isinstance(draft, dict) else {}


async def _found_draft(update: Update, context: MaeulContext) -> dict[str, Any] | None:
    """The draft, or ``None`` after saying it is lost (:func:`_lost`)."""
    draft = _draft(context)
    if not draft:
        await _lost(update, context)
        return None
    return draft


_drafting = blocks.opened_by(_found_draft, ConversationHandler.END)
"""A step's handler, called with the draft: ``step(update, context, draft)``. Without a
draft (expired, or a stale button) the conversation ends instead."""


async def _ask(
    update: Update,
    context: MaeulContext,
    step: int,
    question: str,
    *extra: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    buttons = markup.inline_keyboard if markup else ()
    rows = [list(r) for r in buttons] + [[cancel_button(context)]]
    await steps.ask_step(
        update,
        context,
        step,
        STEPS,
        question,
        *extra,
        heading=context.t._("New assembly"),
        markup=InlineKeyboardMarkup(rows),
    )


async def start(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    if not is_any_staff(context):
        await blocks.refuse(update, context, not_staff_text(context))
        return ConversationHandler.END
    data = update.callback_query.data or ""
    dong_id = data.split(":")[2] if data.startswith("asm:nd:") else None
    mine = staff_dongs(context)
    if dong_id is None:
        choices = mine if mine is not None else [d.id for d in await list_dongs(context.db)]
        if len(choices) != 1:
            dongs = {d.id: d for d in await list_dongs(context.db)}
            rows = [
                [InlineKeyboardButton(dong_name(dongs[d], t.lang), callback_data=f"asm:nd:{d}")]
                for d in choices
                if d in dongs
            ]
            await blocks.answer(update)
            question = esc(t.p_("assembly", "For which dong?"))
            await blocks.show(update, context, question, InlineKeyboardMarkup(rows), edit=True)
            return ConversationHandler.END
        dong_id = choices[0]
    if (mine is not None and dong_id not in mine) or await get_dong(context.db, dong_id) is None:
        await blocks.refuse(update, context, not_staff_text(context))
        return ConversationHandler.END
    await blocks.answer(update)
    forget(context)
    context.user_data[DRAFT_KEY] = {"dong": dong_id}  # type: ignore[index]
    await _ask(update, context, 1, t._("What is the assembly's title (in Korean)? Or /cancel."))
    return NEW_TITLE


@_drafting
async def typed_title(update: Update, context: MaeulContext, draft: dict[str, Any]) -> str | int:
    t = context.t
    title = (update.effective_message.text or "").strip()
    if not title or len(title) > 120:
        await update.effective_message.reply_text(
            t._("Please type a title of at most 120 characters, or /cancel.")
        )
        return NEW_TITLE
    draft["title"] = title
    rows = [
        [InlineKeyboardButton(t._("Yes / no / abstain on each item"), callback_data="asm:nm:0")],
        [
            InlineKeyboardButton(t._("Choose up to {n}", n=n), callback_data=f"asm:nm:{n}")
            for n in range(1, 6)
        ],
    ]
    await _ask(update, context, 2, t._("How do residents vote?"), markup=InlineKeyboardMarkup(rows))
    return NEW_METHOD


@_drafting
async def picked_method(update: Update, context: MaeulContext, draft: dict[str, Any]) -> str | int:
    t = context.t
    draft["max"] = int((update.callback_query.data or "0").split(":")[2])
    await blocks.answer(update)
    await steps.answered(update, method_text(t, *method_of(draft)))
    await _ask(
        update,
        context,
        3,
        t._("When is voting open? Type when it opens, or the whole period."),
        t._(EXAMPLE),
    )
    return NEW_OPENS


@_drafting
async def typed_opens(update: Update, context: MaeulContext, draft: dict[str, Any]) -> str | int:
    parts = RANGE_RE.split(update.effective_message.text or "", maxsplit=1)
    try:
        opens = typed_when(context, parts[0])
        closes = (
            typed_when(context, parts[1], opens) if len(parts) == 2 and parts[1].strip() else None
        )
    except EditError as error:
        await update.effective_message.reply_text(typed_error(context, error))
        return NEW_OPENS
    if opens <= context.runtime.clock.now():
        await update.effective_message.reply_text(past_start_text(context))
        return NEW_OPENS
    draft["opens"] = opens.isoformat()
    if closes is None:
        await _ask(update, context, 4, context.t._("When does voting close?"), context.t._(EXAMPLE))
        return NEW_CLOSES
    return await _closes(update, context, draft, opens, closes)


@_drafting
async def typed_closes(update: Update, context: MaeulContext, draft: dict[str, Any]) -> str | int:
    if "opens" not in draft:
        return await _lost(update, context)
    opens = datetime.fromisoformat(draft["opens"])
    try:
        closes = typed_when(context, update.effective_message.text or "", opens)
    except EditError as error:
        await update.effective_message.reply_text(typed_error(context, error))
        return NEW_CLOSES
    return await _closes(update, context, draft, opens, closes)


async def _closes(
    update: Update, context: MaeulContext, draft: dict[str, Any], opens: datetime, closes: datetime
) -> str:
    t = context.t
    if closes <= opens:
        await update.effective_message.reply_text(
            t._("The vote must close after it opens.") + "\n" + t._(EXAMPLE)
        )
        return NEW_OPENS
    draft["closes"] = closes.isoformat()
    await update.effective_message.reply_text("✔ " + period(t, opens, closes))
    skip = InlineKeyboardButton(t._("No quorum"), callback_data="asm:nq:skip")
    await _ask(
        update,
        context,
        5,
        t._(
            "What is the quorum, as a percentage of the eligible residents? "
            "Type a number such as 10."
        ),
        markup=InlineKeyboardMarkup([[skip]]),
    )
    return NEW_QUORUM


@_drafting
async def typed_quorum(update: Update, context: MaeulContext, draft: dict[str, Any]) -> str | int:
    quorum = typed_number(update.effective_message.text or "")
    if quorum is None or quorum > 100:
        await update.effective_message.reply_text(
            context.t._("Please type a percentage between 0 and 100, such as 10.")
        )
        return NEW_QUORUM
    draft["quorum"] = quorum
    return await _ask_population(update, context)


async def _skipped(update: Update, draft: dict[str, Any], key: str, label: str) -> None:
    """The skip button of an optional step: the draft's ``key`` stays empty and ``label`` is
    shown as the answer."""
    draft[key] = None
    await blocks.answer(update)
    await steps.answered(update, label)


@_drafting
async def skip_quorum(update: Update, context: MaeulContext, draft: dict[str, Any]) -> str | int:
    await _skipped(update, draft, "quorum", context.t._("No quorum"))
    return await _ask_population(update, context)


async def _ask_population(update: Update, context: MaeulContext) -> str:
    t = context.t
    skip = InlineKeyboardButton(t._("Set it later"), callback_data="asm:np:skip")
    await _ask(
        update,
        context,
        6,
        t._("How many residents are eligible to vote? Type a number, or /cancel."),
        markup=InlineKeyboardMarkup([[skip]]),
    )
    return NEW_POPULATION


@_drafting
async def typed_population(
    update: Update, context: MaeulContext, draft: dict[str, Any]
) -> str | int:
    population = typed_number(update.effective_message.text or "")
    if population is None or population < 1:
        await update.effective_message.reply_text(
            context.t._("Please type a whole number such as 12000, or /cancel.")
            if population is None
            else context.t._("The number of eligible residents must be 1 or more, or /cancel.")
        )
        return NEW_POPULATION
    draft["population"] = population
    return await review(update, context, draft)


@_drafting
async def skip_population(
    update: Update, context: MaeulContext, draft: dict[str, Any]
) -> str | int:
    await _skipped(update, draft, "population", context.t._("Set it later"))
    return await review(update, context, draft)


@_drafting
async def create(update: Update, context: MaeulContext, draft: dict[str, Any]) -> str | int:
    if "closes" not in draft:
        return await _lost(update, context)
    pressed = (update.callback_query.data or "").split(":")[-1]
    if not blocks.stamp_matches(pressed, *shown(draft)):
        await blocks.refuse(update, context)
        return NEW_REVIEW
    if not is_staff_of(context.user, draft["dong"], admins(context)):
        await blocks.refuse(update, context, not_staff_text(context))
        forget(context)
        return ConversationHandler.END
    opens, closes = (datetime.fromisoformat(draft[k]) for k in ("opens", "closes"))
    method, maximum = method_of(draft)
    try:
        vote = await A.create_vote(
            context.db,
            assembly_id=f"{draft['dong']}-{opens.year}-{secrets.token_hex(2)}",
            dong_id=draft["dong"],
            title={"ko": draft["title"]},
            opens_at=opens,
            closes_at=closes,
            method=method,
            max_choices=maximum,
            items=[],
            eligible_population=draft.get("population"),
            quorum_percent=draft.get("quorum"),
            **who(context),
        )
    except A.Refused as refusal:
        if refusal.reason != "empty_open":
            await refused(update, context, refusal)
            return NEW_REVIEW
        await blocks.answer(update)
        await blocks.drop_keyboard(update)
        await _ask(update, context, 3, past_start_text(context), context.t._(EXAMPLE))
        return NEW_OPENS
    forget(context)
    await blocks.answer(update, context.t._("Created."))
    await blocks.drop_keyboard(update)
    await show_panel(update, context, vote, edit=False)
    return ConversationHandler.END


async def _lost(update: Update, context: MaeulContext) -> int:
    """A step's answer without a draft (expired, or a stale button)."""
    await blocks.refuse(update, context, context.t._("Cancelled. Nothing was changed."))
    return ConversationHandler.END


def states() -> dict[object, list[BaseHandler[Update, MaeulContext, object]]]:
    """The steps of a new assembly, as states of the staff conversation
    (:func:`handlers.assembly.staff.register`); its entries are the panel's buttons there."""
    return {
        NEW_TITLE: [MessageHandler(steps.TYPED, typed_title)],
        NEW_METHOD: [
            CallbackQueryHandler(picked_method, pattern=r"^asm:nm:[0-5]$"),
            MessageHandler(steps.TYPED, steps.press_buttons_then(NEW_METHOD)),
        ],
        NEW_OPENS: [MessageHandler(steps.TYPED, typed_opens)],
        NEW_CLOSES: [MessageHandler(steps.TYPED, typed_closes)],
        NEW_QUORUM: [
            MessageHandler(steps.TYPED, typed_quorum),
            CallbackQueryHandler(skip_quorum, pattern=r"^asm:nq:skip$"),
        ],
        NEW_POPULATION: [
            MessageHandler(steps.TYPED, typed_population),
            CallbackQueryHandler(skip_population, pattern=r"^asm:np:skip$"),
        ],
        NEW_REVIEW: [
            CallbackQueryHandler(create, pattern=r"^asm:nok:[0-9a-f]{8}$"),
            MessageHandler(steps.TYPED, steps.press_buttons_then(NEW_REVIEW)),
        ],
    }
