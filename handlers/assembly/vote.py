"""/vote, /verify and the ``vote_<code>`` deep link: secret online assembly votes.

The ballot being filled in lives only in the buttons' callback data (the voter's own
chat), never in the database or user_data: ``vote:<op>:<assembly>:…:<draft>``, where the
draft has one character per item (``y``/``n``/``a``/``-`` for approve/reject, ``1``/``0``
for choose-up-to). Every press is validated against the assembly, its items, its method and
its maximum (:func:`bot.assembly.service.check_draft`); a forged or stale press gets a
localized alert and changes nothing. The Cast button carries the review screen's nonce, so
a double tap or any number of parallel presses casts once.

The ballot's screens are in handlers.assembly.ballot, the card and the shared rendering in
handlers.assembly.vote_render, the reminder and close jobs in handlers.assembly.vote_jobs.
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import assembly as A
from bot.assembly.crypto import CODE_LENGTH, format_tracker, keyring_for, normalize
from bot.assembly.service import ballot_size, normalize_tracker, title_of
from bot.core.text import esc, shorten
from bot.telegram.context import MaeulContext
from handlers.assembly.ballot import (
    cancel_ballot,
    cast,
    first_screen,
    show_item,
    show_picker,
    show_review,
)
from handlers.assembly.vote_jobs import finalize_closed_votes as finalize_closed_votes  # re-export
from handlers.assembly.vote_jobs import finalize_job
from handlers.assembly.vote_jobs import send_nonvoter_reminders as send_nonvoter_reminders
from handlers.assembly.vote_render import (
    card_text,
    load_vote,
    ready_keyring,
    refuse,
    send_outcome,
    show,
)
from handlers.assembly.vote_render import render as render  # re-export (staff screens)
from handlers.core.start import DEEP_LINKS
from handlers.core.steps import TYPED, cancelled
from handlers.core.steps import conversation as blocks_conversation
from models.assembly import AssemblyVote

log = logging.getLogger(__name__)

CODE = "code"
FINALIZE_INTERVAL = 300.0  # seconds between looks for votes to tally after their close
RECENTLY_CLOSED_DAYS = 60

REF = r"(\d{1,6})"
DRAFT = r"([yna01-]{1,40})"


# --- helpers ---------------------------------------------------------------------------


# --- the list and the card -------------------------------------------------------------


async def vote_command(update: Update, context: MaeulContext) -> str | int:
    """/vote: the list of votes; /vote CODE redeems a code."""
    if context.args:
        return await redeem(update, context, " ".join(context.args))
    await list_votes(update, context)
    return ConversationHandler.END


async def list_votes(update: Update, context: MaeulContext) -> None:
    """Current and recent votes, and a way to enter a code (also the menu button)."""
    t = context.t
    if update.callback_query:
        await update.callback_query.answer()
    now = context.runtime.clock.now()
    votes = [
        v
        for v in await A.list_votes(context.db, now)
        if A.status(v, now) != A.Status.CLOSED or (now - v.closes_at).days <= RECENTLY_CLOSED_DAYS
    ]
    rows: list[list[InlineKeyboardButton]] = []
    lines = [f"<b>{esc(t._('🗳 Assembly votes'))}</b>", ""]
    if not votes:
        lines.append(t._("There are no assembly votes right now."))
    for vote in votes:
        state = A.status(vote, now)
        if state == A.Status.OPEN:
            when = t._("open until {closes}", closes=t.format_datetime(vote.closes_at))
        elif state == A.Status.DRAFT:
            when = t._("opens {opens}", opens=t.format_datetime(vote.opens_at))
        else:
            when = t._("closed")
        lines.append(f"• {esc(title_of(vote, t.lang))} — {esc(when)}")
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(title_of(vote, t.lang), 60), callback_data=f"vote:o:{vote.id}"
                )
            ]
        )
    rows.append([InlineKeyboardButton(t._("🔑 Enter a voting code"), callback_data="vote:code")])
    await show(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=False)


async def show_card(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    ref = query.data.split(":")[2]
    vote = await load_vote(update, context, ref)
    if vote is None:
        return
    await query.answer()
    text, markup = await card_text(context, vote)
    await show(update, context, text, markup)


async def back_to_list(update: Update, context: MaeulContext) -> None:
    await list_votes(update, context)  # answers the press


# --- filling in the ballot -------------------------------------------------------------


# --- results ---------------------------------------------------------------------------


async def send_results(update: Update, context: MaeulContext, vote: AssemblyVote) -> None:
    """Results after the close, as text and a bar chart (:func:`send_outcome`, as the staff
    get them too)."""
    t = context.t
    keyring = await ready_keyring(update, context)
    if keyring is None:
        return
    try:
        outcome = await A.results(context.db, keyring, vote, context.runtime.clock.now())
    except A.Refused as refused:
        await refuse(update, context, render(t, refused))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await send_outcome(context, update.effective_chat.id, vote, outcome)


async def results_button(update: Update, context: MaeulContext) -> None:
    vote = await load_vote(update, context, update.callback_query.data.split(":")[2])
    if vote is not None:
        await send_results(update, context, vote)


# --- codes -----------------------------------------------------------------------------


async def redeem(update: Update, context: MaeulContext, raw: str) -> str | int:
    """Bind this account to the code's assembly and show it. Returns the conversation's
    next state: ask again after a typo, end otherwise."""
    t = context.t
    keyring = await ready_keyring(update, context)
    if keyring is None:
        return ConversationHandler.END
    try:
        redemption = await A.redeem_code(
            context.db, keyring, context.user, raw[:100], context.runtime.clock.now()
        )
    except A.Refused as refused:
        text = render(t, refused)
        if refused.reason in {"malformed_code", "unknown_code"}:
            await update.effective_message.reply_text(
                text + "\n" + t._("Please type the code again, or /cancel."),
                parse_mode=ParseMode.HTML,
            )
            return CODE
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)
        return ConversationHandler.END
    vote = redemption.vote
    note = (
        t._("You were already registered with this code.")
        if redemption.already
        else t._("✅ Code accepted. You are registered for this vote.")
    )
    now = context.runtime.clock.now()
    if not redemption.already and A.status(vote, now) == A.Status.OPEN and ballot_size(vote):
        # scanned at the dong office while voting is open: straight to the ballot
        text, markup = await first_screen(context, vote)
        text = esc(note) + "\n\n" + text
    else:
        text, markup = await card_text(context, vote, note=esc(note))
    await context.bot.send_message(
        update.effective_chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    return ConversationHandler.END


async def ask_code(update: Update, context: MaeulContext) -> str:
    if update.callback_query:
        await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id,
        context.t._(
            "Please type the voting code from the dong office (12 letters and digits, "
            "like ABCD-EFGH-JKMN), or /cancel."
        ),
    )
    return CODE


async def typed_code(update: Update, context: MaeulContext) -> str | int:
    return await redeem(update, context, update.effective_message.text or "")


# A code typed without /vote: ABCD-EFGH-JKMN (any case, dashes or spaces), or 12 capitals
# and digits with at least one digit — so that an ordinary 12-letter word is not taken.
CODE_TEXT_RE = re.compile(
    r"^\s*(?:(?i:[2-9a-z]{4}[- ][2-9a-z]{4}[- ][2-9a-z]{4})|(?=[A-Z]*\d)[2-9A-Z]{12})\s*$"
)


async def code_as_text(update: Update, context: MaeulContext) -> None:
    await redeem(update, context, update.effective_message.text or "")


async def vote_deep_link(update: Update, context: MaeulContext, code: str) -> None:
    """t.me/<bot>?start=vote_<code>: the QR code on the voting-code card."""
    from handlers.core.start import invalid_link, send_welcome

    if normalize(code, CODE_LENGTH) is None:
        await invalid_link(update, context)
        await send_welcome(update, context)
        return
    await redeem(update, context, code)


# --- /verify ---------------------------------------------------------------------------


async def verify(update: Update, context: MaeulContext) -> None:
    t = context.t
    if not context.args:
        await update.effective_message.reply_text(
            t._(
                "Send /verify followed by the tracker you got when you voted, "
                "e.g. /verify ABCDE-FGHJK."
            )
        )
        return
    keyring = await ready_keyring(update, context)
    if keyring is None:
        return
    raw = " ".join(context.args)[:40]
    result = await A.verify_tracker(context.db, keyring, raw)
    found = normalize_tracker(raw) if result.vote is not None else None
    shown = esc(format_tracker(found) if found else shorten(raw, 20))  # as on the receipt
    if result.status == A.TrackerStatus.UNKNOWN or result.vote is None:
        text = t._("No ballot has the tracker {tracker}. Please check it for typos.", tracker=shown)
    elif result.status == A.TrackerStatus.COUNTED:
        text = t._(
            "✅ The ballot with tracker {tracker} in “{title}” is counted as cast.",
            tracker=shown,
            title=esc(title_of(result.vote, t.lang)),
        )
    else:
        text = t._(
            "The ballot with tracker {tracker} in “{title}” was replaced by a later vote, "
            "which is the one that counts.",
            tracker=shown,
            title=esc(title_of(result.vote, t.lang)),
        )
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


# --- reminders -------------------------------------------------------------------------


# --- the close -------------------------------------------------------------------------


# --- registration ----------------------------------------------------------------------


def register(app: Application) -> None:  # type: ignore[type-arg]
    conversation = blocks_conversation(
        "vote_code",
        entry_points=[
            CommandHandler("vote", vote_command),
            CallbackQueryHandler(ask_code, pattern=r"^vote:code$"),
        ],
        states={CODE: [MessageHandler(TYPED, typed_code)]},
        cancel=cancelled,
    )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("verify", verify))
    app.add_handler(MessageHandler(filters.Regex(CODE_TEXT_RE) & ~filters.COMMAND, code_as_text))
    app.add_handler(CallbackQueryHandler(list_votes, pattern=r"^menu:vote$"))
    app.add_handler(CallbackQueryHandler(back_to_list, pattern=r"^vote:list$"))
    app.add_handler(CallbackQueryHandler(show_card, pattern=rf"^vote:o:{REF}$"))
    app.add_handler(
        CallbackQueryHandler(show_item, pattern=rf"^vote:i:{REF}:\d{{1,2}}:[yna-]{{1,40}}$")
    )
    app.add_handler(CallbackQueryHandler(show_picker, pattern=rf"^vote:p:{REF}:[01]{{1,40}}$"))
    app.add_handler(CallbackQueryHandler(show_review, pattern=rf"^vote:r:{REF}:{DRAFT}$"))
    app.add_handler(CallbackQueryHandler(cast, pattern=rf"^vote:c:{REF}:[0-9a-f]{{8}}:{DRAFT}$"))
    app.add_handler(CallbackQueryHandler(cancel_ballot, pattern=rf"^vote:x:{REF}$"))
    app.add_handler(CallbackQueryHandler(results_button, pattern=rf"^vote:res:{REF}$"))
    DEEP_LINKS["vote"] = vote_deep_link
    runtime = getattr(app, "runtime", None)
    if runtime is not None and keyring_for(runtime.settings) is None:
        log.warning("BALLOT_SECRET is not set: assembly votes are refused until it is")
    # The non-voter reminder is sent by the reminder dispatcher (bot.dispatch), not a job here.
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            finalize_job, interval=FINALIZE_INTERVAL, first=60, name="assembly-finalize"
        )
