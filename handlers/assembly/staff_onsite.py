"""The assembly day at the dong office: mark on-site voters' codes and enter the paper totals.

Marking: staff type a voter's code (several, one a line) or send a photo of the card's QR
code (decoded by :mod:`bot.assembly.qr`); each code gets an instant answer — marked, or
refused: "its holder has already voted online" (no paper ballot for them), not a code of
this assembly, already marked. The screen stays open for the next voter until Done. The
rules are :func:`bot.assembly.service.mark_onsite`'s (the CLI's ``onsite --mark``).

Paper totals: asked item by item (yes/no/abstain, or votes), then shown all together for
confirmation; "Save" carries a stamp of the totals shown and re-checks staff, then
:func:`bot.assembly.service.record_onsite_totals` checks them against the number of
on-site voters and writes the audit log entry.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ConversationHandler

from bot import assembly as A
from bot.assembly.crypto import CODE_LENGTH, format_code, normalize
from bot.assembly.qr import NotAnImage, codes_in_image
from bot.assembly.service import title_of
from bot.core.i18n import N_
from bot.core.text import esc, shorten
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import (
    MARK,
    REF,
    TOTALS,
    TOTALS_KEY,
    TOTALS_REVIEW,
    back,
    cancel_button,
    forget,
    marked_after_totals,
    pressed_vote,
    ready_keyring,
    refused,
    remember,
    target,
    who,
)
from handlers.assembly.staff_panel import show_panel
from handlers.core import blocks, steps
from models.assembly import AssemblyVote, VoteMethod

MAX_IMAGE_BYTES = 10 * 1024 * 1024
NUMBER_RE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")


@blocks.opened_by(pressed_vote)
async def site_menu(update: Update, context: MaeulContext, vote: AssemblyVote) -> None:
    t = context.t
    turnout = await A.turnout(context.db, vote)
    lines = [
        "<b>" + esc(t._("On-site voting: {title}", title=title_of(vote, t.lang))) + "</b>",
        "",
        esc(t._("On-site voters marked: {n}", n=t.format_number(turnout.onsite_voters))),
        esc(
            t._("Paper totals: entered")
            if vote.onsite_totals
            else t._("Paper totals: not entered yet")
        ),
    ]
    late = marked_after_totals(vote, turnout, t)
    if late:
        lines.append("⚠️ " + esc(late))
    rows = [
        [InlineKeyboardButton(t._("🎫 Mark voters' codes"), callback_data=f"asm:mark:{vote.id}")],
        [InlineKeyboardButton(t._("📝 Enter paper totals"), callback_data=f"asm:tot:{vote.id}")],
        [back(context, vote)],
    ]
    await blocks.answer(update)
    await blocks.show(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=True)


# --- marking codes ---------------------------------------------------------------------


@blocks.opened_by(pressed_vote, ConversationHandler.END)
async def ask_mark(update: Update, context: MaeulContext, vote: AssemblyVote) -> str | int:
    await blocks.answer(update)
    remember(context, vote)
    done = InlineKeyboardButton(context.t._("Done"), callback_data="asm:stop")
    text = context.t._(
        "Type the voter's code (like ABCD-EFGH-JKMN) or send a photo of its QR code. "
        "I answer at once; then the next voter. Press Done when finished."
    )
    await blocks.send_html(
        context, update.effective_chat.id, esc(text), InlineKeyboardMarkup([[done]])
    )
    return MARK


async def _mark(update: Update, context: MaeulContext, raw_codes: list[str]) -> str | int:
    t = context.t
    vote = await target(update, context)
    if vote is None:
        return ConversationHandler.END
    ring = await ready_keyring(update, context)
    if ring is None:
        return ConversationHandler.END
    lines = []
    for raw in raw_codes[:50]:
        shown = shorten(raw.strip(), 40)
        code = normalize(raw, CODE_LENGTH)
        if code is not None:
            shown = format_code(code)
        report = await A.mark_onsite(context.db, ring, vote, [raw], **who(context))
        if report.marked:
            lines.append("✅ " + esc(t._("{code}: marked as voted on site.", code=shown)))
        for _, why in report.problems:
            reason = t._(why)
            if why == N_("its holder has already voted online"):
                reason += " — " + t._("no paper ballot.")
            lines.append("⛔ " + esc(f"{shown}: {reason}"))
    turnout = await A.turnout(context.db, vote)
    lines.append(esc(t._("On-site voters marked: {n}", n=t.format_number(turnout.onsite_voters))))
    late = marked_after_totals(vote, turnout, t)
    if late:
        lines.append("⚠️ " + esc(late))
    done = InlineKeyboardButton(t._("Done"), callback_data="asm:stop")
    await update.effective_message.reply_html(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup([[done]])
    )
    return MARK


async def typed_codes(update: Update, context: MaeulContext) -> str | int:
    text = update.effective_message.text or ""
    codes = [part for part in re.split(r"[\n,;]+", text) if part.strip()]
    return await _mark(update, context, codes)


async def photo(update: Update, context: MaeulContext) -> str | int:
    """A photo (or an image sent as a file) of one or more cards' QR codes."""
    t = context.t
    message = update.effective_message
    source: Any = message.photo[-1] if message.photo else message.document
    if source is None or (source.file_size or 0) > MAX_IMAGE_BYTES:
        await message.reply_text(t._("That picture is too large. Please send a photo."))
        return MARK
    data = bytes(await (await source.get_file()).download_as_bytearray())
    try:
        codes = await asyncio.to_thread(codes_in_image, data)
    except NotAnImage:
        codes = []
    if not codes:
        await message.reply_text(
            t._(
                "I could not find a voting QR code in this picture. Please take it again "
                "closer and straight on, or type the code."
            )
        )
        return MARK
    return await _mark(update, context, codes)


