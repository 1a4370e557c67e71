"""Notifications about proposals: each recipient in their own language, as durable
messages (bot.reminders.outbox) written in the update's transaction — sent by the
dispatcher once it has committed, never lost and never claimed as sent before they are.
The proposer hears of every change of their proposal; staff of its dong (admins too), in
private and in the dong's staff group, of new, well-supported and flagged proposals."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from bot.core.text import esc, shorten
from bot.proposals import service as domain
from bot.reminders.outbox import tell
from bot.telegram.context import MaeulContext
from handlers.proposals.render import (  # moved
    Names,
    names,
    status_label,
)
from models.proposal import HistoryAction, Proposal, ProposalHistory
from models.user import User


def translator_for(context: MaeulContext, user: User) -> Translator:
    return context.runtime.translator(user.language, user.telegram_language)


async def notify_proposer(
    context: MaeulContext, proposal: Proposal, entry: ProposalHistory
) -> bool:
    """Queue, for the proposer in their language, what changed and the official answer.

    False when there is nobody to tell: the proposer left or blocked the bot, or made the
    change themselves (they see its confirmation)."""
    author = await context.db.get(User, proposal.author_id)
    if author is None or not author.active:
        return False
    if context.scope.user is not None and context.scope.user.id == author.id:
        return False
    t = translator_for(context, author)
    n = await names(context, t)
    params = {"id": proposal.id, "title": proposal.title, "dong": n.dong(proposal.dong_id)}
    if entry.action == HistoryAction.HIDE:
        line = t._("🚫 Your proposal #{id} “{title}” ({dong}) was hidden by staff.", **params)
    elif entry.action == HistoryAction.FLAG:
        line = t._(
            "🚩 Your proposal #{id} “{title}” ({dong}) was hidden after several reports. "
            "Staff will review it.",
            **params,
        )
    elif entry.action == HistoryAction.RESTORE:
        line = t._("👀 Your proposal #{id} “{title}” ({dong}) is visible again.", **params)
    else:
        line = t._(
            "📣 Your proposal #{id} “{title}” ({dong}) is now: {status}.",
            status=status_label(t, proposal.status),
            **params,
        )
    lines = [esc(line)]
    if entry.action == HistoryAction.STATUS and proposal.merged_into_id is not None:
        lines.append(
            esc(
                t._(
                    "It was merged into proposal #{target}; its supporters were carried over.",
                    target=proposal.merged_into_id,
                )
            )
        )
    if entry.reason:
        lines += ["", f"<b>{esc(t._('Official answer'))}</b>", esc(entry.reason)]
    await tell(
        context.db,
        chat_id=author.telegram_id,
        user_id=author.id,
        text="\n".join(lines),
        now=context.runtime.clock.utcnow(),
        buttons=(((t._("Open the proposal"), f"props:v:{proposal.id}"),),),
        key=f"proposal:{proposal.id}:history:{entry.id}",
        ref=f"proposal:{proposal.id}",
    )
    return True


STAFF_EVENTS = {
    "new": N_("🆕 New proposal #{id} in {dong} ({theme}): “{title}”"),
    "threshold": N_(
        "👍 Proposal #{id} in {dong} reached {count} supports (the threshold is {threshold}): "
        "“{title}”"
    ),
    "flagged": N_(
        "🚩 Proposal #{id} in {dong} was hidden after {count} reports and waits for your "
        "review: “{title}”"
    ),
}


def _staff_text(t: Translator, n: Names, proposal: Proposal, event: str, **extra: int) -> str:
    line = t._(
        STAFF_EVENTS[event],
        id=proposal.id,
        dong=n.dong(proposal.dong_id),
        theme=n.theme(proposal.category_id),
        title=proposal.title,
        **{k: t.format_number(v) for k, v in extra.items()},
    )
    return "\n".join([esc(line), "", esc(shorten(proposal.description, 300))])


async def notify_staff(context: MaeulContext, proposal: Proposal, event: str, **extra: int) -> int:
    """Staff of the proposal's dong (admins too) in private, and the dong's staff group.

    Returns how many chats the message was queued for.
    """
    settings = context.runtime.settings
    now = context.runtime.clock.utcnow()
    queued = 0
    me = context.scope.user
    for user in await domain.staff_recipients(context.db, proposal.dong_id, settings.admin_ids):
        if me is not None and user.id == me.id:
            continue
        t = translator_for(context, user)
        await tell(
            context.db,
            chat_id=user.telegram_id,
            user_id=user.id,
            text=_staff_text(t, await names(context, t), proposal, event, **extra),
            now=now,
            buttons=(((t._("🛠 Review"), f"rev:o:{proposal.id}"),),),
            ref=f"proposal:{proposal.id}",
        )
        queued += 1
    chat_id = (await domain.dong_settings(context.db, proposal.dong_id)).staff_chat_id
    if chat_id is not None:
        t = context.runtime.translator()
        url = f"https://t.me/{context.bot.username}?start=review_{proposal.id}"
        await tell(
            context.db,
            chat_id=chat_id,
            text=_staff_text(t, await names(context, t), proposal, event, **extra),
            now=now,
            buttons=(((t._("🛠 Review in the private chat"), url),),),  # a link button
            ref=f"proposal:{proposal.id}",
        )
        queued += 1
    return queued
