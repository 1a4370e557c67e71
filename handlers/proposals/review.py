"""/review: the staff side of agenda proposals — the queue, the review card, and the actions
(start review, accept, reject with reason, merge, hide, restore, assembly results), each
asking for the official answer that is sent to the proposer in their language (a durable
message, :mod:`bot.reminders.outbox`, sent once the decision is committed).

Also ``/staffchat`` (sent by a staff member in a group: that group receives the dong's new
proposals and threshold crossings, with a link to review in the private chat) and the deep
link ``t.me/<bot>?start=review_<id>``.

The decisions themselves (which are legal, carrying one out) are in
handlers.proposals.decisions; /staffchat in handlers.proposals.staffchat.

Every action re-checks that the presser is staff of the proposal's dong (admins are staff of
every dong) and that the move is legal now, so forged or stale buttons get a clear refusal.
The action waiting for its answer text is kept in ``user_data["review"]`` (committed with the
update, so it survives a restart); only while one waits do text messages come here.

Callback data (``rev:``): ``m`` the queues · ``q:<queue>:<page>`` a queue · ``o:<id>`` the
card · ``a:<id>:<action>`` an action · ``t:<id>:<target>`` the merge target · ``k:<id>``
skip the answer · ``x`` cancel.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core.i18n import N_
from bot.core.text import esc, shorten
from bot.proposals import service as domain
from bot.proposals.service import ProposalError
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, drop_keyboard, refuse
from handlers.core.blocks import show as send
from handlers.core.steps import TYPED, cancelled
from handlers.core.undelivered import UNDELIVERED, awaiting_typed, never_asked, queued
from handlers.proposals.decisions import (
    ACTIONS,
    PENDING,
    available,
    execute,
    review_buttons,
    staff_proposal,
)
from handlers.proposals.render import card_text, error_text, list_view, names
from handlers.proposals.staffchat import staffchat
from models.proposal import Proposal, ProposalStatus

log = logging.getLogger(__name__)
S = ProposalStatus
PAGE_SIZE = 5


QUEUE_LABELS = {
    "new": N_("🆕 New"),
    "review": N_("🔎 Under review"),
    "reported": N_("🚩 Reported"),
    "accepted": N_("✅ Accepted (for the ballot)"),
    "running": N_("🚧 Selected and in progress"),
    "hidden": N_("🚫 Hidden"),
}
NOT_STAFF_AT_ALL = N_(
    "This is for the staff of a dong. If you are staff, ask the centre to give you the role."
)

ID = r"\d{1,9}"
ACTION_RE = re.compile(rf"^rev:a:({ID}):({'|'.join(ACTIONS)})$")
QUEUE_RE = re.compile(rf"^rev:q:({'|'.join(domain.REVIEW_QUEUES)}):(\d{{1,4}})$")
TARGET_TYPED_RE = re.compile(r"^\s*#?\s*(\d{1,9})\s*$")


class _PendingReview(filters.MessageFilter):
    """Messages of users who have an action waiting for its answer text."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        super().__init__(name="pending_review")
        self._app = app

    def filter(self, message: Message) -> bool:
        user = message.from_user
        if user is None or message.chat.type != ChatType.PRIVATE:
            return False
        return PENDING in (self._app.user_data.get(user.id) or {})


def _dongs(context: MaeulContext) -> set[str] | None:
    return domain.staff_dongs(context.user, context.runtime.settings.admin_ids)


def _is_staff(context: MaeulContext) -> bool:
    dongs = _dongs(context)
    return dongs is None or bool(dongs)


# ---------------------------------------------------------------------------------------
# Queues and the card
# ---------------------------------------------------------------------------------------


async def queues(update: Update, context: MaeulContext) -> None:
    t = context.t
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    if not _is_staff(context):
        await refuse(update, context, t._(NOT_STAFF_AT_ALL))
        return
    await answer(update)
    dongs = _dongs(context)
    counts = await domain.review_counts(context.db, dongs)
    n = await names(context)
    where = t._("all dongs") if dongs is None else ", ".join(sorted(n.dong(d) for d in dongs))
    lines = [
        f"<b>{esc(t._('Proposals to review'))}</b>",
        esc(t._("For: {dongs}", dongs=where)),
    ]
    rows = [
        [
            InlineKeyboardButton(
                f"{t._(label)} ({t.format_number(counts[queue])})",
                callback_data=f"rev:q:{queue}:0",
            )
        ]
        for queue, label in QUEUE_LABELS.items()
    ]
    await send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=True)


