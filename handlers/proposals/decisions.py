"""Staff decisions on a proposal: which are legal now (never on one's own proposal), and
carrying one out — re-checking on every press that the presser is staff of the
proposal's dong and that the move is still legal, then telling the proposer in their
language (a durable message, sent once the decision is committed)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.i18n import N_, Translator
from bot.core.text import esc
from bot.proposals import service as domain
from bot.proposals.service import Actor, ProposalError
from bot.telegram.context import MaeulContext
from handlers.core.blocks import refuse
from handlers.core.blocks import show as send
from handlers.proposals.notify import notify_proposer
from handlers.proposals.render import error_text, status_label
from models.proposal import Proposal, ProposalStatus, Visibility

PENDING = "review"  # user_data key: the action waiting for its answer text


S = ProposalStatus


@dataclass(frozen=True)
class Action:
    kind: str  # "status" | "hide" | "restore"
    status: ProposalStatus | None
    answer: str  # "no" | "optional" | "required"
    label: str


ACTIONS: dict[str, Action] = {
    "st": Action("status", S.UNDER_REVIEW, "no", N_("🔎 Start review")),
    "ac": Action("status", S.ACCEPTED, "optional", N_("✅ Accept")),
    "rj": Action("status", S.REJECTED, "required", N_("❌ Reject")),
    "mg": Action("status", S.MERGED, "optional", N_("🔗 Merge into another")),
    "se": Action("status", S.SELECTED, "optional", N_("🗳 Selected at the assembly")),
    "ns": Action("status", S.NOT_SELECTED, "optional", N_("➖ Not selected")),
    "ip": Action("status", S.IN_PROGRESS, "optional", N_("🚧 In progress")),
    "dn": Action("status", S.DONE, "optional", N_("🏁 Done")),
    "hd": Action("hide", None, "required", N_("🚫 Hide")),
    "rs": Action("restore", None, "no", N_("👀 Restore")),
}


def available(proposal: Proposal) -> list[str]:
    """The staff actions that are legal for the proposal now."""
    allowed = domain.TRANSITIONS[S(proposal.status)] - domain.AUTHOR_TRANSITIONS
    codes = [c for c, a in ACTIONS.items() if a.kind == "status" and a.status in allowed]
    if proposal.visibility != Visibility.HIDDEN:
        codes.append("hd")
    if proposal.visibility != Visibility.VISIBLE:
        codes.append("rs")
    return codes


async def staff_proposal(
    update: Update, context: MaeulContext, proposal_id: int
) -> Proposal | None:
    """The proposal, if the user is staff of its dong; otherwise a refusal."""
    t = context.t
    proposal = await domain.get_proposal(context.db, proposal_id)
    if proposal is None:
        await refuse(update, context, t._(domain.NOT_FOUND))
        return None
    if not domain.is_staff_for(context.user, proposal, context.runtime.settings.admin_ids):
        await refuse(update, context, t._(domain.NOT_STAFF))
        return None
    return proposal


def review_buttons(t: Translator, proposal: Proposal, *, own: bool = False) -> InlineKeyboardMarkup:
    """The actions legal now; none on the reviewer's ``own`` proposal."""
    buttons = [
        InlineKeyboardButton(t._(ACTIONS[code].label), callback_data=f"rev:a:{proposal.id}:{code}")
        for code in ([] if own else available(proposal))
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(t._("Resident view"), callback_data=f"props:v:{proposal.id}"),
            InlineKeyboardButton(t._("≡ Review queues"), callback_data="rev:m"),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def execute(
    update: Update,
    context: MaeulContext,
    proposal_id: int,
    code: str,
    text: str | None,
    target: int | None,
) -> bool:
    """Carry out an action; True when it is done (or can no longer be done)."""
    t = context.t
    proposal = await staff_proposal(update, context, proposal_id)
    if proposal is None:
        context.user_data.pop(PENDING, None)
        return True
    action = ACTIONS[code]
    actor = Actor.of(context.user)
    now = context.runtime.clock.utcnow()
    admin_ids = context.runtime.settings.admin_ids
    try:
        if action.kind == "status":
            assert action.status is not None
            entry = await domain.change_status(
                context.db,
                proposal,
                action.status,
                actor=actor,
                now=now,
                admin_ids=admin_ids,
                answer=text,
                merge_into=target,
            )
        elif action.kind == "hide":
            entry = await domain.hide(
                context.db, proposal, actor=actor, now=now, reason=text, admin_ids=admin_ids
            )
        else:
            entry = await domain.restore(
                context.db, proposal, actor=actor, now=now, reason=text, admin_ids=admin_ids
            )
    except ProposalError as err:
        await send(update, context, esc(error_text(t, err)))
        if err.message in (domain.ANSWER_TOO_LONG, domain.REASON_NEEDED, domain.HIDE_REASON_NEEDED):
            return False  # ask again; the action still waits
        context.user_data.pop(PENDING, None)
        return True
    context.user_data.pop(PENDING, None)
    queued = await notify_proposer(context, proposal, entry)
    if action.kind == "status":
        done = t._(
            "Done: #{id} is now “{status}”.",
            id=proposal.id,
            status=status_label(t, proposal.status),
        )
    elif action.kind == "hide":
        done = t._("Done: #{id} is hidden.", id=proposal.id)
    else:
        done = t._("Done: #{id} is visible again.", id=proposal.id)
    told = (
        t._("The proposer will be notified in their language.")
        if queued
        else t._("The proposer cannot be notified: they left or blocked the bot.")
    )
    await send(update, context, esc(f"{done} {told}"), review_buttons(t, proposal))
    return True
