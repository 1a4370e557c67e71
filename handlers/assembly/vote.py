"""/vote, /verify and the ``vote_<code>`` deep link: secret online assembly votes.

The ballot being filled in lives only in the buttons' callback data (the voter's own
chat), never in the database or user_data: ``vote:<op>:<assembly>:…:<draft>``, where the
draft has one character per item (``y``/``n``/``a``/``-`` for approve/reject, ``1``/``0``
for choose-up-to). Every press is validated against the assembly, its items, its method and
its maximum (:func:`bot.assembly.service.check_draft`); a forged or stale press gets a
localized alert and changes nothing. The Cast button carries the review screen's nonce, so
a double tap or any number of parallel presses casts once.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import assembly as A
from bot.assembly import report
from bot.assembly.crypto import CODE_LENGTH, Keyring, format_tracker, keyring_for, normalize
from bot.assembly.service import (
    APPROVE,
    CHOSEN,
    NOT_CHOSEN,
    UNANSWERED,
    ballot_size,
    check_complete,
    check_draft,
    empty_choices,
    title_of,
)
from bot.core.dongs import dong_name, get_dong
from bot.core.i18n import Np_, Translator
from bot.core.text import esc, localized, shorten
from bot.telegram.context import MaeulContext
from handlers.core.start import DEEP_LINKS
from models.assembly import AssemblyVote, VoteMethod, VoteMode

log = logging.getLogger(__name__)

CODE = "code"
FINALIZE_INTERVAL = 300.0  # seconds between looks for votes to tally after their close
RECENTLY_CLOSED_DAYS = 60
ANSWER_LABELS = {
    "y": Np_("ballot", "Yes"),
    "n": Np_("ballot", "No"),
    "a": Np_("ballot", "Abstain"),
}
ANSWER_ICONS = {"y": "👍", "n": "👎", "a": "➖"}

REF = r"(\d{1,6})"
DRAFT = r"([yna01-]{1,40})"


# --- helpers ---------------------------------------------------------------------------


def _keyring(context: MaeulContext) -> Keyring | None:
    return keyring_for(context.runtime.settings)


def render(t: Translator, refused: A.Refused) -> str:
    """A refusal in the user's language (values formatted for it)."""
    params: dict[str, Any] = {}
    for name, value in refused.params.items():
        if isinstance(value, datetime):
            params[name] = t.format_datetime(value)
        elif isinstance(value, dict):
            params[name] = esc(localized(value, t.lang))
        elif isinstance(value, int) and not isinstance(value, bool):
            params[name] = t.format_number(value)
        else:
            params[name] = esc(value)
    return t._(refused.message, **params)


