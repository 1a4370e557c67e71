"""Proposals as residents and staff see them: status labels and icons, the card (text and
buttons, kept under Telegram's 4,096 characters), dong and theme names, and the short keys
KB ids take in callback data. Rendering only; the handlers in this folder use it."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import N_, Translator
from bot.core.text import esc, shorten
from bot.proposals import service as domain
from bot.proposals.service import ProposalError
from bot.telegram.context import MaeulContext
from handlers.core.blocks import list_keyboard, nav_row, page_count
from models.proposal import HistoryAction, Proposal, ProposalHistory, ProposalStatus, Visibility
from models.user import User

S = ProposalStatus


CARD_LIMIT = 3900  # Telegram allows 4,096 characters; keep room for the share line


STATUS_LABELS: dict[str, str] = {
    S.SUBMITTED: N_("Submitted"),
    S.UNDER_REVIEW: N_("Under review"),
    S.ACCEPTED: N_("Accepted"),
    S.REJECTED: N_("Rejected"),
    S.MERGED: N_("Merged"),
    S.WITHDRAWN: N_("Withdrawn"),
    S.SELECTED: N_("Selected at the assembly"),
    S.NOT_SELECTED: N_("Not selected at the assembly"),
    S.IN_PROGRESS: N_("In progress"),
    S.DONE: N_("Done"),
}


STATUS_ICONS: dict[str, str] = {
    S.SUBMITTED: "🆕",
    S.UNDER_REVIEW: "🔎",
    S.ACCEPTED: "✅",
    S.REJECTED: "❌",
    S.MERGED: "🔗",
    S.WITHDRAWN: "↩️",
    S.SELECTED: "🗳",
    S.NOT_SELECTED: "➖",
    S.IN_PROGRESS: "🚧",
    S.DONE: "🏁",
}


def key_for(item_id: str) -> str:
    """A KB id as it goes into callback data (≤ 64 bytes): itself, or a short hash."""
    if len(item_id) <= 32:
        return item_id
    return "~" + hashlib.sha1(item_id.encode()).hexdigest()[:12]


def resolve_key(key: str, ids: list[str]) -> str | None:
    return next((i for i in ids if key_for(i) == key), None)


def status_label(t: Translator, status: str) -> str:
    return t._(STATUS_LABELS.get(status, status))


def error_text(t: Translator, err: ProposalError) -> str:
    """The localized message of a domain error (plain text, not escaped)."""
    params: dict[str, object] = {}
    for key, value in err.params.items():
        if isinstance(value, ProposalStatus):
            params[key] = status_label(t, value)
        elif isinstance(value, int):
            params[key] = t.format_number(value)
        else:
            params[key] = value
    return t._(err.message, **params)


def plain_length(text: str) -> int:
    """The length Telegram counts for an HTML message (tags removed, entities decoded)."""
    return len(html.unescape(re.sub(r"<[^>]*>", "", text)))


@dataclass(frozen=True)
class Names:
    dongs: dict[str, str]
    themes: dict[str, str]

    def dong(self, dong_id: str) -> str:
        return self.dongs.get(dong_id, dong_id)

    def theme(self, category_id: str) -> str:
        return self.themes.get(category_id, category_id)


async def names(context: MaeulContext, t: Translator | None = None) -> Names:
    """Dong and theme names in ``t``'s language (the KB snapshot; archived ones by id)."""
    lang = (t or context.t).lang
    kb = await context.runtime.knowledge.get()
    if kb is None:
        return Names({}, {})
    return Names(
        {d.id: d.name.get(lang) for d in kb.dongs},
        {c.id: c.name.get(lang) for c in kb.categories},
    )


async def themes(context: MaeulContext) -> list[tuple[str, str]]:
    """(id, localized name) of the KB's categories, in the KB's order."""
    kb = await context.runtime.knowledge.get()
    return [(c.id, c.name.get(context.t.lang)) for c in kb.categories] if kb else []


def can_view(user: User, proposal: Proposal, admin_ids: frozenset[int]) -> bool:
    return (
        proposal.visibility == Visibility.VISIBLE
        or proposal.author_id == user.id
        or domain.is_staff_for(user, proposal, admin_ids)
    )


def _history_line(t: Translator, entry: ProposalHistory, author_id: int) -> str:
    if entry.action == HistoryAction.SUBMIT:
        label = t._("Submitted")
    elif entry.action == HistoryAction.HIDE:
        label = t._("Hidden by staff")
    elif entry.action == HistoryAction.FLAG:
        label = t._("Hidden after reports, pending review")
    elif entry.action == HistoryAction.RESTORE:
        label = t._("Visible again")
    elif (
        entry.actor_id is not None
        and entry.actor_id == author_id
        and entry.to_status in domain.AUTHOR_TRANSITIONS
    ):  # only a withdrawal is the proposer's; every other move is the committee's
        label = t._("{status} by the proposer", status=status_label(t, entry.to_status))
    else:
        label = status_label(t, entry.to_status)
    line = f"• {t.format_date(entry.at, short=True)} — {label}"
    if entry.reason and entry.action != HistoryAction.SUBMIT:
        line += f": {shorten(entry.reason, 60)}"
    return esc(line)


