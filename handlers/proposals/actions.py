"""A resident's actions on a proposal card that ask first: report (신고) and withdraw.
Both "yes" buttons re-check everything on the press (the proposal may be gone, hidden,
or moved on since the question); "no" changes nothing. Callback data as in
handlers.proposals.browse."""

from __future__ import annotations

from sqlalchemy import select
from telegram import Update

from bot.core.text import esc
from bot.proposals import service as domain
from bot.proposals.service import ProposalError
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, ask_confirm, declined, opened_by, refuse
from handlers.core.blocks import show as send
from handlers.proposals.notify import notify_proposer, notify_staff
from handlers.proposals.render import S, can_view, error_text
from models.proposal import Proposal, ProposalReport, Visibility


async def visible_proposal(update: Update, context: MaeulContext) -> Proposal | None:
    proposal = await domain.get_proposal(context.db, pressed_id(update))
    if proposal is None or not can_view(context.user, proposal, context.runtime.settings.admin_ids):
        await refuse(update, context, context.t._(domain.NOT_FOUND))
        return None
    return proposal


on_visible_proposal = opened_by(visible_proposal)
"""The opening of a press handler on a proposal card, as a decorator: the handler is called
with the pressed proposal, ``handler(update, context, proposal)``, when the presser may see
it (:func:`visible_proposal`; otherwise a polite refusal and nothing more)."""


async def supported(
    update: Update, context: MaeulContext, proposal_id: int, *, want: bool
) -> domain.SupportResult | None:
    """Support the proposal (``want``) or take the support back; ``None`` after a polite
    refusal when the service says no. The support that first reaches the dong's threshold
    is told to the dong's staff."""
    try:
        result = await domain.toggle_support(
            context.db, proposal_id, context.user.id, context.runtime.clock.utcnow(), want=want
        )
    except ProposalError as err:
        await refuse(update, context, error_text(context.t, err))
        return None
    if result.threshold_reached:
        proposal = await domain.get_proposal(context.db, proposal_id)
        assert proposal is not None
        await notify_staff(
            context, proposal, "threshold", count=result.count, threshold=result.threshold
        )
    return result


@on_visible_proposal
async def ask_report(update: Update, context: MaeulContext, proposal: Proposal) -> None:
    t = context.t
    if proposal.author_id == context.user.id:
        await refuse(update, context, t._(domain.REPORT_OWN))
        return
    text = t._(
        "Report proposal #{id} “{title}” as abusive (insults, personal data, advertising)? "
        "After several reports it is hidden until staff review it.",
        id=proposal.id,
        title=proposal.title,
    )
    yes = (t._("🚩 Yes, report"), f"props:ry:{proposal.id}")
    await ask_confirm(
        update, context, esc(text), yes=yes, no=(t._("No"), f"props:rn:{proposal.id}")
    )


@on_visible_proposal
async def do_report(update: Update, context: MaeulContext, proposal: Proposal) -> None:
    t = context.t
    if proposal.visibility != Visibility.VISIBLE:
        await answer(update)
        await send(update, context, esc(t._(domain.SUPPORT_HIDDEN)), edit=True)
        return
    try:
        result = await domain.report(
            context.db, proposal, context.user, context.runtime.clock.utcnow()
        )
    except ProposalError as err:
        await refuse(update, context, error_text(t, err))
        return
    await answer(update)
    text = (
        t._("Thank you. Staff will look at this proposal.")
        if result.new
        else t._("You have already reported this proposal.")
    )
    await send(update, context, esc(text), edit=True)
    if result.flagged:
        entries = await domain.history(context.db, proposal.id)
        await notify_staff(context, proposal, "flagged", count=result.reports)
        await notify_proposer(context, proposal, entries[-1])


@on_visible_proposal
async def ask_withdraw(update: Update, context: MaeulContext, proposal: Proposal) -> None:
    t = context.t
    if proposal.author_id != context.user.id:
        await refuse(update, context, t._(domain.NOT_AUTHOR))
        return
    if not domain.can_transition(proposal.status, S.WITHDRAWN):
        err = ProposalError(domain.ILLEGAL, current=S(proposal.status), wanted=S.WITHDRAWN)
        await refuse(update, context, error_text(t, err))
        return
    text = t._(
        "Withdraw your proposal #{id} “{title}”? This cannot be undone.",
        id=proposal.id,
        title=proposal.title,
    )
    yes = (t._("↩️ Yes, withdraw"), f"props:wy:{proposal.id}")
    no = (t._("No, keep it"), f"props:wn:{proposal.id}")
    await ask_confirm(update, context, esc(text), yes=yes, no=no)


@on_visible_proposal
async def do_withdraw(update: Update, context: MaeulContext, proposal: Proposal) -> None:
    t = context.t
    try:
        await domain.change_status(
            context.db,
            proposal,
            S.WITHDRAWN,
            actor=domain.Actor.of(context.user),
            now=context.runtime.clock.utcnow(),
            admin_ids=context.runtime.settings.admin_ids,
        )
    except ProposalError as err:
        await refuse(update, context, error_text(t, err))
        return
    await answer(update)
    await send(
        update,
        context,
        esc(t._("Your proposal #{id} was withdrawn.", id=proposal.id)),
        edit=True,
    )


async def said_no(update: Update, context: MaeulContext) -> None:
    data = update.callback_query.data or ""
    if data.startswith("props:rn:"):
        reported = await context.db.scalar(
            select(ProposalReport.proposal_id).where(
                ProposalReport.proposal_id == pressed_id(update),
                ProposalReport.user_id == context.user.id,
            )
        )
        if reported is not None:  # its "yes" was pressed (the reply lost)
            await declined(update, context, context.t._("You have already reported this proposal."))
            return
    if data.startswith("props:wn:"):
        proposal = await domain.get_proposal(context.db, pressed_id(update))
        mine = proposal is not None and proposal.author_id == context.user.id
        if mine and proposal.status == S.WITHDRAWN:  # its "yes" was pressed
            text = context.t._("Your proposal #{id} was withdrawn.", id=proposal.id)
            await declined(update, context, text)
            return
    await declined(update, context)


def pressed_id(update: Update) -> int:
    """The proposal id at the end of the callback data (the handler's pattern checked it)."""
    return int(update.callback_query.data.rsplit(":", 1)[1])