# --- paper totals ----------------------------------------------------------------------


def _draft(context: MaeulContext) -> dict[str, Any]:
    draft = context.user_data.get(TOTALS_KEY) if context.user_data else None
    return draft if isinstance(draft, dict) else {}


def _approve(vote: AssemblyVote) -> bool:
    return vote.method == VoteMethod.APPROVE_REJECT


@blocks.opened_by(pressed_vote, ConversationHandler.END)
async def ask_totals(update: Update, context: MaeulContext, vote: AssemblyVote) -> str | int:
    if vote.frozen_at is None:
        opens = A.Refused("not_open_yet", N_("Voting opens at {opens}."), opens=vote.opens_at)
        await refused(update, context, opens)
        return ConversationHandler.END
    await blocks.answer(update)
    remember(context, vote)
    context.user_data[TOTALS_KEY] = {"vote": vote.id, "totals": {}}  # type: ignore[index]
    return await _ask_item(update, context, vote, 0)


async def _ask_item(update: Update, context: MaeulContext, vote: AssemblyVote, index: int) -> str:
    t = context.t
    items = await A.items_of(context.db, vote)
    item = items[index]
    question = (
        t._("Type the paper ballots' yes, no and abstain counts, e.g. 12 3 1.")
        if _approve(vote)
        else t._("Type the paper ballots' votes for it, e.g. 12.")
    )
    await steps.ask_step(
        update,
        context,
        index + 1,
        len(items),
        f"{index + 1}. {title_of(item, t.lang)}",
        question,
        heading=t._("Paper totals"),
        markup=InlineKeyboardMarkup([[cancel_button(context)]]),
    )
    return TOTALS