async def queue(update: Update, context: MaeulContext) -> None:
    t = context.t
    match = QUEUE_RE.match(update.callback_query.data or "")
    if match is None or not _is_staff(context):
        await refuse(update, context, t._(NOT_STAFF_AT_ALL))
        return
    name, page = match.group(1), int(match.group(2))
    result = await domain.review_queue(
        context.db, name, _dongs(context), offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    await answer(update)
    n = await names(context)
    text, markup = list_view(
        t,
        t._(QUEUE_LABELS[name]),
        result.items,
        result.total,
        page,
        PAGE_SIZE,
        empty=t._("Nothing here."),
        detail=lambda p: f"{n.dong(p.dong_id)} · 👍 {t.format_number(p.support_count)}",
        open_data="rev:o:{id}",
        page_data=f"rev:q:{name}:{{page}}",
        footer=[InlineKeyboardButton(t._("≡ Review queues"), callback_data="rev:m")],
    )
    await send(update, context, text, markup, edit=True)


async def show_review_card(update: Update, context: MaeulContext, proposal_id: int) -> None:
    t = context.t
    proposal = await staff_proposal(update, context, proposal_id)
    if proposal is None:
        return
    await answer(update)
    reports = await domain.open_reports(context.db, proposal.id)
    text = await card_text(context, proposal, t, staff=True)
    text += "\n\n" + esc(
        t.n_(
            "🚩 {count} open report",
            "🚩 {count} open reports",
            reports,
            count=t.format_number(reports),
        )
    )
    own = proposal.author_id == context.user.id
    if own:
        text += "\n\n" + esc("⚖️ " + t._(domain.REVIEW_OWN))
    await send(update, context, text, review_buttons(t, proposal, own=own))


async def open_card(update: Update, context: MaeulContext) -> None:
    await show_review_card(update, context, int(update.callback_query.data.rsplit(":", 1)[1]))


# ---------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------


async def act(update: Update, context: MaeulContext) -> None:
    t = context.t
    match = ACTION_RE.match(update.callback_query.data or "")
    assert match is not None  # the handler's pattern
    proposal = await staff_proposal(update, context, int(match.group(1)))
    if proposal is None:
        return
    code = match.group(2)
    action = ACTIONS[code]
    if proposal.author_id == context.user.id:
        await refuse(update, context, t._(domain.REVIEW_OWN))
        return
    if code not in available(proposal):
        if action.status is not None:
            err = ProposalError(domain.ILLEGAL, current=S(proposal.status), wanted=action.status)
        else:
            err = ProposalError(domain.ALREADY_HIDDEN if code == "hd" else domain.NOT_HIDDEN)
        await refuse(update, context, error_text(t, err))
        return
    await answer(update)
    if code == "mg":
        await _ask_target(update, context, proposal)
        return
    if action.answer == "no":
        await execute(update, context, proposal.id, code, None, None)
        return
    context.user_data[PENDING] = {"id": proposal.id, "act": code, "target": None}  # type: ignore[index]
    await _ask_answer(update, context, proposal, code)


async def _ask_answer(update: Update, context: MaeulContext, proposal: Proposal, code: str) -> None:
    """Ask for the answer of ``code`` (``user_data[PENDING]`` says which); a question that
    never arrives stops the waiting (:func:`handlers.core.undelivered.unless_delivered`)."""
    since = queued()
    await _question(update, context, proposal, code)
    awaiting_typed(update, context, PENDING, since)


async def _question(update: Update, context: MaeulContext, proposal: Proposal, code: str) -> None:
    t = context.t
    action = ACTIONS[code]
    lines = [
        esc(
            t._(
                "#{id} “{title}”: {action}",
                id=proposal.id,
                title=proposal.title,
                action=t._(action.label),
            )
        ),
        esc(
            t._("Type the official answer. It is sent to the proposer and shown on the card.")
            if action.answer == "optional"
            else t._("Type the reason. It is sent to the proposer and shown on the card.")
        ),
    ]
    buttons = []
    if action.answer == "optional":
        buttons.append(InlineKeyboardButton(t._("Skip"), callback_data=f"rev:k:{proposal.id}"))
    buttons.append(InlineKeyboardButton(t._("Cancel"), callback_data="rev:x"))
    await send(update, context, "\n".join(lines), InlineKeyboardMarkup([buttons]))


async def _ask_target(update: Update, context: MaeulContext, proposal: Proposal) -> None:
    t = context.t
    context.user_data[PENDING] = {"id": proposal.id, "act": "mg", "target": None}  # type: ignore[index]
    since = queued()
    candidates = await domain.merge_candidates(context.db, proposal)
    rows = [
        [
            InlineKeyboardButton(
                f"#{p.id} {shorten(p.title, 40)}", callback_data=f"rev:t:{proposal.id}:{p.id}"
            )
        ]
        for p in candidates
    ]
    rows.append([InlineKeyboardButton(t._("Cancel"), callback_data="rev:x")])
    text = t._(
        "Merge #{id} “{title}” into which proposal of the same dong? Choose below or type "
        "its number (e.g. #12). Its supporters will be carried over.",
        id=proposal.id,
        title=proposal.title,
    )
    await send(update, context, esc(text), InlineKeyboardMarkup(rows))
    awaiting_typed(update, context, PENDING, since)


@dataclass(frozen=True)
class Pending:
    id: int
    act: str
    target: int | None


def _pending(context: MaeulContext) -> Pending | None:
    """The action waiting for its answer (from user_data, checked: it may be stale)."""
    value = context.user_data.get(PENDING)
    if not isinstance(value, dict):
        return None
    pid, code, target = value.get("id"), value.get("act"), value.get("target")
    if not isinstance(pid, int) or code not in ACTIONS:
        return None
    return Pending(pid, str(code), target if isinstance(target, int) else None)


async def target_pressed(update: Update, context: MaeulContext) -> None:
    _, _, pid, target = update.callback_query.data.split(":")
    pending = _pending(context)
    if pending is None or pending.id != int(pid) or pending.act != "mg":
        await refuse(update, context, context.t._("This button is no longer valid."))
        return
    await answer(update)
    await _set_target(update, context, int(pid), int(target))


async def _set_target(update: Update, context: MaeulContext, pid: int, target: int) -> None:
    proposal = await staff_proposal(update, context, pid)
    if proposal is None:
        context.user_data.pop(PENDING, None)
        return
    try:
        await domain.check_merge_target(context.db, proposal, target)
    except ProposalError as err:
        await send(update, context, esc(error_text(context.t, err)))
        return  # still waiting for a target
    context.user_data[PENDING] = {"id": pid, "act": "mg", "target": target}  # type: ignore[index]
    await _ask_answer(update, context, proposal, "mg")


async def typed(update: Update, context: MaeulContext) -> None:
    """Text while an action waits: the merge target, or the answer."""
    pending = _pending(context)
    if pending is None:  # the filter guarantees it; be safe
        return
    if never_asked(context, PENDING):  # the bot died before asking: not an answer
        context.user_data.pop(PENDING, None)
        await update.effective_message.reply_text(context.t._(UNDELIVERED))
        return
    text = update.effective_message.text or ""
    pid = pending.id
    if pending.act == "mg" and pending.target is None:
        match = TARGET_TYPED_RE.match(text)
        if match is None:
            await update.effective_message.reply_text(
                context.t._("Please type the number of the proposal, e.g. #12, or /cancel.")
            )
            return
        await _set_target(update, context, pid, int(match.group(1)))
        return
    done = await execute(update, context, pid, pending.act, text, pending.target)
    if not done:
        await context.bot.send_message(
            update.effective_chat.id, context.t._("Here is what you wrote, to copy and correct:")
        )
        await context.bot.send_message(update.effective_chat.id, text)


async def skip(update: Update, context: MaeulContext) -> None:
    pending = _pending(context)
    pid = int(update.callback_query.data.rsplit(":", 1)[1])
    if pending is None or pending.id != pid:
        await refuse(update, context, context.t._("This button is no longer valid."))
        return
    code = pending.act
    if ACTIONS[code].answer == "required":
        needed = domain.HIDE_REASON_NEEDED if code == "hd" else domain.REASON_NEEDED
        await refuse(update, context, context.t._(needed))
        return
    await answer(update)
    await drop_keyboard(update)
    await execute(update, context, pid, code, None, pending.target)


async def cancel(update: Update, context: MaeulContext) -> None:
    await cancelled(update, context, forget=PENDING)


# ---------------------------------------------------------------------------------------
# The staff group chat
# ---------------------------------------------------------------------------------------


def register(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.core.start import DEEP_LINKS, numbered_link

    # t.me/<bot>?start=review_<id>: the button of a staff group notification
    DEEP_LINKS["review"] = numbered_link(show_review_card)
    pending = _PendingReview(app)
    # Registered before the /propose conversation: while an action waits, text is its answer.
    app.add_handler(CommandHandler("cancel", cancel, filters=pending))
    text = TYPED & ~filters.UpdateType.EDITED
    app.add_handler(MessageHandler(text & pending, typed))
    app.add_handler(CommandHandler("review", queues))
    app.add_handler(CommandHandler("staffchat", staffchat))
    app.add_handler(CallbackQueryHandler(queues, pattern=r"^rev:m$"))
    app.add_handler(CallbackQueryHandler(queue, pattern=QUEUE_RE))
    app.add_handler(CallbackQueryHandler(open_card, pattern=rf"^rev:o:{ID}$"))
    app.add_handler(CallbackQueryHandler(act, pattern=ACTION_RE))
    app.add_handler(CallbackQueryHandler(target_pressed, pattern=rf"^rev:t:{ID}:{ID}$"))
    app.add_handler(CallbackQueryHandler(skip, pattern=rf"^rev:k:{ID}$"))
    app.add_handler(CallbackQueryHandler(cancel, pattern=r"^rev:x$"))
