"""The /propose preview's buttons: submit (only the version previewed: a stale preview
is shown again, never submitted), support a similar proposal instead, and the edit menu
that asks one step again and comes back to the preview."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.core.text import esc
from bot.proposals import service as domain
from bot.proposals.service import ProposalError
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, drop_keyboard, grid, opened_by, refuse
from handlers.proposals.actions import supported
from handlers.proposals.draft import (
    ASK,
    EDIT,
    EDITING,
    PREVIEW,
    ask_dong,
    ask_theme,
    own_draft,
    parts,
    pressed_draft,
    preview,
    say,
)
from handlers.proposals.notify import notify_staff
from handlers.proposals.render import error_text, names
from models.proposal import ProposalDraft


async def _done(update: Update, context: MaeulContext, text: str, proposal_id: int) -> None:
    """The end of /propose: the press answered, the preview's buttons gone, ``text`` (plain)
    with a button that opens the proposal."""
    await answer(update)
    await drop_keyboard(update)
    label = context.t._("Open the proposal")
    button = InlineKeyboardButton(label, callback_data=f"props:v:{proposal_id}")
    await say(update, context, esc(text), InlineKeyboardMarkup([[button]]))


@opened_by(own_draft, PREVIEW)
async def submit(update: Update, context: MaeulContext, draft: ProposalDraft) -> str | int:
    t = context.t
    if str(draft.version) != parts(update)[3]:
        await answer(update, t._("This preview is outdated. Here is the current one."))
        await drop_keyboard(update)
        return await preview(update, context, draft)
    settings = context.runtime.settings
    try:
        proposal = await domain.submit(
            context.db,
            draft,
            context.user,
            now=context.runtime.clock.utcnow(),
            tz=settings.tz,
            per_day=settings.proposals_per_day,
        )
    except ProposalError as err:
        await refuse(update, context, error_text(t, err))
        if err.message == domain.UNKNOWN_DONG:
            return await ask_dong(update, context, draft)
        if err.message == domain.UNKNOWN_THEME:
            return await ask_theme(update, context, draft)
        return PREVIEW
    n = await names(context)
    done = t._(
        "Thank you! Your proposal #{id} was submitted. The staff of {dong} will review "
        "it, and I will tell you about every change.",
        id=proposal.id,
        dong=n.dong(proposal.dong_id),
    )
    await _done(update, context, done, proposal.id)
    await notify_staff(context, proposal, "new")
    return ConversationHandler.END


async def submit_after(update: Update, context: MaeulContext) -> None:
    """ "Submit" pressed when the conversation is no longer at the preview (over, or at
    another step). Its draft still there (the dialogue left idle, say): submitted as from
    the preview. Gone — submitted by an earlier press whose confirmation never arrived (a
    crash, every reply lost), or discarded: said so, with the newest proposal to open,
    rather than "no longer valid"."""
    draft = await domain.get_draft(context.db, context.user.id)
    if draft is not None and str(draft.id) == parts(update)[2]:
        await submit(update, context)
        return
    t = context.t
    proposal = await domain.newest_proposal(context.db, context.user.id)
    if proposal is None:
        await answer(update)
        await drop_keyboard(update)
        await say(
            update, context, esc(t._("This draft no longer exists. Type /propose to start again."))
        )
        return
    text = t._(
        "This draft was already submitted or discarded. Your newest proposal is #{id} “{title}”.",
        id=proposal.id,
        title=proposal.title,
    )
    await _done(update, context, text, proposal.id)


@opened_by(own_draft, PREVIEW)
async def support_instead(update: Update, context: MaeulContext, draft: ProposalDraft) -> str | int:
    t = context.t
    proposal_id = int(parts(update)[3])
    result = await supported(update, context, proposal_id, want=True)
    if result is None:
        return PREVIEW
    await domain.discard_draft(context.db, context.user.id)
    done = t._(
        "You support proposal #{id} now ({count} supports). Your draft was discarded.",
        id=proposal_id,
        count=t.format_number(result.count),
    )
    await _done(update, context, done, proposal_id)
    return ConversationHandler.END


def preview_pressed(stay: str) -> Callable[[Update, MaeulContext], Coroutine[Any, Any, str]]:
    """A button that shows the pressed draft's preview; a stale press stays in ``stay``."""
    return opened_by(pressed_draft, stay)(preview)


preview_again = preview_pressed(EDIT)
"""The preview again, from the edit menu."""


@opened_by(pressed_draft, PREVIEW)
async def edit_menu(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    labels = [
        ("dong", t._("🏘 Dong")),
        ("theme", t._("🏷 Theme")),
        ("title", t._("Title")),
        ("description", t._("Description")),
        ("photo", t._("📷 Photo")),
    ]
    if draft.photo_file_id:
        labels.append(("nophoto", t._("Remove the photo")))
    buttons = [
        InlineKeyboardButton(label, callback_data=f"prop:f:{draft.id}:{field}")
        for field, label in labels
    ]
    rows = grid(buttons)
    rows.append(
        [InlineKeyboardButton(t._("◀ Back to the preview"), callback_data=f"prop:p:{draft.id}")]
    )
    await say(update, context, esc(t._("What do you want to change?")), InlineKeyboardMarkup(rows))
    return EDIT


@opened_by(own_draft, EDIT)
async def edit_field(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    field = parts(update)[3]
    await answer(update)
    await drop_keyboard(update)
    context.user_data[EDITING] = True  # type: ignore[index]
    if field in ASK:
        return await ASK[field](update, context, draft)
    await domain.update_draft(context.db, draft, context.runtime.clock.utcnow(), photo_file_id=None)
    return await preview(update, context, draft)