async def typed_total(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    vote = await target(update, context)
    draft = _draft(context)
    if vote is None or draft.get("vote") != vote.id:
        forget(context)
        return ConversationHandler.END
    items = await A.items_of(context.db, vote)
    totals: dict[str, dict[str, int]] = draft["totals"]
    index = len(totals)
    if index >= len(items):
        return ConversationHandler.END
    numbers = [
        int(n.replace(",", "")) for n in NUMBER_RE.findall(update.effective_message.text or "")
    ]
    keys = ("yes", "no", "abstain") if _approve(vote) else ("votes",)
    if len(numbers) != len(keys):
        await update.effective_message.reply_text(
            t._("Please type three numbers: yes, no and abstain, e.g. 12 3 1.")
            if _approve(vote)
            else t._("Please type one number, e.g. 12.")
        )
        return TOTALS
    totals[items[index].item_id] = dict(zip(keys, numbers, strict=True))
    if index + 1 < len(items):
        return await _ask_item(update, context, vote, index + 1)
    await _review(update, context, vote, totals)
    return TOTALS_REVIEW


def _shown(vote: AssemblyVote, totals: dict[str, dict[str, int]]) -> list[object]:
    return [vote.id, *(f"{k}={sorted(v.items())}" for k, v in sorted(totals.items()))]


async def _review(
    update: Update, context: MaeulContext, vote: AssemblyVote, totals: dict[str, dict[str, int]]
) -> None:
    t = context.t
    turnout = await A.turnout(context.db, vote)
    lines = ["<b>" + esc(t._("Paper totals: please check")) + "</b>", ""]
    for n, item in enumerate(await A.items_of(context.db, vote), 1):
        counts = totals.get(item.item_id, {})
        if _approve(vote):
            figures = t._(
                "yes {yes}, no {no}, abstain {abstain}",
                yes=t.format_number(counts.get("yes", 0)),
                no=t.format_number(counts.get("no", 0)),
                abstain=t.format_number(counts.get("abstain", 0)),
            )
        else:
            votes = counts.get("votes", 0)
            figures = t.n_("{votes} vote", "{votes} votes", votes, votes=t.format_number(votes))
        lines.append(esc(f"{n}. {title_of(item, t.lang)}: {figures}"))
    lines += [
        "",
        esc(t._("On-site voters marked: {n}", n=t.format_number(turnout.onsite_voters))),
        esc(t._("Saving replaces any paper totals entered before.")),
    ]
    rows = [
        [
            InlineKeyboardButton(
                t._("✅ Save"),
                callback_data=f"asm:tot!:{vote.id}:{blocks.stamp(*_shown(vote, totals))}",
            ),
            InlineKeyboardButton(t._("✏️ Start again"), callback_data=f"asm:tot:{vote.id}"),
        ],
        [back(context, vote)],
    ]
    await blocks.send_html(
        context, update.effective_chat.id, "\n".join(lines), InlineKeyboardMarkup(rows)
    )


@blocks.opened_by(pressed_vote, ConversationHandler.END)
async def save_totals(update: Update, context: MaeulContext, vote: AssemblyVote) -> int:
    """Save the reviewed totals. In the review step it ends the conversation; a press of an
    older review's button (outside it) is checked against the draft all the same."""
    draft = _draft(context)
    totals = draft.get("totals") if draft.get("vote") == vote.id else None
    shown = (update.callback_query.data or "").split(":")[-1]
    if not totals or not blocks.stamp_matches(shown, *_shown(vote, totals)):
        await blocks.refuse(update, context)
        return ConversationHandler.END
    try:
        await A.record_onsite_totals(context.db, vote, totals, **who(context))
    except A.Refused as refusal:
        await refused(update, context, refusal)
        return ConversationHandler.END
    forget(context)
    await blocks.answer(update, context.t._("Saved."))
    await blocks.drop_keyboard(update)
    await show_panel(update, context, vote, edit=False)
    return ConversationHandler.END


TOTALS_SAVE = rf"^asm:tot!:{REF}:[0-9a-f]{{8}}$"


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(site_menu, pattern=rf"^asm:site:{REF}$"))
    app.add_handler(CallbackQueryHandler(save_totals, pattern=TOTALS_SAVE))