async def card_text(
    context: MaeulContext,
    proposal: Proposal,
    t: Translator,
    *,
    staff: bool = False,
) -> str:
    n = await names(context, t)
    entries = await domain.history(context.db, proposal.id)
    icon = STATUS_ICONS.get(proposal.status, "")
    head = [
        f"<b>#{proposal.id} · {esc(proposal.title)}</b>",
        esc(f"🏘 {n.dong(proposal.dong_id)} · 🏷 {n.theme(proposal.category_id)}"),
        esc(
            t._("{icon} Status: {status}", icon=icon, status=status_label(t, proposal.status))
            + " · "
            + t.n_(
                "👍 {count} support",
                "👍 {count} supports",
                proposal.support_count,
                count=t.format_number(proposal.support_count),
            )
        ),
        esc(t._("📅 Submitted {date}", date=t.format_date(proposal.created_at))),
    ]
    if proposal.visibility == Visibility.FLAGGED:
        head.append(esc(t._("🚩 Hidden after reports, pending staff review.")))
    elif proposal.visibility == Visibility.HIDDEN:
        head.append(esc(t._("🚫 Hidden by staff.")))
    if proposal.merged_into_id is not None:
        head.append(esc(t._("🔗 Merged into #{id}.", id=proposal.merged_into_id)))
    if proposal.photo_file_id:
        head.append(esc(t._("📷 With a photo.")))
    tail: list[str] = []
    if proposal.answer:
        when = t.format_date(proposal.answered_at) if proposal.answered_at else ""
        tail += ["", f"<b>{esc(t._('Official answer'))}</b> {esc(when)}", esc(proposal.answer)]
    tail += ["", f"<b>{esc(t._('History'))}</b>"]
    tail += [_history_line(t, e, proposal.author_id) for e in entries[-8:]]
    username = context.bot.username
    if username and not staff and proposal.visibility == Visibility.VISIBLE:
        link = f"https://t.me/{username}?start=proposal_{proposal.id}"
        tail += ["", esc(t._("Share: {link}", link=link))]
    description = proposal.description
    text = "\n".join([*head, "", esc(description), *tail])
    excess = plain_length(text) - CARD_LIMIT
    if excess > 0:
        description = shorten(description, max(100, len(description) - excess - 1))
        text = "\n".join([*head, "", esc(description), *tail])
    return text


def card_buttons(
    t: Translator,
    proposal: Proposal,
    *,
    viewer: User,
    supported: bool,
    staff: bool,
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    pid = proposal.id
    visible = proposal.visibility == Visibility.VISIBLE
    if visible and proposal.status in domain.SUPPORT_OPEN and proposal.author_id != viewer.id:
        count = t.format_number(proposal.support_count)
        label = (
            t._("💚 You support this ({count}) · take back", count=count)
            if supported
            else t._("👍 Support ({count})", count=count)
        )
        # the data says what the label says (s0: take back, s1: support), so a stale card
        # pressed after another card changed the support cannot do the opposite
        want = 0 if supported else 1
        rows.append([InlineKeyboardButton(label, callback_data=f"props:s{want}:{pid}")])
    second = []
    if proposal.photo_file_id:
        second.append(InlineKeyboardButton(t._("📷 Photo"), callback_data=f"props:ph:{pid}"))
    if visible and proposal.author_id != viewer.id:
        second.append(InlineKeyboardButton(t._("🚩 Report"), callback_data=f"props:r:{pid}"))
    if proposal.author_id == viewer.id and S.WITHDRAWN in domain.TRANSITIONS[S(proposal.status)]:
        second.append(InlineKeyboardButton(t._("↩️ Withdraw"), callback_data=f"props:w:{pid}"))
    if second:
        rows.append(second)
    last = [InlineKeyboardButton(t._("≡ Proposals"), callback_data="props:m")]
    if staff:
        last.append(InlineKeyboardButton(t._("🛠 Review"), callback_data=f"rev:o:{pid}"))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def list_view(
    t: Translator,
    title: str,
    items: Sequence[Proposal],
    total: int,
    page: int,
    page_size: int,
    *,
    empty: str,
    detail: Callable[[Proposal], str],
    open_data: str,
    page_data: str,
    footer: list[InlineKeyboardButton],
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of proposals: the title, "Page 2 of 3", a line each (icon, number, title and
    ``detail``, plain text),
    a button each (``open_data`` with ``{id}``), ◀ ▶ (``page_data`` with ``{page}``) and
    ``footer``. (HTML text, markup.)"""
    pages = page_count(total, page_size)
    lines = [f"<b>{esc(title)}</b>"]
    if not items:
        lines.append(esc(empty))
    elif pages > 1:
        lines.append(esc(t._("Page {page} of {pages}", page=page + 1, pages=pages)))
    lines += [
        esc(f"{STATUS_ICONS.get(p.status, '')} #{p.id} {shorten(p.title, 50)} — {detail(p)}")
        for p in items
    ]
    buttons = [
        InlineKeyboardButton(
            f"#{p.id} {shorten(p.title, 40)}", callback_data=open_data.format(id=p.id)
        )
        for p in items
    ]
    markup = list_keyboard(buttons, nav_row(page, pages, page_data), footer)
    return "\n".join(lines), markup