async def _refuse(update: Update, context: MaeulContext, text: str) -> None:
    """A refusal (HTML-escaped text): an alert for a button press, else a reply."""
    if update.callback_query is not None:
        plain = html.unescape(text)  # alerts are plain text
        await update.callback_query.answer(shorten(plain, 190), show_alert=True)
    else:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def _show(
    update: Update,
    context: MaeulContext,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    edit: bool = True,
) -> None:
    """Edit the pressed message in place, or send a new one."""
    query = update.callback_query
    if query is not None and edit and query.message is not None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    await context.bot.send_message(
        update.effective_chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def _no_secret(update: Update, context: MaeulContext) -> None:
    await _refuse(
        update,
        context,
        context.t._("Online voting is not set up on this server yet. Please contact the centre."),
    )


def _window(t: Translator, vote: AssemblyVote) -> str:
    return t._(
        "Voting: {opens} – {closes}",
        opens=t.format_datetime(vote.opens_at),
        closes=t.format_datetime(vote.closes_at),
    )


def _method(t: Translator, vote: AssemblyVote) -> str:
    if vote.method == VoteMethod.APPROVE_REJECT:
        return t._("Vote yes, no or abstain on each item.")
    return t._("Choose up to {n} items.", n=vote.max_choices or 0)


async def _load(update: Update, context: MaeulContext, ref: str) -> AssemblyVote | None:
    vote = await A.get_vote(context.db, int(ref), context.runtime.clock.now())
    if vote is None:
        await _refuse(update, context, context.t._("This vote no longer exists."))
    return vote


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
    await _show(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=False)


async def card_text(
    context: MaeulContext, vote: AssemblyVote, *, note: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The assembly as a voter sees it, with what they can do now."""
    t = context.t
    now = context.runtime.clock.now()
    state = A.status(vote, now)
    dong = await get_dong(context.db, vote.dong_id)
    items = await A.items_of(context.db, vote)
    lines = []
    if note:
        lines += [note, ""]
    lines.append(f"<b>{esc(title_of(vote, t.lang))}</b>")
    if dong is not None:
        lines.append(esc(dong_name(dong, t.lang)))
    lines += [esc(_window(t, vote)), esc(_method(t, vote))]
    eligibility = localized(vote.eligibility, t.lang)
    if eligibility:
        lines.append(esc(t._("Who can vote: {who}", who=eligibility)))
    lines.append("")
    for number, item in enumerate(items, 1):
        budget = f" ({t.format_krw(item.budget_krw)})" if item.budget_krw else ""
        lines.append(f"{number}. {esc(title_of(item, t.lang))}{esc(budget)}")
    lines.append("")
    buttons: list[list[InlineKeyboardButton]] = []
    voter = await A.voter_for(context.db, vote, context.user)
    if state == A.Status.CLOSED:
        lines.append(esc(t._("Voting has closed.")))
        buttons.append(
            [InlineKeyboardButton(t._("📊 Results"), callback_data=f"vote:res:{vote.id}")]
        )
    else:
        if state == A.Status.DRAFT:
            lines.append(
                esc(t._("Voting opens at {opens}.", opens=t.format_datetime(vote.opens_at)))
            )
        else:
            turnout = await A.turnout(context.db, vote)
            lines.append(
                esc(
                    t.n_(
                        "{count} person has voted so far.",
                        "{count} people have voted so far.",
                        turnout.voters,
                        count=t.format_number(turnout.voters),
                    )
                )
            )
        registered = voter is not None or vote.mode == VoteMode.OPEN
        if voter is not None and voter.onsite:
            lines.append(
                esc(
                    t._(
                        "Your code was used at the on-site assembly, so you cannot "
                        "also vote online."
                    )
                )
            )
        elif voter is not None and voter.voted:
            if vote.revoting:
                lines.append(
                    esc(
                        t._(
                            "You have voted. You can vote again until the close; only "
                            "your last vote counts."
                        )
                    )
                )
                if state == A.Status.OPEN:
                    buttons.append(
                        [
                            InlineKeyboardButton(
                                t._("🔁 Vote again"), callback_data=_start_data(vote)
                            )
                        ]
                    )
            else:
                lines.append(esc(t._("You have voted. Thank you!")))
        elif not registered:
            lines.append(esc(t._("You need a voting code from the dong office for this vote.")))
            buttons.append(
                [InlineKeyboardButton(t._("🔑 Enter a voting code"), callback_data="vote:code")]
            )
        elif state == A.Status.OPEN:
            if voter is not None and voter.code_hash is not None:
                lines.append(esc(t._("You are registered to vote.")))
            buttons.append(
                [InlineKeyboardButton(t._("🗳 Start voting"), callback_data=_start_data(vote))]
            )
        elif voter is not None:
            lines.append(esc(t._("You are registered to vote.")))
    buttons.append([InlineKeyboardButton(t._("« All votes"), callback_data="vote:list")])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def _start_data(vote: AssemblyVote) -> str:
    draft = empty_choices(vote)
    if vote.method == VoteMethod.APPROVE_REJECT:
        return f"vote:i:{vote.id}:0:{draft}"
    return f"vote:p:{vote.id}:{draft}"


async def show_card(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    ref = query.data.split(":")[2]
    vote = await _load(update, context, ref)
    if vote is None:
        return
    await query.answer()
    text, markup = await card_text(context, vote)
    await _show(update, context, text, markup)


async def back_to_list(update: Update, context: MaeulContext) -> None:
    await list_votes(update, context)  # answers the press


# --- filling in the ballot -------------------------------------------------------------


async def _ballot_vote(
    update: Update, context: MaeulContext, ref: str, draft: str
) -> AssemblyVote | None:
    """The assembly, if this voter may fill in this draft now (else an alert)."""
    vote = await _load(update, context, ref)
    if vote is None:
        return None
    try:
        await A.may_vote(context.db, vote, context.user, context.runtime.clock.now())
        check_draft(vote, draft)
    except A.Refused as refused:
        await _refuse(update, context, render(context.t, refused))
        return None
    return vote


def _cancel_button(t: Translator, vote: AssemblyVote) -> InlineKeyboardButton:
    return InlineKeyboardButton(t._("✖ Cancel"), callback_data=f"vote:x:{vote.id}")


async def item_screen(
    context: MaeulContext, vote: AssemblyVote, items: list[Any], index: int, draft: str
) -> tuple[str, InlineKeyboardMarkup]:
    """approve/reject: one item at a time; each answer button carries the new draft."""
    t = context.t
    item = items[index]
    lines = [
        esc(
            t._(
                "{title} — item {n} of {total}",
                title=title_of(vote, t.lang),
                n=index + 1,
                total=len(items),
            )
        ),
        "",
        f"<b>{esc(title_of(item, t.lang))}</b>",
    ]
    description = localized(item.description, t.lang)
    if description:
        lines.append(esc(description))
    if item.budget_krw:
        lines.append(esc(t._("Budget: {amount}", amount=t.format_krw(item.budget_krw))))
    answered = sum(1 for c in draft if c != UNANSWERED)
    lines += ["", esc(t._("Answered: {n} of {total}", n=answered, total=len(items)))]
    row = []
    for answer in APPROVE:
        new = draft[:index] + answer + draft[index + 1 :]
        target = (
            f"vote:i:{vote.id}:{index + 1}:{new}"
            if index + 1 < len(items)
            else f"vote:r:{vote.id}:{new}"
        )
        mark = "✓ " if draft[index] == answer else ANSWER_ICONS[answer] + " "
        label = t.p_("ballot", ANSWER_LABELS[answer])
        row.append(InlineKeyboardButton(mark + label, callback_data=target))
    keyboard = [row]
    nav = []
    if index > 0:
        nav.append(
            InlineKeyboardButton(
                t._("◀ Previous"), callback_data=f"vote:i:{vote.id}:{index - 1}:{draft}"
            )
        )
    if UNANSWERED not in draft:
        nav.append(InlineKeyboardButton(t._("Review ▶"), callback_data=f"vote:r:{vote.id}:{draft}"))
    if nav:
        keyboard.append(nav)
    keyboard.append([_cancel_button(t, vote)])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def picker_screen(
    context: MaeulContext, vote: AssemblyVote, items: list[Any], draft: str
) -> tuple[str, InlineKeyboardMarkup]:
    """choose-up-to: all items at once, pressed to toggle."""
    t = context.t
    limit = vote.max_choices or 0
    chosen = draft.count(CHOSEN)
    lines = [
        f"<b>{esc(title_of(vote, t.lang))}</b>",
        esc(
            t._(
                "Choose up to {n} items ({chosen} chosen). Press an item to choose it or "
                "to take it back.",
                n=limit,
                chosen=chosen,
            )
        ),
        "",
    ]
    keyboard = []
    for index, item in enumerate(items):
        budget = f" ({t.format_krw(item.budget_krw)})" if item.budget_krw else ""
        lines.append(f"{index + 1}. {esc(title_of(item, t.lang))}{esc(budget)}")
        flipped = NOT_CHOSEN if draft[index] == CHOSEN else CHOSEN
        new = draft[:index] + flipped + draft[index + 1 :]
        box = "☑" if draft[index] == CHOSEN else "☐"
        keyboard.append(
            [
                InlineKeyboardButton(
                    f"{box} {index + 1}. {shorten(title_of(item, t.lang), 40)}",
                    callback_data=f"vote:p:{vote.id}:{new}",
                )
            ]
        )
    if chosen:
        keyboard.append(
            [InlineKeyboardButton(t._("Review ▶"), callback_data=f"vote:r:{vote.id}:{draft}")]
        )
    keyboard.append([_cancel_button(t, vote)])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def first_screen(
    context: MaeulContext, vote: AssemblyVote
) -> tuple[str, InlineKeyboardMarkup]:
    items = await A.items_of(context.db, vote)
    draft = empty_choices(vote)
    if vote.method == VoteMethod.APPROVE_REJECT:
        return await item_screen(context, vote, items, 0, draft)
    return picker_screen(context, vote, items, draft)


async def show_item(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    _, _, ref, index_text, draft = query.data.split(":")
    vote = await _ballot_vote(update, context, ref, draft)
    if vote is None:
        return
    items = await A.items_of(context.db, vote)
    index = int(index_text)
    if index >= len(items):
        await _refuse(update, context, context.t._("This ballot does not match the vote any more."))
        return
    await query.answer()
    text, markup = await item_screen(context, vote, items, index, draft)
    await _show(update, context, text, markup)


async def show_picker(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    _, _, ref, draft = query.data.split(":")
    vote = await _ballot_vote(update, context, ref, draft)
    if vote is None:
        return
    await query.answer()
    items = await A.items_of(context.db, vote)
    text, markup = picker_screen(context, vote, items, draft)
    await _show(update, context, text, markup)


async def show_review(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    _, _, ref, draft = query.data.split(":")
    vote = await _load(update, context, ref)
    if vote is None:
        return
    t = context.t
    try:
        check_complete(vote, draft)
        nonce = await A.prepare_review(
            context.db, vote, context.user, draft, context.runtime.clock.now()
        )
    except A.Refused as refused:
        await _refuse(update, context, render(t, refused))
        return
    await query.answer()
    items = await A.items_of(context.db, vote)
    lines = [
        f"<b>{esc(t._('Please check your vote'))}</b>",
        esc(title_of(vote, t.lang)),
        "",
    ]
    for number, (item, choice) in enumerate(zip(items, draft, strict=True), 1):
        title = esc(title_of(item, t.lang))
        if vote.method == VoteMethod.APPROVE_REJECT:
            lines.append(f"{number}. {title} — <b>{esc(t.p_('ballot', ANSWER_LABELS[choice]))}</b>")
        elif choice == CHOSEN:
            lines.append(f"☑ {number}. {title}")
    lines.append("")
    lines.append(esc(t._("Your vote is secret: nobody, staff included, can see what you chose.")))
    if vote.revoting:
        lines.append(esc(t._("You can vote again until the close; only your last vote counts.")))
    change = (
        f"vote:i:{vote.id}:0:{draft}"
        if vote.method == VoteMethod.APPROVE_REJECT
        else f"vote:p:{vote.id}:{draft}"
    )
    keyboard = [
        [
            InlineKeyboardButton(
                t._("✅ Cast my vote"), callback_data=f"vote:c:{vote.id}:{nonce}:{draft}"
            )
        ],
        [InlineKeyboardButton(t._("✏️ Change"), callback_data=change), _cancel_button(t, vote)],
    ]
    await _show(update, context, "\n".join(lines), InlineKeyboardMarkup(keyboard))


async def cast(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    _, _, ref, nonce, draft = query.data.split(":")
    t = context.t
    keyring = _keyring(context)
    if keyring is None:
        await _no_secret(update, context)
        return
    vote = await _load(update, context, ref)
    if vote is None:
        return
    try:
        receipt = await A.cast(
            context.db, keyring, vote, context.user, draft, nonce, context.runtime.clock.now()
        )
    except A.Refused as refused:
        await _refuse(update, context, render(t, refused))
        return
    await query.answer(t._("Your vote is counted."))
    tracker = format_tracker(receipt.tracker)
    lines = [
        f"✅ <b>{esc(t._('Your vote is counted.'))}</b>",
        esc(title_of(vote, t.lang)),
        "",
        t._("Your tracker: {tracker}", tracker=f"<code>{tracker}</code>"),
        esc(
            t._(
                "Check at any time that your ballot is counted as cast: /verify {tracker}",
                tracker=tracker,
            )
        ),
    ]
    if receipt.replaced:
        lines.append(esc(t._("Your earlier vote no longer counts; this one does.")))
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t._("« All votes"), callback_data="vote:list")]]
    )
    await _show(update, context, "\n".join(lines), markup)


async def cancel_ballot(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    await query.answer()
    await _show(update, context, esc(context.t._("Cancelled. Nothing was cast.")), None)


# --- results ---------------------------------------------------------------------------


async def send_results(update: Update, context: MaeulContext, vote: AssemblyVote) -> None:
    """Results after the close, as text and a bar chart (also used by the staff screens)."""
    t = context.t
    keyring = _keyring(context)
    if keyring is None:
        await _no_secret(update, context)
        return
    try:
        outcome = await A.results(context.db, keyring, vote, context.runtime.clock.now())
    except A.Refused as refused:
        await _refuse(update, context, render(t, refused))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    text = "\n".join(
        [f"📊 <b>{esc(t._('Results: {title}', title=title_of(vote, t.lang)))}</b>", ""]
        + [esc(line) for line in report.result_lines(outcome, t)]
    )
    chat_id = update.effective_chat.id
    await context.bot.send_message(chat_id, shorten(text, 4000), parse_mode=ParseMode.HTML)
    png = await asyncio.to_thread(report.chart_png, outcome, t)
    await context.bot.send_photo(
        chat_id, png, caption=shorten(t._("Results: {title}", title=title_of(vote, t.lang)), 1000)
    )


async def results_button(update: Update, context: MaeulContext) -> None:
    vote = await _load(update, context, update.callback_query.data.split(":")[2])
    if vote is not None:
        await send_results(update, context, vote)


# --- codes -----------------------------------------------------------------------------


async def redeem(update: Update, context: MaeulContext, raw: str) -> str | int:
    """Bind this account to the code's assembly and show it. Returns the conversation's
    next state: ask again after a typo, end otherwise."""
    t = context.t
    keyring = _keyring(context)
    if keyring is None:
        await _no_secret(update, context)
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


async def cancel_code(update: Update, context: MaeulContext) -> int:
    await update.effective_message.reply_text(context.t._("Cancelled. Nothing was changed."))
    return ConversationHandler.END


async def vote_deep_link(update: Update, context: MaeulContext, code: str) -> None:
    """t.me/<bot>?start=vote_<code>: the QR code on the voting-code card."""
    from handlers.core.start import send_welcome

    if normalize(code, CODE_LENGTH) is None:
        await update.effective_message.reply_text(
            context.t._("That link is not valid or has expired. Here is the main menu.")
        )
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
    keyring = _keyring(context)
    if keyring is None:
        await _no_secret(update, context)
        return
    raw = " ".join(context.args)[:40]
    result = await A.verify_tracker(context.db, keyring, raw)
    shown = esc(shorten(raw, 20))
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


async def send_nonvoter_reminders(app: Application) -> int:  # type: ignore[type-arg]
    """Remind, once, everyone who redeemed a code but has not voted, in the last 24 hours.

    The reminder is a durable row sent by the reminder dispatcher (:mod:`bot.reminders.dispatch`),
    which plans and sends these on its own at every wake-up; this runs one pass now and
    returns how many non-voter reminders it sent. Once only: each voter is claimed
    (``reminded = true``) in the same transaction that inserts its row
    (:func:`bot.reminders.rows.plan_nonvoters`), and the dispatcher claims rows atomically, so a
    restart or a second bot instance never sends it twice.
    """
    from sqlalchemy import func, select

    from models.events import Reminder

    dispatcher = app.dispatcher  # type: ignore[attr-defined]
    if dispatcher is None:
        return 0
    runtime = app.runtime  # type: ignore[attr-defined]

    async def sent() -> int:
        async with runtime.sessionmaker() as session:
            query = select(func.count()).where(Reminder.kind == "vote", Reminder.status == "sent")
            return int(await session.scalar(query) or 0)

    before = await sent()
    await dispatcher.run_pass()
    return await sent() - before


# --- the close -------------------------------------------------------------------------


async def finalize_closed_votes(app: Application) -> list[str]:  # type: ignore[type-arg]
    """Tally the votes whose window has ended (see :func:`bot.assembly.finalize_closed`)."""
    runtime = app.runtime  # type: ignore[attr-defined]
    keyring = keyring_for(runtime.settings)
    if keyring is None:
        return []
    async with runtime.sessionmaker() as session:
        done = await A.finalize_closed(session, keyring, runtime.clock.now())
        await session.commit()
    for assembly_id in done:
        log.info("assembly %s closed and tallied", assembly_id)
    return done


async def finalize_job(context: CallbackContext) -> None:  # type: ignore[type-arg]
    await finalize_closed_votes(context.application)


# --- registration ----------------------------------------------------------------------


def register(app: Application) -> None:  # type: ignore[type-arg]
    conversation = ConversationHandler(
        name="vote_code",
        persistent=True,
        entry_points=[
            CommandHandler("vote", vote_command),
            CallbackQueryHandler(ask_code, pattern=r"^vote:code$"),
        ],
        states={CODE: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_code)]},
        fallbacks=[CommandHandler("cancel", cancel_code)],
        allow_reentry=True,
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
